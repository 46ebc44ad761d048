// The editor endpoints of openapi.yaml: posts, their status moves, terms
// and the Markdown renderer.
import { request, route } from './client';
import type {
  AdminPost,
  AdminPostEnvelope,
  NewPostFields,
  PostFields,
  PostPage,
  PostQuery,
  RenderRequest,
  Rendered,
  ScheduleRequest,
  TermLists,
} from './types';

const ifMatch = (version: number) => ({ 'If-Match': `"${version}"` });

export type { PostQuery };

export async function listPosts(query: PostQuery): Promise<PostPage> {
  const params = new URLSearchParams({ limit: String(query.limit ?? 20) });
  if (query.after) params.set('after', query.after);
  if (query.trashed) params.set('trashed', 'true');
  else if (query.status) params.set('status', query.status);
  if (query.tag) params.set('tag', query.tag);
  if (query.category) params.set('category', query.category);
  if (query.author) params.set('author', query.author);
  if (query.q) params.set('q', query.q);
  return (await request<PostPage>(`${route('/api/v1/admin/posts')}?${params}`)).data;
}

export async function getPost(id: string): Promise<AdminPost> {
  return (await request<AdminPostEnvelope>(route('/api/v1/admin/posts/{id}', { id }))).data.post;
}

/** A post asked for ahead of the editor's code, and when. */
const prefetched = new Map<string, { at: number; post: Promise<AdminPost> }>();
/** How long a prefetched post may wait for the editor before it is stale. */
const PREFETCH_FRESH_MS = 5000;

/** Starts loading a post while the editor's code is still on its way, so
 *  that the two arrive together instead of one after the other. */
export function prefetchPost(id: string): void {
  if (prefetched.has(id)) return;
  const post = getPost(id);
  post.catch(() => undefined); // the editor sees the failure when it takes it
  prefetched.set(id, { at: Date.now(), post });
}

/** The editor's load of a post: the prefetched one if it is fresh (taken
 *  once), else a new request. */
export function loadPost(id: string): Promise<AdminPost> {
  const early = prefetched.get(id);
  prefetched.delete(id);
  return early && Date.now() - early.at < PREFETCH_FRESH_MS ? early.post : getPost(id);
}

export async function createPost(fields: NewPostFields, idempotencyKey: string): Promise<AdminPost> {
  const headers = { 'Idempotency-Key': idempotencyKey };
  return (await request<AdminPostEnvelope>(route('/api/v1/admin/posts'), { method: 'POST', body: fields, headers })).data.post;
}

export async function updatePost(id: string, version: number, fields: PostFields): Promise<AdminPost> {
  const path = route('/api/v1/admin/posts/{id}', { id });
  return (await request<AdminPostEnvelope>(path, { method: 'PATCH', body: fields, headers: ifMatch(version) })).data.post;
}

export async function trashPost(id: string, version: number): Promise<void> {
  await request<null>(route('/api/v1/admin/posts/{id}', { id }), { method: 'DELETE', headers: ifMatch(version) });
}

export async function restorePost(id: string): Promise<AdminPost> {
  return (await request<AdminPostEnvelope>(route('/api/v1/admin/posts/{id}/restore', { id }), { method: 'POST' })).data.post;
}

export type StatusMove = 'publish' | 'unpublish' | 'schedule';

export async function movePost(id: string, version: number, move: StatusMove, publishedAt?: string): Promise<AdminPost> {
  const path = route(`/api/v1/admin/posts/{id}/${move}`, { id });
  const body: ScheduleRequest | undefined = move === 'schedule' && publishedAt ? { published_at: publishedAt } : undefined;
  return (await request<AdminPostEnvelope>(path, { method: 'POST', body, headers: ifMatch(version) })).data.post;
}

export async function renderMarkdown(markdown: string): Promise<Rendered> {
  const body: RenderRequest = { markdown };
  return (await request<Rendered>(route('/api/v1/admin/render'), { method: 'POST', body })).data;
}

export async function listTerms<K extends keyof TermLists>(kind: K): Promise<TermLists[K]> {
  const data = (await request<Record<K, TermLists[K]>>(route(`/api/v1/admin/${kind}`))).data;
  return data[kind];
}
