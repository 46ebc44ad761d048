// The sign-in page, and the same form in a dialog over the current screen
// when a session ends while someone works (nothing underneath unmounts).
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from '../api/client';
import { signInAgain } from '../api/session';
import { signedIn } from '../auth';
import { navigate } from '../router';

function SignInForm(props: { email?: string; submit: (email: string, password: string) => Promise<unknown> }) {
  const [email, setEmail] = useState(props.email ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await props.submit(email.trim(), password);
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  }

  return (
    <form class="sign-in-form" onSubmit={onSubmit} data-testid="sign-in-form">
      <label>
        Email
        <input type="email" name="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </label>
      <label>
        Password
        <input type="password" name="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

export function SignInPage(props: { next: string }) {
  async function submit(email: string, password: string) {
    // Also wakes any request that was left waiting for a sign-in.
    signedIn(await signInAgain(email, password));
    navigate(props.next, { replace: true });
  }
  return (
    <main class="sign-in-page">
      <section class="card" aria-labelledby="sign-in-title">
        <p class="brand">Longform</p>
        <h1 id="sign-in-title">Sign in</h1>
        <SignInForm submit={submit} />
      </section>
    </main>
  );
}

export function SignInDialog(props: { email: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  async function submit(email: string, password: string) {
    signedIn(await signInAgain(email, password));
  }
  return (
    <dialog
      ref={ref}
      class="sign-in-dialog"
      aria-labelledby="session-title"
      data-testid="sign-in-dialog"
      // Escape would leave the pending save waiting with no way back.
      onCancel={(e) => e.preventDefault()}
    >
      <h2 id="session-title">Your session has ended</h2>
      <p>Sign in again to go on. Your text is kept, and your changes are saved once you are back.</p>
      <SignInForm email={props.email} submit={submit} />
    </dialog>
  );
}
