// What every flow of the browser suite shares: the server and its admin
// from the command line, the API from Node, the browser with its watch on
// requests, console errors and CSP refusals, the users the flows sign in
// as, and the helpers that drive the editor. suite.mjs runs the flows.
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const [base, out] = process.argv.slice(2);
export const adminEmail = process.env.LONGFORM_ADMIN_EMAIL;
export const adminPassword = process.env.LONGFORM_ADMIN_PASSWORD;
if (!base || !out || !adminEmail || !adminPassword) {
  console.error('usage: LONGFORM_ADMIN_EMAIL=… LONGFORM_ADMIN_PASSWORD=… node e2e/suite.mjs BASE_URL OUT_DIR');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
export const origin = new URL(base).origin;
export const WAIT = 8000;
export const SAVE_WAIT = 12000;
export const run = Date.now().toString(36);
export const password = `suite-password-${run}`;

// ---------------------------------------------------------------- the API from Node

export async function api(method, path, { token, body, headers = {} } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers }, signal: AbortSignal.timeout(WAIT) };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(origin + path, init);
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: response.status, json, headers: response.headers };
}

export async function apiOk(method, path, options) {
  const result = await api(method, path, options);
  if (result.status >= 300) throw new Error(`${method} ${path}: ${result.status} ${JSON.stringify(result.json)}`);
  return result.json;
}

/** JSON-mode sign-in: the body carries the refresh token too. */
export async function apiLogin(email, pass) {
  return (await apiOk('POST', '/api/v1/auth/login', { body: { email, password: pass } })).access_token;
}

// The people of the screenshots: each run's users (their emails carry the
// run) and the author profiles the posts list shows.
export const people = { editor: 'Mara Okafor', contributor: 'Jonas Lindqvist', author: 'Priya Raman' };
export const authorSlug = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-');

export async function createUser(adminToken, role) {
  const user = { email: `${role}-${run}@example.com`, name: people[role], role, password };
  await apiOk('POST', '/api/v1/admin/users', { token: adminToken, body: user });
  return user;
}

export async function adminPost(token, id) {
  return (await apiOk('GET', `/api/v1/admin/posts/${id}`, { token })).post;
}

/** A tag, category or author profile, unless an earlier run made it. */
export async function ensureTerm(token, kind, slug, name) {
  const result = await api('POST', `/api/v1/admin/${kind}`, { token, body: { slug, name } });
  if (result.status !== 201 && result.status !== 409) throw new Error(`POST ${kind}: ${result.status} ${JSON.stringify(result.json)}`);
}

/** A post made over the API, moved to `status` ('draft', 'published' or 'scheduled'). */
export async function createPostAs(token, fields, status = 'draft') {
  let { post } = await apiOk('POST', '/api/v1/admin/posts', { token, body: fields });
  const ifMatch = { 'If-Match': `"${post.version}"` };
  if (status === 'published') {
    ({ post } = await apiOk('POST', `/api/v1/admin/posts/${post.id}/publish`, { token, headers: ifMatch }));
  } else if (status === 'scheduled') {
    const body = { published_at: new Date(Date.now() + 5 * 86400_000).toISOString() };
    ({ post } = await apiOk('POST', `/api/v1/admin/posts/${post.id}/schedule`, { token, headers: ifMatch, body }));
  }
  return post;
}

// ---------------------------------------------------------------- the browser

// However the flows go, the suite ends.
setTimeout(() => {
  console.log('FAIL suite: still running after 5 minutes');
  process.exit(1);
}, 300_000).unref();

export const browser = await chromium.launch({
  timeout: 30_000,
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  ],
});

/** What went wrong in the current flow besides its own checks. */
export const problems = [];
// The API answers these by design in some flows, and the browser logs each
// as "Failed to load resource": [status or net:: error, part of the URL].
// Anything else is a problem.
const expectedStatuses = [];

/** The [status, part of the URL] answers the current flow causes on purpose. */
export function expectStatuses(list) {
  expectedStatuses.splice(0, expectedStatuses.length, ...list);
}

/** A new flow starts with no problems and no expected errors. */
export function resetChecks() {
  problems.length = 0;
  expectedStatuses.length = 0;
}

export async function newContext() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  context.setDefaultTimeout(WAIT);
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith('data:') || url.startsWith('about:')) return route.continue();
    problems.push(`request outside the server: ${url}`);
    return route.abort('internetdisconnected');
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP refused ${e.blockedURI} (${e.violatedDirective})`);
    });
  });
  context.on('page', watch);
  return context;
}

export function watch(page) {
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    const url = msg.location()?.url ?? '';
    const status = /status of (\d{3})/.exec(text)?.[1] ?? /(net::[A-Z_]+)/.exec(text)?.[1];
    if (status && expectedStatuses.some(([code, path]) => code === status && url.includes(path))) return;
    // A signed-out page asks the refresh cookie first; no cookie is a 401.
    if (status === '401' && url.endsWith('/api/v1/auth/refresh')) return;
    problems.push(`console error: ${text} ${url}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
}

export async function openPage(context, path) {
  const page = await context.newPage();
  const response = await page.goto(base + path, { waitUntil: 'load' });
  const csp = response?.headers()['content-security-policy'] ?? '';
  if (!csp.includes("script-src 'self'")) problems.push(`no strict Content-Security-Policy on ${path}: ${csp}`);
  return page;
}

/** Signs in on the sign-in page, which then shows the posts (or `next`). */
export async function signIn(page, email, pass, { landsOnPosts = true } = {}) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(pass);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (landsOnPosts) await page.getByRole('heading', { name: 'Posts' }).waitFor();
}

export function editorText(page) {
  return page.getByRole('textbox', { name: 'Body (Markdown)' });
}

export async function typeBody(page, text) {
  const body = editorText(page);
  await body.click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.insertText(text);
}

export async function waitForSaved(page, timeout = SAVE_WAIT) {
  await page.getByTestId('save-status').filter({ hasText: /^Saved$/ }).waitFor({ timeout });
}

export async function newPost(page, title, body) {
  await page.getByRole('button', { name: 'New post' }).click();
  await page.getByRole('textbox', { name: 'Title' }).fill(title);
  await typeBody(page, body);
  await waitForSaved(page);
  await page.waitForURL(/\/admin\/posts\/[0-9a-f-]{36}$/);
  return new URL(page.url()).pathname.split('/').pop();
}

export function expect(condition, message) {
  if (!condition) throw new Error(message);
}

export const rustPost = (marker) => `Intro paragraph ${marker}.\n\n## Setup\n\nSome words before the code.\n\n\`\`\`rust\nfn main() {\n    println!("hello {}", 1);\n}\n\`\`\`\n`;

// ---------------------------------------------------------------- what the flows share

/** Setup's token, users and admin context; the first flow adds adminPage. */
export const state = {};

export async function setup() {
  state.adminToken = await apiLogin(adminEmail, adminPassword);
  state.editor = await createUser(state.adminToken, 'editor');
  state.contributor = await createUser(state.adminToken, 'contributor');
  state.expiring = await createUser(state.adminToken, 'author');
  const terms = [
    ['tags', 'rust', 'Rust'],
    ['tags', 'concurrency', 'Concurrency'],
    ['tags', 'databases', 'Databases'],
    ['categories', 'systems-programming', 'Systems programming'],
    ...Object.values(people).map((name) => ['authors', authorSlug(name), name]),
  ];
  for (const [kind, slug, name] of terms) await ensureTerm(state.adminToken, kind, slug, name);
  state.admin = await newContext();
}
