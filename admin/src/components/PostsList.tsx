// The posts list: status tabs, tag and author filters, search, and keyset
// paging with the API's next_cursor.
import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../api/client';
import { listPosts, listTerms, restorePost, type PostQuery } from '../api/posts';
import type { AdminPost, PostStatus, TermChoice, User } from '../api/types';
import { formatShortTime, statusLabel } from '../format';
import { BASE, navigate } from '../router';

type Tab = 'all' | PostStatus | 'trash';
const tabs: { id: Tab; label: string }[] = [
  { id: 'all', label: 'All' },
  { id: 'draft', label: 'Drafts' },
  { id: 'scheduled', label: 'Scheduled' },
  { id: 'published', label: 'Published' },
  { id: 'trash', label: 'Trash' },
];

interface Filters {
  tab: Tab;
  tag: string;
  author: string;
  q: string;
}

export function PostsList(props: { user: User }) {
  const [filters, setFilters] = useState<Filters>({ tab: 'all', tag: '', author: '', q: '' });
  const [search, setSearch] = useState('');
  // The cursors of the pages before this one, for "Previous page".
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<{ posts: AdminPost[]; next: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tags, setTags] = useState<TermChoice[]>([]);
  const [authors, setAuthors] = useState<TermChoice[]>([]);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    listTerms('tags').then(setTags, () => setTags([]));
    listTerms('authors').then(setAuthors, () => setAuthors([]));
  }, []);

  const after = cursors[cursors.length - 1];
  useEffect(() => {
    let live = true;
    setError(null);
    const query: PostQuery = {
      status: filters.tab === 'all' || filters.tab === 'trash' ? undefined : filters.tab,
      trashed: filters.tab === 'trash',
      tag: filters.tag || undefined,
      author: filters.author || undefined,
      q: filters.q || undefined,
      after,
    };
    listPosts(query).then(
      (result) => live && setPage({ posts: result.posts, next: result.meta.pagination.next_cursor }),
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [filters, after, reload]);

  function change(next: Partial<Filters>) {
    setFilters({ ...filters, ...next });
    setCursors([undefined]);
    setPage(null);
  }

  async function restore(post: AdminPost) {
    try {
      await restorePost(post.id);
      setReload(reload + 1);
    } catch (e) {
      setError(errorText(e));
    }
  }

  return (
    <main class="page posts-page">
      <div class="page-head">
        <h1>Posts</h1>
        <button type="button" class="primary" onClick={() => navigate('/posts/new')}>
          New post
        </button>
      </div>
      <div class="tabs" role="tablist" aria-label="Status">
        {tabs.map((tab) => (
          <button
            type="button"
            role="tab"
            aria-selected={filters.tab === tab.id}
            class={filters.tab === tab.id ? 'tab selected' : 'tab'}
            onClick={() => change({ tab: tab.id })}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <div class="filters">
        <form
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            change({ q: search.trim() });
          }}
        >
          <label>
            Search
            <input type="search" value={search} placeholder="Title or slug" onInput={(e) => setSearch(e.currentTarget.value)} />
          </label>
          <button type="submit">Search</button>
        </form>
        <label>
          Tag
          <select value={filters.tag} onChange={(e) => change({ tag: e.currentTarget.value })}>
            <option value="">Any tag</option>
            {tags.map((t) => (
              <option value={t.slug}>{t.name}</option>
            ))}
          </select>
        </label>
        <label>
          Author
          <select value={filters.author} onChange={(e) => change({ author: e.currentTarget.value })}>
            <option value="">Any author</option>
            {authors.map((a) => (
              <option value={a.slug}>{a.name}</option>
            ))}
          </select>
        </label>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {page === null && !error && <p role="status">Loading…</p>}
      {page && page.posts.length === 0 && <p class="empty">No posts here.</p>}
      {page && page.posts.length > 0 && (
        <table class="posts" data-testid="posts-table">
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Status</th>
              <th scope="col">Authors</th>
              <th scope="col" class="nowrap">Updated</th>
              <th scope="col" class="nowrap">Reading time</th>
            </tr>
          </thead>
          <tbody>
            {page.posts.map((post) => (
              <tr data-testid="post-row" data-post-id={post.id}>
                <td>
                  {filters.tab === 'trash' ? (
                    <span>{post.title}</span>
                  ) : (
                    <a href={`${BASE}/posts/${post.id}`}>{post.title}</a>
                  )}
                </td>
                <td class="nowrap">
                  <span class={`badge ${post.deleted_at ? 'trash' : post.status}`} data-testid="post-status">
                    {statusLabel(post.status, post.deleted_at !== null)}
                  </span>
                  {post.status === 'scheduled' && post.published_at && <span class="muted when">{formatShortTime(post.published_at)}</span>}
                </td>
                <td>{post.authors.length > 0 ? post.authors.map((a) => a.name).join(', ') : <span class="muted">None</span>}</td>
                <td class="nowrap">{formatShortTime(post.updated_at)}</td>
                <td class="nowrap">
                  {post.reading_time_minutes} min
                  {filters.tab === 'trash' && (
                    <button type="button" class="row-action" onClick={() => void restore(post)} aria-label={`Restore ${post.title}`}>
                      Restore
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
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
      <p class="muted small">Signed in as {props.user.email}.</p>
    </main>
  );
}
