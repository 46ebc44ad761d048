// Publish, unpublish, schedule and trash, as the post's status and the
// user's role allow: a contributor sees no publish or schedule action.
import { useState } from 'preact/hooks';
import type { User } from '../api/types';
import { mayPublish } from '../auth';
import type { EditorState, PostSession } from '../editor/session';
import { formatTime, localToRfc3339, rfc3339ToLocal } from '../format';
import { navigate } from '../router';

interface Props {
  session: PostSession;
  state: EditorState;
  user: User;
}

export function StatusActions({ session, state, user }: Props) {
  const [when, setWhen] = useState(() => rfc3339ToLocal(new Date(Date.now() + 3600_000).toISOString()));
  const [problem, setProblem] = useState<string | null>(null);
  const status = state.post?.status ?? 'draft';
  const busy = state.busy !== null || state.conflict !== null;
  const canPublish = mayPublish(user.role);

  function schedule(event: Event) {
    event.preventDefault();
    const at = localToRfc3339(when);
    if (!at || new Date(at).getTime() <= Date.now()) {
      setProblem('Pick a time in the future.');
      return;
    }
    setProblem(null);
    void session.move('schedule', at);
  }

  async function trash() {
    if (await session.trash()) navigate('/posts');
  }

  return (
    <section class="status-actions" aria-label="Status" data-testid="status-actions">
      <h2>Status</h2>
      {state.post?.status === 'scheduled' && state.post.published_at && (
        <p data-testid="scheduled-at">Goes live {formatTime(state.post.published_at)}.</p>
      )}
      {state.post?.status === 'published' && state.post.published_at && <p>Published {formatTime(state.post.published_at)}.</p>}
      {!canPublish && <p class="muted">A contributor's post is published by an editor.</p>}
      <div class="actions">
        {canPublish && status !== 'published' && (
          <button type="button" class="primary" disabled={busy} onClick={() => void session.move('publish')}>
            {state.busy === 'publish' ? 'Publishing…' : status === 'scheduled' ? 'Publish now' : 'Publish'}
          </button>
        )}
        {(status === 'published' || status === 'scheduled') && state.post && (
          <button type="button" disabled={busy} onClick={() => void session.move('unpublish')}>
            {state.busy === 'unpublish' ? 'Unpublishing…' : 'Unpublish'}
          </button>
        )}
      </div>
      {canPublish && status === 'draft' && (
        <form class="schedule" onSubmit={schedule}>
          <label>
            Publish at
            <input type="datetime-local" value={when} required onInput={(e) => setWhen(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={busy}>
            {state.busy === 'schedule' ? 'Scheduling…' : 'Schedule'}
          </button>
        </form>
      )}
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      {state.post && (
        <button type="button" class="danger" disabled={busy} onClick={() => void trash()}>
          {state.busy === 'trash' ? 'Moving to trash…' : 'Move to trash'}
        </button>
      )}
    </section>
  );
}
