// One open post: the draft, what the server has, autosave with If-Match,
// the local copy, conflicts and status moves. The screen renders its state
// and calls its methods; nothing here touches the DOM.
import { ApiError } from '../api/client';
import { createPost, getPost, loadPost, movePost, trashPost, updatePost, type StatusMove } from '../api/posts';
import { restoreRevision } from '../api/revisions';
import type { AdminPost } from '../api/types';
import { createStore, type Store } from '../store';
import { clearLocalCopy, draftFromPost, emptyDraft, fieldsFromDraft, readLocalCopy, rebaseLocalCopy, sameDraft, writeLocalCopy, type Draft } from './draft';

export const AUTOSAVE_MS = 2000;
const OFFLINE_RETRY_MS = 5000;

export type SaveState = 'new' | 'saved' | 'dirty' | 'saving' | 'error' | 'conflict' | 'needs-title' | 'offline';

export interface Conflict {
  theirs: AdminPost;
  mine: Draft;
}

export interface EditorState {
  loading: boolean;
  loadError: string | null;
  post: AdminPost | null;
  /** The If-Match of the next write. */
  version: number | null;
  draft: Draft;
  /** The draft as the server has it at `version`. */
  saved: Draft;
  save: SaveState;
  error: unknown;
  notice: string | null;
  conflict: Conflict | null;
  /** Moves on when the Markdown is replaced from outside the text editor. */
  docRevision: number;
  busy: string | null;
}

let sessions = 0;

export class PostSession {
  /** Tells one opened post from the next, for component keys. */
  readonly uid = ++sessions;
  readonly state: Store<EditorState>;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: Promise<void> | null = null;
  private again = false;
  private disposed = false;
  private readonly idempotencyKey = crypto.randomUUID();

  constructor(
    /** The id it was opened with (null: a new post). */
    readonly openedAs: string | null,
    private readonly onCreated: (post: AdminPost) => void,
  ) {
    this.state = createStore<EditorState>({
      loading: openedAs !== null,
      loadError: null,
      post: null,
      version: null,
      draft: emptyDraft,
      saved: emptyDraft,
      save: openedAs === null ? 'new' : 'saved',
      error: null,
      notice: null,
      conflict: null,
      docRevision: 0,
      busy: null,
    });
    void this.load(openedAs);
  }

  get id(): string | null {
    return this.state.get().post?.id ?? null;
  }

  private patch(changes: Partial<EditorState>): void {
    if (!this.disposed) this.state.set({ ...this.state.get(), ...changes });
  }

  /** Unsaved work: a draft the server does not have, or a save under way. */
  isDirty(): boolean {
    const s = this.state.get();
    return this.inFlight !== null || !sameDraft(s.draft, s.saved) || (s.post === null && s.draft.markdown !== '');
  }

  private async load(id: string | null): Promise<void> {
    if (id === null) {
      const local = readLocalCopy(null);
      if (local && !sameDraft(local.draft, emptyDraft)) {
        this.patch({ draft: local.draft, save: 'dirty', notice: restoredNotice(local.savedAt), docRevision: 1 });
        this.schedule(AUTOSAVE_MS);
      }
      return;
    }
    let post: AdminPost;
    try {
      post = await loadPost(id);
    } catch (error) {
      this.patch({ loading: false, loadError: error instanceof ApiError && error.status === 404 ? 'There is no such post, or it is in the trash.' : String((error as Error).message ?? error) });
      return;
    }
    const server = draftFromPost(post);
    const local = readLocalCopy(id);
    if (local && !sameDraft(local.draft, server)) {
      // Saved against the version it was written on: if the post moved on
      // since, the save is a 412 and the conflict view shows both.
      this.patch({ loading: false, post, version: rebaseLocalCopy(local, post), draft: local.draft, saved: server, save: 'dirty', notice: restoredNotice(local.savedAt), docRevision: 1 });
      this.schedule(500);
    } else {
      clearLocalCopy(id);
      this.patch({ loading: false, post, version: post.version, draft: server, saved: server, save: 'saved', docRevision: 1 });
    }
  }

  update(changes: Partial<Draft>): void {
    const s = this.state.get();
    const draft = { ...s.draft, ...changes };
    writeLocalCopy(this.id, draft, s.version);
    const save: SaveState = s.save === 'conflict' ? 'conflict' : this.inFlight ? 'saving' : 'dirty';
    this.patch({ draft, save });
    if (save !== 'conflict') this.schedule(AUTOSAVE_MS);
  }

  dismissNotice(): void {
    this.patch({ notice: null });
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    if (!this.disposed) this.timer = setTimeout(() => void this.saveNow(), ms);
  }

  /** Saves at once (Mod-s, a status move); resolves when nothing is pending. */
  async saveNow(): Promise<void> {
    clearTimeout(this.timer);
    if (this.inFlight) {
      this.again = true;
      await this.inFlight;
      return;
    }
    this.inFlight = this.runSave();
    try {
      await this.inFlight;
    } finally {
      this.inFlight = null;
    }
    if (this.again) {
      this.again = false;
      await this.saveNow();
    }
  }

  private async runSave(): Promise<void> {
    const s = this.state.get();
    if (s.conflict || s.loading || s.loadError) return;
    const snapshot = s.draft;
    if (s.post && sameDraft(snapshot, s.saved)) {
      this.patch({ save: 'saved', error: null });
      return;
    }
    if (!s.post && snapshot.title.trim() === '') {
      this.patch({ save: 'needs-title' });
      return;
    }
    this.patch({ save: 'saving' });
    if (s.post) writeLocalCopy(s.post.id, s.draft, s.version, snapshot);
    try {
      const fields = fieldsFromDraft(snapshot);
      const created = s.post === null;
      const post = s.post
        ? await updatePost(s.post.id, s.version ?? s.post.version, fields)
        : await createPost({ ...fields, title: snapshot.title.trim() }, this.idempotencyKey);
      this.saved(post, snapshot, created);
    } catch (error) {
      await this.failed(error, snapshot);
    }
  }

