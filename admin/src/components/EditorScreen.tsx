// The editor screen: one PostSession per open post (kept when a new post
// gets its id), the text editor and preview side by side, the post's
// fields and status actions in the side bar, and the conflict view.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, errorText } from '../api/client';
import { listTerms } from '../api/posts';
import type { TermChoice, User } from '../api/types';
import { sessionExpired } from '../auth';
import type { Draft } from '../editor/draft';
import { PostSession, type EditorState } from '../editor/session';
import { BASE, navigate } from '../router';
import { useStore } from '../store';
import { ConflictView } from './ConflictView';
import { HistoryPanel } from './HistoryPanel';
import { useImageUploads } from './ImageUpload';
import { MarkdownEditor } from './MarkdownEditor';
import { PostFieldsPanel } from './PostFieldsPanel';
import { Preview, TableOfContents, usePreview } from './Preview';
import { StatusActions } from './StatusActions';
import { TitleField } from './TitleField';

export function EditorScreen(props: { routeId: string | null; user: User }) {
  const open = (id: string | null) =>
    new PostSession(id, (post) => navigate(`/posts/${post.id}`, { replace: true }));
  const [session, setSession] = useState(() => open(props.routeId));

  useEffect(() => {
    if (props.routeId === session.openedAs) return;
    if (props.routeId !== null && props.routeId === session.id) return; // just created
    setSession(open(props.routeId));
  }, [props.routeId]);

  useEffect(() => {
    const beforeUnload = (event: BeforeUnloadEvent) => {
      if (!session.isDirty()) return;
      event.preventDefault();
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', beforeUnload);
    return () => {
      window.removeEventListener('beforeunload', beforeUnload);
      session.dispose();
    };
  }, [session]);

  return <Editor key={session.uid} session={session} user={props.user} />;
}

function Editor(props: { session: PostSession; user: User }) {
  const { session } = props;
  const state = useStore(session.state);
  const { rendered, error: previewError } = usePreview(state.draft.markdown);
  const terms = useTerms();
  const isNew = state.post === null && !state.loading;
  const uploads = useImageUploads();
  const [history, setHistory] = useState(false);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      // The text editor handles its own Mod-s (and marks it handled).
      if (event.defaultPrevented) return;
      if ((event.metaKey || event.ctrlKey) && event.key.toLowerCase() === 's') {
        event.preventDefault();
        void session.saveNow();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [session]);

  if (state.loading) {
    return (
      <main class="page">
        <p role="status">Loading the post…</p>
      </main>
    );
  }
  if (state.loadError) {
    return (
      <main class="page">
        <h1>Cannot open this post</h1>
        <p class="error" role="alert">
          {state.loadError}
        </p>
        <p>
          <a href={`${BASE}/posts`}>Back to the posts</a>
        </p>
      </main>
    );
  }

  const update = (changes: Partial<Draft>) => session.update(changes);
  const fieldError = (field: string) => (state.error instanceof ApiError ? state.error.fieldMessage(field) : null);
  const conflict = state.conflict;
  const showHistory = history && state.post !== null && conflict === null;

  return (
    <main class="editor-page" data-testid="editor">
      <div class="editor-head">
        <a href={`${BASE}/posts`} class="back">
          ← Posts
        </a>
        <span class={`badge ${state.post?.status ?? 'new'}`} data-testid="post-status">
          {state.post ? state.post.status : 'new'}
        </span>
        <span class="muted" data-testid="post-version">
          {state.version !== null ? `Version ${state.version}` : 'Not saved yet'}
        </span>
        <SaveStatus state={state} />
        {state.post && (
          <button type="button" aria-pressed={showHistory} onClick={() => setHistory(!history)} disabled={conflict !== null}>
            History
          </button>
        )}
        <button type="button" onClick={() => void session.saveNow()} title="Save now (Ctrl+S or ⌘S)" disabled={conflict !== null}>
          Save now
        </button>
      </div>
      {state.notice && (
        <p class="notice" role="status" data-testid="restored-notice">
          {state.notice}
          <button type="button" class="link" onClick={() => session.dismissNotice()}>
            Dismiss
          </button>
        </p>
      )}
      {conflict && (
        <ConflictView
          theirs={conflict.theirs}
          mine={conflict.mine}
          onKeepMine={() => void session.keepMine()}
          onTakeTheirs={() => session.takeTheirs()}
          onSaveMerged={(markdown) => void session.saveMerged(markdown)}
        />
      )}
      {showHistory && state.post && (
        <HistoryPanel
          session={session}
          post={state.post}
          current={state.draft}
          user={props.user}
          busy={state.busy !== null}
          onClose={() => setHistory(false)}
        />
      )}
      {uploads.dialog}
      <div class="editor-grid" hidden={conflict !== null || showHistory}>
        <section class="compose" aria-label="Write">
          <TitleField value={state.draft.title} invalid={fieldError('title') !== null} focus={isNew} onChange={(title) => update({ title })} />
          {fieldError('title') && <p class="field-error">{fieldError('title')}</p>}
          <MarkdownEditor
            value={state.draft.markdown}
            revision={state.docRevision}
            onChange={(markdown) => markdown !== session.state.get().draft.markdown && update({ markdown })}
            onSave={() => void session.saveNow()}
            onFiles={uploads.onFiles}
          />
          {fieldError('markdown') && <p class="field-error">{fieldError('markdown')}</p>}
        </section>
        <Preview title={state.draft.title} rendered={rendered} error={previewError} />
        <aside class="sidebar" aria-label="Post settings">
          <StatusActions session={session} state={state} user={props.user} />
          <TableOfContents rendered={rendered} />
          <PostFieldsPanel draft={state.draft} post={state.post} terms={terms} fieldError={fieldError} update={update} />
        </aside>
      </div>
    </main>
  );
}

function SaveStatus(props: { state: EditorState }) {
  const expired = useStore(sessionExpired);
  const { save, error } = props.state;
  let text: string;
  if (expired && save !== 'saved') text = 'Signed out: sign in to save';
  else if (save === 'saving') text = 'Saving…';
  else if (save === 'saved') text = 'Saved';
  else if (save === 'new') text = 'New post: not saved yet';
  else if (save === 'dirty') text = 'Unsaved changes';
  else if (save === 'needs-title') text = 'Unsaved changes: add a title to save';
  else if (save === 'offline') text = 'Offline: kept in this browser, retrying';
  else if (save === 'conflict') text = 'Not saved: someone else saved first';
  else text = `Not saved: ${errorText(error)}`;
  return (
    <span class={`save-status save-${save}`} role="status" aria-live="polite" data-testid="save-status">
      {text}
    </span>
  );
}

export interface Terms {
  tags: TermChoice[];
  categories: TermChoice[];
  authors: TermChoice[];
}

function useTerms(): Terms {
  const [terms, setTerms] = useState<Terms>({ tags: [], categories: [], authors: [] });
  useEffect(() => {
    const none = () => [] as TermChoice[];
    void Promise.all([listTerms('tags').catch(none), listTerms('categories').catch(none), listTerms('authors').catch(none)]).then(
      ([tags, categories, authors]) => setTerms({ tags, categories, authors }),
    );
  }, []);
  return terms;
}
