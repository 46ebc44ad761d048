// The editor endpoints of openapi.yaml: posts, their status moves, terms
// and the Markdown renderer.
import { request } from './client';
import type { AdminPost, AdminTerm, PostFields, PostPage, PostStatus, Rendered } from './types';

const base = '/api/v1/admin/posts';
const ifMatch = (version: number) => ({ 'If-Match': `"${version}"` });

export interface PostQuery {
  status?: PostStatus | undefined;
  trashed?: boolean | undefined;
  tag?: string | undefined;
  author?: string | undefined;
  q?: string | undefined;
  after?: string | undefined;
  limit?: number | undefined;
}

export async function listPosts(query: PostQuery): Promise<PostPage> {
  const params = new URLSearchParams();
  params.set('limit', String(query.limit ?? 20));
  if (query.after) params.set('after', query.after);
  if (query.trashed) params.set('trashed', 'true');
  else if (query.status) params.set('status', query.status);
  if (query.tag) params.set('tag', query.tag);
  if (query.author) params.set('author', query.author);
  if (query.q) params.set('q', query.q);
  return (await request<PostPage>(`${base}?${params}`)).data;
}

type Envelope = { post: AdminPost };

export async function getPost(id: string): Promise<AdminPost> {
  return (await request<Envelope>(`${base}/${encodeURIComponent(id)}`)).data.post;
}

export async function createPost(fields: PostFields & { title: string }, idempotencyKey: string): Promise<AdminPost> {
  const headers = { 'Idempotency-Key': idempotencyKey };
  return (await request<Envelope>(base, { method: 'POST', body: fields, headers })).data.post;
}

export async function updatePost(id: string, version: number, fields: PostFields): Promise<AdminPost> {
  const path = `${base}/${encodeURIComponent(id)}`;
  return (await request<Envelope>(path, { method: 'PATCH', body: fields, headers: ifMatch(version) })).data.post;
}

export async function trashPost(id: string, version: number): Promise<void> {
  await request<null>(`${base}/${encodeURIComponent(id)}`, { method: 'DELETE', headers: ifMatch(version) });
}

export async function restorePost(id: string): Promise<AdminPost> {
  return (await request<Envelope>(`${base}/${encodeURIComponent(id)}/restore`, { method: 'POST' })).data.post;
}

export type StatusMove = 'publish' | 'unpublish' | 'schedule';

export async function movePost(id: string, version: number, move: StatusMove, publishedAt?: string): Promise<AdminPost> {
  const path = `${base}/${encodeURIComponent(id)}/${move}`;
  const body = move === 'schedule' ? { published_at: publishedAt } : undefined;
  return (await request<Envelope>(path, { method: 'POST', body, headers: ifMatch(version) })).data.post;
}

export async function renderMarkdown(markdown: string): Promise<Rendered> {
  return (await request<Rendered>('/api/v1/admin/render', { method: 'POST', body: { markdown } })).data;
}

export async function listTerms(kind: 'tags' | 'categories' | 'authors'): Promise<AdminTerm[]> {
  const data = (await request<Record<string, AdminTerm[]>>(`/api/v1/admin/${kind}`)).data;
  return data[kind] ?? [];
}
