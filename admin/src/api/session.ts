// Who is signed in. Sign-in asks for cookie mode, so the refresh token is an
// HttpOnly cookie the page never sees; the access token stays in client.ts.
import { endRequests, request, refreshSession, route, setAccessToken, signedInAgain } from './client';
import type { CurrentUser, LoginRequest, Tokens, User } from './types';

const csrf = { 'X-Longform-CSRF': '1' };

export async function signIn(email: string, password: string): Promise<Tokens> {
  const body: LoginRequest = { email, password, cookie: true };
  return (await request<Tokens>(route('/api/v1/auth/login'), { method: 'POST', body, noReauth: true })).data;
}

/** Signs in and gives the token to every request that waits for it. */
export async function signInAgain(email: string, password: string): Promise<User> {
  const tokens = await signIn(email, password);
  setAccessToken(tokens.access_token);
  const user = await currentUser();
  signedInAgain(tokens.access_token);
  return user;
}

export async function currentUser(): Promise<User> {
  return (await request<CurrentUser>(route('/api/v1/auth/me'), { noReauth: true })).data.user;
}

/** The session of the refresh cookie, if there is one. */
export async function restoreSession(): Promise<User | null> {
  if (!(await refreshSession())) return null;
  try {
    return await currentUser();
  } catch {
    return null;
  }
}

export async function signOut(): Promise<void> {
  endRequests();
  try {
    await request<null>(route('/api/v1/auth/logout'), { method: 'POST', headers: csrf, noReauth: true });
  } finally {
    setAccessToken(null);
  }
}
