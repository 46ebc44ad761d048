// A page of media items to choose from: search by file name or alt text,
// a type filter, newest first with keyset pages (the list's next_before).
// The library screen and the feature image picker both show one.
import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../api/client';
import { listMedia } from '../api/media';
import type { Media } from '../api/types';
import '../styles/media.css';

export type MediaType = '' | 'image' | 'file';

/** The smallest picture of an item that still fills a thumbnail. */
export function thumbnailUrl(media: Media): string | null {
  if (!media.content_type.startsWith('image/')) return null;
  const small = [...media.renditions].reverse().find((r) => r.format === 'webp' && r.width >= 320) ?? media.renditions.at(-1);
  return small?.url ?? media.url;
}

interface Props {
  /** The item shown as chosen. */
  selected: string | null;
  onSelect: (media: Media) => void;
  /** Fixed type (the picker wants images only); otherwise the person picks. */
  type?: MediaType;
  /** Moves on to load the first page again (after an edit or a delete). */
  reload?: number;
  /** Accessible name of the list. */
  label: string;
}

export function MediaBrowser(props: Props) {
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [type, setType] = useState<MediaType>(props.type ?? '');
  // The `before` of each page up to this one, for "Previous page".
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<{ items: Media[]; next: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const before = cursors[cursors.length - 1];

  useEffect(() => {
    let live = true;
    setError(null);
    listMedia({ q: q || undefined, type: type || undefined, before, limit: 24 }).then(
      (result) => live && setPage({ items: result.media, next: result.meta.pagination.next_before }),
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [q, type, before, props.reload]);

  const restart = () => {
    setCursors([undefined]);
    setPage(null);
  };

  return (
    <div class="media-browser">
      <div class="filters">
        <form
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            setQ(search.trim());
            restart();
          }}
        >
          <label>
            Search media
            <input type="search" value={search} placeholder="File name or alt text" onInput={(e) => setSearch(e.currentTarget.value)} />
          </label>
          <button type="submit">Search</button>
        </form>
        {props.type === undefined && (
          <label>
            Type
            <select
              value={type}
              onChange={(e) => {
                setType(e.currentTarget.value as MediaType);
                restart();
              }}
            >
              <option value="">Images and files</option>
              <option value="image">Images</option>
              <option value="file">Files (PDF)</option>
            </select>
          </label>
        )}
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {page === null && !error && <p role="status">Loading…</p>}
      {page && page.items.length === 0 && <p class="empty">{q ? 'Nothing matches this search.' : 'No media here yet.'}</p>}
      {page && page.items.length > 0 && (
        <ul class="media-grid" aria-label={props.label} data-testid="media-grid">
          {page.items.map((item) => {
            const thumb = thumbnailUrl(item);
            return (
              <li>
                <button
                  type="button"
                  class={item.id === props.selected ? 'media-tile selected' : 'media-tile'}
                  aria-pressed={item.id === props.selected}
                  data-testid="media-item"
                  onClick={() => props.onSelect(item)}
                >
                  {thumb ? <img src={thumb} alt="" loading="lazy" /> : <span class="media-file-icon">PDF</span>}
                  <span class="media-name">{item.filename}</span>
                  {item.alt ? <span class="visually-hidden">, {item.alt}</span> : <span class="media-no-alt">No alt text</span>}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <div class="pager">
        {cursors.length > 1 && (
          <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous page
          </button>
        )}
        {page?.next && (
          <button type="button" onClick={() => setCursors([...cursors, page.next ?? undefined])}>
            Next page
          </button>
        )}
      </div>
    </div>
  );
}
