// The media library at /admin/media: the uploads, newest first, and one
// item's details at /admin/media/ID: preview, facts, the posts that use it,
// alt text and caption (If-Match), its Markdown, and deleting it (a 409
// names the posts; editors and admins may then force it).
import { useEffect, useState } from 'preact/hooks';
import { ApiError, errorText } from '../api/client';
import { deleteMedia, formatBytes, getMedia, mediaMarkdown, updateMedia } from '../api/media';
import type { MediaDetail, MediaUse, User } from '../api/types';
import { formatTime, statusLabel } from '../format';
import { BASE, navigate } from '../router';
import { MediaBrowser, thumbnailUrl } from './MediaBrowser';
import '../styles/media.css';

export function MediaLibrary(props: { user: User; id: string | null }) {
  const [reload, setReload] = useState(0);
  return (
    <main class="page media-page">
      <div class="page-head">
        <h1>Media</h1>
        <p class="muted small">Drop or paste an image into a post's text to upload it.</p>
      </div>
      <div class={props.id ? 'media-layout with-details' : 'media-layout'}>
        <MediaBrowser label="Media items" selected={props.id} reload={reload} onSelect={(m) => navigate(`/media/${m.id}`)} />
        {props.id && (
          <MediaDetails
            key={props.id}
            id={props.id}
            user={props.user}
            onChanged={() => setReload((n) => n + 1)}
            onDeleted={() => {
              setReload((n) => n + 1);
              navigate('/media');
            }}
          />
        )}
      </div>
    </main>
  );
}

const mayForce = (user: User) => user.role === 'editor' || user.role === 'admin';

