// The post's history: its revisions newest first (older ones a page at a
// time), who saved each and when, one revision's differences from the
// current text by line and by word, and restoring it as a new revision.
import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../api/client';
import { listRevisions } from '../api/revisions';
import type { AdminPost, Revision, User } from '../api/types';
import { diffRows, type Piece } from '../editor/diff';
import type { PostSession } from '../editor/session';
import { formatTime } from '../format';
import '../styles/history.css';

interface Props {
  session: PostSession;
  post: AdminPost;
  /** The text in the editor now, saved or not. */
  current: { title: string; markdown: string };
  user: User;
  busy: boolean;
  onClose: () => void;
}

export function HistoryPanel(props: Props) {
  const [revisions, setRevisions] = useState<Revision[] | null>(null);
  const [nextBefore, setNextBefore] = useState<number | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  const loadFirst = async () => {
    try {
      const page = await listRevisions(props.post.id);
      setRevisions(page.revisions);
      setNextBefore(page.nextBefore);
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  };
  useEffect(() => {
    void loadFirst();
  }, [props.post.id]);

  const loadOlder = async () => {
    if (nextBefore === null || !revisions) return;
    setLoadingMore(true);
    try {
      const page = await listRevisions(props.post.id, nextBefore);
      setRevisions([...revisions, ...page.revisions.filter((r) => !revisions.some((k) => k.number === r.number))]);
      setNextBefore(page.nextBefore);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setLoadingMore(false);
    }
  };

  const who = (r: Revision) => {
    if (r.user_id === null) return 'an account since deleted';
    if (r.user_id === props.user.id) return 'you';
    return r.user_name ?? 'another writer';
  };

  const restore = async (r: Revision) => {
    setNotice(null);
    const ok = await props.session.restoreRevision(r.number);
    if (!ok) return; // a conflict (the view opens) or an error under the save status
    await loadFirst();
    setSelected(null);
    setNotice(`Revision ${r.number} restored: it is the current text again, saved as a new revision.`);
  };

  const shown = revisions?.find((r) => r.number === selected) ?? null;
  return (
    <section class="history" aria-labelledby="history-title" data-testid="history">
      <div class="history-head">
        <h2 id="history-title">History</h2>
        <button type="button" onClick={props.onClose}>
          Back to the editor
        </button>
      </div>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="history-body">
        <nav aria-label="Revisions" class="revision-list">
          {revisions === null && !error && <p role="status">Loading…</p>}
          {revisions && revisions.length === 0 && <p class="muted">No revisions yet.</p>}
          {revisions && revisions.length > 0 && (
            <ol>
              {revisions.map((r, i) => {
                return (
                  <li>
                    <button
                      type="button"
                      class={r.number === selected ? 'revision selected' : 'revision'}
                      aria-pressed={r.number === selected}
                      data-testid="revision"
                      onClick={() => setSelected(r.number)}
                    >
                      <span class="revision-number">
                        Revision {r.number}
                        {i === 0 && r.markdown === props.post.markdown && r.title === props.post.title && (
                          <span class="badge"> latest</span>
                        )}
                      </span>
                      <span class="revision-meta">
                        {who(r)}, {formatTime(r.updated_at)} · {r.metadata.status}
                      </span>
                      <span class="revision-title">{r.title}</span>
                    </button>
                  </li>
                );
              })}
            </ol>
          )}
          {nextBefore !== null && (
            <button type="button" onClick={() => void loadOlder()} disabled={loadingMore}>
              Older revisions
            </button>
          )}
        </nav>
        <div class="revision-diff">
          {shown ? (
            <RevisionDiff revision={shown} current={props.current} busy={props.busy} onRestore={() => void restore(shown)} />
          ) : (
            <p class="muted">Choose a revision to see how it differs from the current text.</p>
          )}
        </div>
      </div>
    </section>
  );
}

function Pieces(props: { pieces: Piece[] }) {
  return (
    <>
      {props.pieces.map((p) =>
        p.kind === 'removed' ? (
          <mark class="only-revision">{p.text}</mark>
        ) : p.kind === 'added' ? (
          <mark class="only-current">{p.text}</mark>
        ) : (
          <span>{p.text}</span>
        ),
      )}
    </>
  );
}

function RevisionDiff(props: { revision: Revision; current: { title: string; markdown: string }; busy: boolean; onRestore: () => void }) {
  const { revision, current } = props;
  const rows = diffRows(revision.markdown, current.markdown);
  const same = revision.markdown === current.markdown && revision.title === current.title;
  return (
    <div data-testid="revision-diff">
      <div class="revision-actions">
        <p>
          Revision {revision.number}: <strong>{revision.title}</strong>
        </p>
        <button type="button" class="primary" onClick={props.onRestore} disabled={props.busy || same}>
          Restore this version
        </button>
      </div>
      {revision.title !== current.title && (
        <p class="conflict-titles">
          Title — this revision: <mark class="only-revision">{revision.title}</mark> now: <mark class="only-current">{current.title}</mark>
        </p>
      )}
      {same ? (
        <p class="muted">This revision is the current text.</p>
      ) : (
        <>
          <p class="legend muted small">
            <mark class="only-revision">Only in revision {revision.number}</mark> <mark class="only-current">Only in the current text</mark>
          </p>
          <div class="diff" role="table" aria-label={`Differences between revision ${revision.number} and the current text`}>
            <div class="diff-row diff-head" role="row">
              <div role="columnheader">Revision {revision.number}</div>
              <div role="columnheader">Current text</div>
            </div>
            {rows.map((row) => (
              <div class={`diff-row ${row.kind}`} role="row">
                <pre role="cell" data-testid="revision-old">
                  <Pieces pieces={row.theirs} />
                </pre>
                <pre role="cell" data-testid="revision-new">
                  <Pieces pieces={row.mine} />
                </pre>
              </div>
            ))}
          </div>
        </>
      )}
    </div>
  );
}
