// HTTP to the REST API: the access token lives in this module only (never
// in storage or a readable cookie); a 401 triggers one shared refresh and
// one retry, and when the session is gone the caller waits until the
// person signs in again (the dialog resolves `whenSignedIn`).
import type { ApiPath, PathParams, Problem, RefreshedTokens } from './types';

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
let signInWaiters: (() => void)[] = [];
const expiredListeners = new Set<(expired: boolean) => void>();
// Every request of the current session carries this signal, so that signing
// out cancels them: an answer to one would come after the server ended the
// session (a 401, then a sign-in dialog over the sign-in screen).
let session = new AbortController();

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(describeProblem(status, problem));
  }

  /** The message for one input field, when the server named it. */
  fieldMessage(field: string): string | null {
    const p = this.problem;
    const param = p.invalid_params?.find((i) => i.name === field || i.name.startsWith(`${field}.`) || i.name.startsWith(`${field}[`));
    if (param) return param.reason;
    if (p.field && (p.field === field || p.field.startsWith(`${field}.`) || p.field.startsWith(`${field}[`))) {
      return p.detail ?? p.title ?? 'Invalid';
    }
    return null;
  }
}

function describeProblem(status: number, p: Problem): string {
  const head = p.detail || p.title || `HTTP ${status}`;
  const params = (p.invalid_params ?? []).map((i) => `${i.name}: ${i.reason}`);
  const extra = params.filter((s) => !head.includes(s));
  return extra.length > 0 ? `${head} (${extra.join('; ')})` : head;
}

export function setAccessToken(token: string | null): void {
  accessToken = token;
}

/**
 * Cancels every request in flight and forgets the ones waiting for a new
 * sign-in: called first when signing out.
 */
export function endRequests(): void {
  session.abort(new DOMException('Signed out.', 'AbortError'));
  session = new AbortController();
  signInWaiters = [];
  for (const listener of expiredListeners) listener(false);
}

/** The signal of this session's requests, for those sent without `request`. */
export function sessionSignal(): AbortSignal {
  return session.signal;
}

export function hasAccessToken(): boolean {
  return accessToken !== null;
}

/** Told true when a request needs a new sign-in, false once signed in. */
export function onSessionExpired(listener: (expired: boolean) => void): () => void {
  expiredListeners.add(listener);
  return () => expiredListeners.delete(listener);
}

/** Called by the sign-in dialog: every request waiting for it retries. */
export function signedInAgain(token: string): void {
  accessToken = token;
  const waiters = signInWaiters;
  signInWaiters = [];
  for (const listener of expiredListeners) listener(false);
  for (const wake of waiters) wake();
}

/**
 * For requests sent without `request` (uploads, which need
 * XMLHttpRequest's progress events): the Authorization header to send, and
 * what to do on a 401 before sending again (refresh, or wait for sign-in).
 */
export function authorization(): Record<string, string> {
  return accessToken ? { Authorization: `Bearer ${accessToken}` } : {};
}

export async function renewSession(): Promise<void> {
  if (!(await refreshSession())) await waitForSignIn();
}

function waitForSignIn(): Promise<void> {
  accessToken = null;
  for (const listener of expiredListeners) listener(true);
  return new Promise((resolve) => signInWaiters.push(resolve));
}

/**
 * Rotates the HttpOnly refresh cookie; one attempt shared by every caller
 * in this tab, and one at a time across tabs: the cookie works once and a
 * spent one revokes the session, so two tabs refreshing together with the
 * same cookie would sign the writer out. Under the lock, the second tab
 * sends the cookie the first one's answer set.
 */
export function refreshSession(): Promise<boolean> {
  refreshing ??= acrossTabs(REFRESH_LOCK, sendRefresh).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

const REFRESH_LOCK = 'longform-refresh';

async function sendRefresh(): Promise<boolean> {
  try {
    const response = await fetch(route('/api/v1/auth/refresh'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Longform-CSRF': '1' },
      body: '{}',
      credentials: 'same-origin',
    });
    if (!response.ok) return false;
    const tokens = (await response.json()) as RefreshedTokens;
    accessToken = tokens.access_token;
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `task` holding a lock shared by this origin's tabs. Web Locks exist
 * in secure contexts only (https, localhost); over plain http elsewhere
 * the tabs are not serialised.
 */
async function acrossTabs<T>(name: string, task: () => Promise<T>): Promise<T> {
  if (!('locks' in navigator) || !navigator.locks) return task();
  return await navigator.locks.request(name, task);
}

/**
 * A path of openapi.yaml with its `{name}` parameters filled in: a path or
 * a parameter the contract does not have is a type error.
 */
export function route<P extends ApiPath>(template: P, ...params: [PathParams<P>] extends [never] ? [] : [PathParams<P>]): string {
  const values: Record<string, string | number> = params[0] ?? {};
  return template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(values[name])));
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Do not wait for a new sign-in on 401 (sign-in and session restore). */
  noReauth?: boolean;
}

export interface ApiResponse<T> {
  data: T;
  headers: Headers;
  status: number;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  let response = await send(path, options);
  if (response.status === 401 && !options.noReauth) {
    if (!(await refreshSession())) await waitForSignIn();
    response = await send(path, options);
    // Signed in as someone whose session ended again at once: ask again.
    while (response.status === 401) {
      await waitForSignIn();
      response = await send(path, options);
    }
  }
  return parse<T>(response);
}

function send(path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const signal = session.signal;
  return fetch(path, { method: options.method ?? 'GET', headers, body, credentials: 'same-origin', signal });
}

async function parse<T>(response: Response): Promise<ApiResponse<T>> {
  const text = await response.text();
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = { title: text.slice(0, 200) };
    }
  }
  if (!response.ok) {
    const problem = (json && typeof json === 'object' ? json : {}) as Problem;
    throw new ApiError(response.status, problem);
  }
  return { data: json as T, headers: response.headers, status: response.status };
}

/** A thrown value as one line for a person. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'The server could not be reached. Check your connection.';
  if (error instanceof Error) return error.message;
  return String(error);
}
