// The signed-in user, for every screen, and whether a sign-in is awaited.
import { onSessionExpired } from './api/client';
import { restoreSession, signOut as endSession } from './api/session';
import type { Role, User } from './api/types';
import { createStore } from './store';

export type Auth = { state: 'loading' } | { state: 'signed-out' } | { state: 'signed-in'; user: User };

export const auth = createStore<Auth>({ state: 'loading' });
export const sessionExpired = createStore(false);

onSessionExpired((expired) => sessionExpired.set(expired));

export async function boot(): Promise<void> {
  const user = await restoreSession();
  auth.set(user ? { state: 'signed-in', user } : { state: 'signed-out' });
}

export function signedIn(user: User): void {
  auth.set({ state: 'signed-in', user });
}

/** Ends the session; signed out here even when the server cannot be told. */
export async function signOut(): Promise<void> {
  await endSession().catch(() => undefined);
  auth.set({ state: 'signed-out' });
}

/** The API answers 403 to a contributor who publishes or schedules. */
export function mayPublish(role: Role): boolean {
  return role !== 'contributor';
}

export const nonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content ?? '';
