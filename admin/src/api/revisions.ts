// A post's revisions (newest first, in keyset pages, each with its
// writer's name) and restoring one.
import { request, route } from './client';
import type { AdminPost, AdminPostEnvelope, Revision, RevisionList } from './types';

export interface RevisionPage {
  revisions: Revision[];
  /** The `before` of the next (older) page; null on the last one. */
  nextBefore: number | null;
}

export async function listRevisions(postId: string, before?: number, limit = 20): Promise<RevisionPage> {
  const params = new URLSearchParams({ limit: String(limit) });
  if (before !== undefined) params.set('before', String(before));
  const path = `${route('/api/v1/admin/posts/{id}/revisions', { id: postId })}?${params}`;
  const data = (await request<RevisionList>(path)).data;
  return { revisions: data.revisions, nextBefore: data.meta.next_before };
}

/** Makes revision `number` current, as a new revision; 412 when the post moved on from `version`. */
export async function restoreRevision(postId: string, number: number, version: number): Promise<AdminPost> {
  const path = route('/api/v1/admin/posts/{id}/revisions/{number}/restore', { id: postId, number });
  return (await request<AdminPostEnvelope>(path, { method: 'POST', headers: { 'If-Match': `"${version}"` } })).data.post;
}