  private saved(post: AdminPost, snapshot: Draft, created: boolean): void {
    let current = this.state.get().draft;
    let saved = snapshot;
    // The server derived a slug: show it from now on.
    if (snapshot.slug === '' && current.slug === '') {
      saved = { ...snapshot, slug: post.slug };
      current = { ...current, slug: post.slug };
    }
    const clean = sameDraft(current, saved);
    if (created) clearLocalCopy(null);
    if (clean) clearLocalCopy(post.id);
    else writeLocalCopy(post.id, current, post.version);
    this.patch({ post, version: post.version, draft: current, saved, save: clean ? 'saved' : 'dirty', error: null, notice: null });
    if (created) this.onCreated(post);
    if (!clean) this.schedule(AUTOSAVE_MS);
  }

  private async failed(error: unknown, mine: Draft): Promise<void> {
    if (error instanceof ApiError && error.status === 412) {
      await this.openConflict(mine);
    } else if (error instanceof TypeError) {
      this.patch({ save: 'offline', error });
      this.schedule(OFFLINE_RETRY_MS);
    } else {
      this.patch({ save: 'error', error });
    }
  }

  private async openConflict(mine: Draft): Promise<void> {
    const id = this.id;
    if (!id) return;
    try {
      const theirs = await getPost(id);
      if (sameDraft(draftFromPost(theirs), mine)) {
        // Someone saved exactly this text (this writer, from another tab).
        this.patch({ post: theirs, version: theirs.version, saved: mine, save: 'dirty' });
        this.schedule(0);
        return;
      }
      this.patch({ save: 'conflict', conflict: { theirs, mine }, error: null });
    } catch (error) {
      this.patch({ save: 'error', error });
    }
  }

  /** Saves my draft over theirs, knowingly. */
  async keepMine(): Promise<void> {
    const conflict = this.state.get().conflict;
    if (!conflict) return;
    const { theirs } = conflict;
    this.patch({ conflict: null, post: theirs, version: theirs.version, saved: draftFromPost(theirs), save: 'dirty' });
    await this.saveNow();
  }

  takeTheirs(): void {
    const s = this.state.get();
    if (!s.conflict) return;
    const { theirs } = s.conflict;
    const server = draftFromPost(theirs);
    clearLocalCopy(theirs.id);
    this.patch({ conflict: null, post: theirs, version: theirs.version, draft: server, saved: server, save: 'saved', docRevision: s.docRevision + 1 });
  }

  async saveMerged(markdown: string): Promise<void> {
    const s = this.state.get();
    if (!s.conflict) return;
    const { theirs, mine } = s.conflict;
    const draft = { ...mine, markdown };
    writeLocalCopy(theirs.id, draft, theirs.version);
    this.patch({ conflict: null, post: theirs, version: theirs.version, draft, saved: draftFromPost(theirs), save: 'dirty', docRevision: s.docRevision + 1 });
    await this.saveNow();
  }

  /** Publish, unpublish or schedule, after saving what is pending. */
  async move(move: StatusMove, publishedAt?: string): Promise<void> {
    await this.saveNow();
    const s = this.state.get();
    if (!s.post || s.conflict || !sameDraft(s.draft, s.saved)) return;
    this.patch({ busy: move, error: null });
    try {
      const post = await movePost(s.post.id, s.version ?? s.post.version, move, publishedAt);
      this.patch({ post, version: post.version, busy: null, save: 'saved' });
    } catch (error) {
      this.patch({ busy: null });
      await this.failed(error, s.draft);
    }
  }

  /**
   * Makes an earlier revision current (a new revision), after saving what
   * is pending so that nothing typed is lost; the text editor then shows
   * the restored text. A 412 opens the conflict view, as a save's does.
   */
  async restoreRevision(number: number): Promise<boolean> {
    await this.saveNow();
    const s = this.state.get();
    if (!s.post || s.conflict || !sameDraft(s.draft, s.saved)) return false;
    this.patch({ busy: 'restore', error: null });
    try {
      const post = await restoreRevision(s.post.id, number, s.version ?? s.post.version);
      const server = draftFromPost(post);
      clearLocalCopy(post.id);
      const now = this.state.get();
      this.patch({ post, version: post.version, draft: server, saved: server, save: 'saved', busy: null, docRevision: now.docRevision + 1 });
      return true;
    } catch (error) {
      this.patch({ busy: null });
      await this.failed(error, s.draft);
      return false;
    }
  }

  async trash(): Promise<boolean> {
    const s = this.state.get();
    if (!s.post) return false;
    this.patch({ busy: 'trash', error: null });
    try {
      await trashPost(s.post.id, s.version ?? s.post.version);
      clearLocalCopy(s.post.id);
      this.patch({ busy: null });
      return true;
    } catch (error) {
      this.patch({ busy: null });
      await this.failed(error, s.draft);
      return false;
    }
  }

  /** Leaving the screen: save what is pending, then stop. */
  dispose(): void {
    if (this.isDirty() && !this.state.get().conflict) void this.saveNow();
    this.disposed = true;
    clearTimeout(this.timer);
  }
}

function restoredNotice(savedAt: string): string {
  const when = new Date(savedAt);
  const time = Number.isNaN(when.getTime()) ? '' : ` (from ${when.toLocaleString()})`;
  return `Restored unsaved changes kept in this browser${time}; they will be saved now.`;
}