function MediaDetails(props: { id: string; user: User; onChanged: () => void; onDeleted: () => void }) {
  const [item, setItem] = useState<MediaDetail | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [alt, setAlt] = useState('');
  const [caption, setCaption] = useState('');
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  // Deleting: 'ask' confirms, 'used' shows the posts after a 409, 'force' confirms forcing.
  const [deleting, setDeleting] = useState<null | 'ask' | 'used' | 'force'>(null);
  const [usedBy, setUsedBy] = useState<MediaUse[]>([]);
  const [copied, setCopied] = useState(false);

  const load = async () => {
    try {
      const media = await getMedia(props.id);
      setItem(media);
      setAlt(media.alt ?? '');
      setCaption(media.caption ?? '');
    } catch (e) {
      setLoadError(e instanceof ApiError && e.status === 404 ? 'There is no such media item, or it is not yours to see.' : errorText(e));
    }
  };
  useEffect(() => {
    void load();
  }, [props.id]);

  if (loadError) {
    return (
      <section class="media-details" aria-label="Media details">
        <p class="error" role="alert">
          {loadError}
        </p>
        <a href={`${BASE}/media`}>Close</a>
      </section>
    );
  }
  if (!item) {
    return (
      <section class="media-details" aria-label="Media details">
        <p role="status">Loading…</p>
      </section>
    );
  }

  const save = async (event: Event) => {
    event.preventDefault();
    setSaving(true);
    setMessage(null);
    try {
      const updated = await updateMedia(item.id, item.version, { alt: alt.trim() || null, caption: caption.trim() || null });
      setItem({ ...item, ...updated });
      setMessage({ text: 'Saved.', error: false });
      props.onChanged();
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) {
        await load();
        setMessage({ text: 'Someone changed this item first: here it is as it now is. Make your change again.', error: true });
      } else {
        setMessage({ text: errorText(e), error: true });
      }
    } finally {
      setSaving(false);
    }
  };

  const remove = async (force: boolean) => {
    setMessage(null);
    try {
      await deleteMedia(item.id, item.version, force);
      props.onDeleted();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        setUsedBy(e.problem.used_by ?? []);
        setDeleting('used');
      } else if (e instanceof ApiError && e.status === 412) {
        setDeleting(null);
        await load();
        setMessage({ text: 'Someone changed this item first: look again before deleting it.', error: true });
      } else {
        setDeleting(null);
        setMessage({ text: errorText(e), error: true });
      }
    }
  };

  const markdown = mediaMarkdown(item, item.alt ?? '');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(markdown);
      setCopied(true);
    } catch {
      setMessage({ text: 'The browser refused the clipboard: select the Markdown above and copy it.', error: true });
    }
  };
  const isImage = item.content_type.startsWith('image/');
  const preview = thumbnailUrl(item);
  const srcset = item.renditions
    .filter((r) => r.format === 'webp')
    .map((r) => `${r.url} ${r.width}w`)
    .join(', ');

  return (
    <section class="media-details" aria-labelledby="media-details-title" data-testid="media-details">
      <div class="media-details-head">
        <h2 id="media-details-title">{item.filename}</h2>
        <a href={`${BASE}/media`} class="close" aria-label="Close the details">
          Close
        </a>
      </div>
      {isImage && preview ? (
        <img class="media-preview" src={preview} srcset={srcset || undefined} sizes="24rem" alt={item.alt ?? ''} />
      ) : (
        <p>
          <a href={item.url} target="_blank" rel="noopener">
            Open the file
          </a>
        </p>
      )}
      {item.has_location && (
        <p class="location-warning" role="note" data-testid="location-warning">
          This original contains GPS location data; the resized versions do not. Anyone with the original's address can read where it was
          taken.
        </p>
      )}
      <dl class="media-facts">
        <dt>Type</dt>
        <dd>{item.content_type}</dd>
        <dt>Size</dt>
        <dd>{formatBytes(item.bytes)}</dd>
        {item.width && item.height && (
          <>
            <dt>Dimensions</dt>
            <dd>
              {item.width} × {item.height} pixels
            </dd>
          </>
        )}
        <dt>Uploaded</dt>
        <dd>{formatTime(item.created_at)}</dd>
      </dl>
      <h3>Used by</h3>
      <UsedBy posts={item.used_by} testId="media-used-by" />
      <form class="media-form" onSubmit={(e) => void save(e)}>
        <div class="field">
          <label for="media-alt">Alt text</label>
          <input id="media-alt" value={alt} maxLength={1000} onInput={(e) => setAlt(e.currentTarget.value)} aria-describedby="media-alt-hint" />
          <p class="muted small" id="media-alt-hint">
            What the image shows, for people who cannot see it.
          </p>
        </div>
        <div class="field">
          <label for="media-caption">Caption</label>
          <textarea id="media-caption" rows={2} value={caption} maxLength={2000} onInput={(e) => setCaption(e.currentTarget.value)} />
        </div>
        <div class="actions">
          <button type="submit" class="primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save alt text and caption'}
          </button>
        </div>
      </form>
      {message && (
        <p class={message.error ? 'error' : 'ok'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      {isImage && (
        <div class="field media-markdown">
          <label for="media-markdown">Markdown</label>
          <div class="inline">
            <input id="media-markdown" readOnly value={markdown} onFocus={(e) => e.currentTarget.select()} />
            <button type="button" onClick={() => void copy()}>
              {copied ? 'Copied' : 'Copy Markdown'}
            </button>
          </div>
        </div>
      )}
      <div class="media-delete">
        {deleting === null && (
          <button type="button" class="danger" onClick={() => setDeleting('ask')}>
            Delete…
          </button>
        )}
        {deleting === 'ask' && (
          <div role="group" aria-label="Confirm deleting">
            <p>Delete {item.filename}? This cannot be undone.</p>
            <button type="button" class="danger" onClick={() => void remove(false)}>
              Delete
            </button>{' '}
            <button type="button" onClick={() => setDeleting(null)}>
              Cancel
            </button>
          </div>
        )}
        {(deleting === 'used' || deleting === 'force') && (
          <div role="alert" class="media-in-use" data-testid="media-delete-refused">
            <p>Not deleted: these posts use it.</p>
            <UsedBy posts={usedBy} testId="media-delete-used-by" />
            {mayForce(props.user) ? (
              deleting === 'used' ? (
                <button type="button" class="danger" onClick={() => setDeleting('force')}>
                  Delete anyway…
                </button>
              ) : (
                <div role="group" aria-label="Confirm deleting anyway">
                  <p>Their images will no longer show. Delete it anyway?</p>
                  <button type="button" class="danger" onClick={() => void remove(true)}>
                    Yes, delete it
                  </button>{' '}
                  <button type="button" onClick={() => setDeleting(null)}>
                    Cancel
                  </button>
                </div>
              )
            ) : (
              <p class="muted small">Remove it from these posts first, or ask an editor.</p>
            )}
          </div>
        )}
      </div>
    </section>
  );
}

function UsedBy(props: { posts: MediaUse[]; testId: string }) {
  if (props.posts.length === 0) return <p class="muted small">No post uses it.</p>;
  return (
    <ul class="used-by" data-testid={props.testId}>
      {props.posts.map((post) => (
        <li>
          <a href={`${BASE}/posts/${post.id}`}>{post.title}</a> <span class={`badge ${post.status}`}>{statusLabel(post.status, false)}</span>
        </li>
      ))}
    </ul>
  );
}
