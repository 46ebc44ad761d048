// The media endpoints of openapi.yaml: the library (list, one item with
// where it is used, alt and caption, delete) and uploads, which go through
// XMLHttpRequest for its upload progress, with the same token and the same
// refresh-on-401 as every other request.
import { ApiError, authorization, renewSession, request, route, sessionSignal } from './client';
import type { Media, MediaChanges, MediaDetail, MediaPage, MediaQuery, Problem, Uploaded } from './types';

const ifMatch = (version: number) => ({ 'If-Match': `"${version}"` });

export async function listMedia(query: MediaQuery): Promise<MediaPage> {
  const params = new URLSearchParams({ limit: String(query.limit ?? 30) });
  if (query.before) params.set('before', query.before);
  if (query.type) params.set('type', query.type);
  if (query.q) params.set('q', query.q);
  return (await request<MediaPage>(`${route('/api/v1/admin/media')}?${params}`)).data;
}

export async function getMedia(id: string): Promise<MediaDetail> {
  return (await request<{ media: MediaDetail }>(route('/api/v1/admin/media/{id}', { id }))).data.media;
}

export async function updateMedia(id: string, version: number, changes: MediaChanges): Promise<Media> {
  const path = route('/api/v1/admin/media/{id}', { id });
  return (await request<{ media: Media }>(path, { method: 'PATCH', body: changes, headers: ifMatch(version) })).data.media;
}

/** Refused with 409 (its problem's `used_by`) while posts use it, unless forced. */
export async function deleteMedia(id: string, version: number, force = false): Promise<void> {
  const path = route('/api/v1/admin/media/{id}', { id }) + (force ? '?force=true' : '');
  await request<null>(path, { method: 'DELETE', headers: ifMatch(version) });
}

/** The address the Markdown uses: the path the item's `url` ends with. */
export function mediaPath(media: Pick<Media, 'url'>): string {
  try {
    return new URL(media.url, window.location.origin).pathname;
  } catch {
    return media.url;
  }
}

/** `![alt](/media/…)`, with the characters that would end the alt text escaped. */
export function mediaMarkdown(media: Pick<Media, 'url'>, alt: string): string {
  const text = alt.replace(/[\r\n]+/g, ' ').replace(/([\\[\]])/g, '\\$1');
  return `![${text}](${mediaPath(media)})`;
}

export interface Upload {
  promise: Promise<Media>;
  abort: () => void;
}

/**
 * Uploads one file as multipart/form-data; `onProgress` gets the fraction
 * sent (0 to 1). A 401 refreshes the session (or waits for a new sign-in)
 * and sends again; any other refusal rejects with the API's problem.
 */
export function uploadMedia(file: File, fields: { alt?: string; caption?: string }, onProgress: (sent: number) => void): Upload {
  let current: XMLHttpRequest | null = null;
  let aborted = false;
  const sendOnce = () =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      current = xhr;
      xhr.open('POST', route('/api/v1/admin/media'));
      xhr.setRequestHeader('Accept', 'application/json');
      for (const [name, value] of Object.entries(authorization())) xhr.setRequestHeader(name, value);
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
      };
      xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
      xhr.onerror = () => reject(new TypeError('network'));
      xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
      // Signing out cancels it, as it does every other request.
      const signal = sessionSignal();
      const cancel = () => xhr.abort();
      signal.addEventListener('abort', cancel, { once: true });
      xhr.onloadend = () => signal.removeEventListener('abort', cancel);
      const form = new FormData();
      form.append('file', file, file.name);
      if (fields.alt) form.append('alt', fields.alt);
      if (fields.caption) form.append('caption', fields.caption);
      onProgress(0);
      xhr.send(form);
    });
  const promise = (async () => {
    let answer = await sendOnce();
    while (answer.status === 401 && !aborted) {
      await renewSession();
      answer = await sendOnce();
    }
    const json = parseJson(answer.text);
    if (answer.status !== 201) throw new ApiError(answer.status, (json && typeof json === 'object' ? json : { title: answer.text.slice(0, 200) }) as Problem);
    onProgress(1);
    return (json as Uploaded).media;
  })();
  return {
    promise,
    abort: () => {
      aborted = true;
      current?.abort();
    },
  };
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** "1.4 MB": sizes for people. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
