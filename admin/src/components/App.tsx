// The shell: the bar with the site name and the user menu, the screen of
// the current route, and the sign-in dialog when a session ends.
import { useEffect, useState } from 'preact/hooks';
import { auth, sessionExpired, signOut } from '../auth';
import { navigate, onLinkClick, parseRoute, useLocation, BASE } from '../router';
import { useStore } from '../store';
import { prefetchPost } from '../api/posts';
import type { User } from '../api/types';
import { MediaLibrary } from './MediaLibrary';
import { LazySite, SiteLink } from './LazySite';
import { PostsList } from './PostsList';
import { SignInDialog, SignInPage } from './SignIn';
import '../styles/narrow.css';

export function App() {
  const state = useStore(auth);
  const path = useLocation();
  const expired = useStore(sessionExpired);
  const route = parseRoute(path);

  useEffect(() => {
    document.addEventListener('click', onLinkClick);
    return () => document.removeEventListener('click', onLinkClick);
  }, []);

  useEffect(() => {
    if (state.state === 'signed-out' && route.name !== 'sign-in') {
      const next = path === BASE || path === `${BASE}/` ? '' : `?next=${encodeURIComponent(path)}`;
      navigate(`/sign-in${next}`, { replace: true });
    } else if (state.state === 'signed-in' && route.name === 'sign-in') {
      navigate('/posts', { replace: true });
    }
  }, [state.state, route.name, path]);

  if (state.state === 'loading') {
    return (
      <p class="booting" role="status">
        Loading…
      </p>
    );
  }
  if (state.state === 'signed-out') {
    return <SignInPage next={nextFrom(path)} />;
  }
  return (
    <div class="shell">
      <TopBar user={state.user} />
      {route.name === 'posts' && <PostsList user={state.user} />}
      {route.name === 'media' && <MediaLibrary user={state.user} id={route.id} />}
      {route.name === 'editor' && <LazyEditor routeId={route.id} user={state.user} />}
      {route.name === 'site' && <LazySite user={state.user} section={route.section} id={route.id} />}
      {(route.name === 'not-found' || route.name === 'sign-in') && (
        <main class="page">
          <h1>Not found</h1>
          <p>
            <a href={`${BASE}/posts`}>Back to the posts</a>
          </p>
        </main>
      )}
      {expired && <SignInDialog email={state.user.email} />}
    </div>
  );
}

type EditorModule = typeof import('./EditorScreen');
let editorModule: Promise<EditorModule> | null = null;
// Opened at a post's address: fetch the editor's code while the session is
// still being restored, rather than after.
if (location.pathname.startsWith(`${BASE}/posts/`)) {
  editorModule = import('./EditorScreen');
  editorModule.catch(() => undefined); // LazyEditor reports a failure
}

/** CodeMirror and the Markdown languages load with the first editor only. */
function LazyEditor(props: { routeId: string | null; user: User }) {
  const [module, setModule] = useState<EditorModule | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (props.routeId !== null) prefetchPost(props.routeId);
    editorModule ??= import('./EditorScreen');
    editorModule.then(setModule, () => {
      editorModule = null;
      setFailed(true);
    });
  }, []);
  if (failed) {
    return (
      <main class="page">
        <p class="error" role="alert">
          The editor could not be loaded. Reload the page to try again.
        </p>
      </main>
    );
  }
  if (!module) {
    return (
      <main class="page">
        <p role="status">Loading the editor…</p>
      </main>
    );
  }
  return <module.EditorScreen routeId={props.routeId} user={props.user} />;
}

function nextFrom(path: string): string {
  const next = new URLSearchParams(path.split('?')[1] ?? '').get('next');
  return next && next.startsWith(`${BASE}/`) && !next.startsWith(`${BASE}/sign-in`) ? next : `${BASE}/posts`;
}

function TopBar(props: { user: User }) {
  return (
    <header class="top-bar">
      <a class="brand" href={`${BASE}/posts`}>
        Longform
      </a>
      <nav aria-label="Main">
        <a href={`${BASE}/posts`}>Posts</a>
        <a href={`${BASE}/media`}>Media</a>
        <SiteLink user={props.user} />
      </nav>
      <div class="user-menu">
        <span class="user-name" data-testid="current-user">
          {props.user.name} <span class="role">{props.user.role}</span>
        </span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </div>
    </header>
  );
}
