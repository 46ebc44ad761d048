// The editor in headless Chromium against a running server, as people use
// it: sign in, write, autosave, preview, conflicts, roles, schedules, an
// ending session, the local copy, and where tokens live. Every request
// must stay on the server's origin, and no script error, console error or
// CSP refusal may happen. Writes screenshots to OUT_DIR.
// Usage: LONGFORM_ADMIN_EMAIL=… LONGFORM_ADMIN_PASSWORD=… node e2e/suite.mjs BASE_URL OUT_DIR
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [base, out] = process.argv.slice(2);
const adminEmail = process.env.LONGFORM_ADMIN_EMAIL;
const adminPassword = process.env.LONGFORM_ADMIN_PASSWORD;
if (!base || !out || !adminEmail || !adminPassword) {
  console.error('usage: LONGFORM_ADMIN_EMAIL=… LONGFORM_ADMIN_PASSWORD=… node e2e/suite.mjs BASE_URL OUT_DIR');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const origin = new URL(base).origin;
const WAIT = 8000;
const SAVE_WAIT = 12000;
const run = Date.now().toString(36);
const password = `suite-password-${run}`;

// ---------------------------------------------------------------- the API from Node

async function api(method, path, { token, body, headers = {} } = {}) {
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

async function apiOk(method, path, options) {
  const result = await api(method, path, options);
  if (result.status >= 300) throw new Error(`${method} ${path}: ${result.status} ${JSON.stringify(result.json)}`);
  return result.json;
}

/** JSON-mode sign-in: the body carries the refresh token too. */
async function apiLogin(email, pass) {
  return (await apiOk('POST', '/api/v1/auth/login', { body: { email, password: pass } })).access_token;
}

async function createUser(adminToken, role) {
  const user = { email: `${role}-${run}@example.com`, name: `${role[0].toUpperCase()}${role.slice(1)} ${run}`, role, password };
  await apiOk('POST', '/api/v1/admin/users', { token: adminToken, body: user });
  return user;
}

async function adminPost(token, id) {
  return (await apiOk('GET', `/api/v1/admin/posts/${id}`, { token })).post;
}

// ---------------------------------------------------------------- the browser

// However the flows go, the suite ends.
setTimeout(() => {
  console.log('FAIL suite: still running after 5 minutes');
  process.exit(1);
}, 300_000).unref();

const browser = await chromium.launch({
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

let problems = [];
// The API answers these by design in some flows, and the browser logs each
// as "Failed to load resource": [status or net:: error, part of the URL].
// Anything else is a problem.
let expectedStatuses = [];

async function newContext() {
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

function watch(page) {
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

async function openPage(context, path) {
  const page = await context.newPage();
  const response = await page.goto(base + path, { waitUntil: 'load' });
  const csp = response?.headers()['content-security-policy'] ?? '';
  if (!csp.includes("script-src 'self'")) problems.push(`no strict Content-Security-Policy on ${path}: ${csp}`);
  return page;
}

/** Signs in on the sign-in page, which then shows the posts (or `next`). */
async function signIn(page, email, pass, { landsOnPosts = true } = {}) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(pass);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (landsOnPosts) await page.getByRole('heading', { name: 'Posts' }).waitFor();
}

function editorText(page) {
  return page.getByRole('textbox', { name: 'Body (Markdown)' });
}

async function typeBody(page, text) {
  const body = editorText(page);
  await body.click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.insertText(text);
}

async function waitForSaved(page, timeout = SAVE_WAIT) {
  await page.getByTestId('save-status').filter({ hasText: /^Saved$/ }).waitFor({ timeout });
}

async function newPost(page, title, body) {
  await page.getByRole('button', { name: 'New post' }).click();
  await page.getByRole('textbox', { name: 'Title' }).fill(title);
  await typeBody(page, body);
  await waitForSaved(page);
  await page.waitForURL(/\/admin\/posts\/[0-9a-f-]{36}$/);
  return new URL(page.url()).pathname.split('/').pop();
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

const rustPost = (marker) => `Intro paragraph ${marker}.\n\n## Setup\n\nSome words before the code.\n\n\`\`\`rust\nfn main() {\n    println!("hello {}", 1);\n}\n\`\`\`\n`;

// ---------------------------------------------------------------- the flows

const state = {};

async function setup() {
  state.adminToken = await apiLogin(adminEmail, adminPassword);
  state.editor = await createUser(state.adminToken, 'editor');
  state.contributor = await createUser(state.adminToken, 'contributor');
  state.expiring = await createUser(state.adminToken, 'author');
  state.admin = await newContext();
}

async function signInWriteAndPublish() {
  const page = await openPage(state.admin, '/admin/');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.screenshot({ path: join(out, 'admin-sign-in.png') });
  await signIn(page, adminEmail, adminPassword);
  expect(page.url().endsWith('/admin/posts'), `after sign-in the page is ${page.url()}`);

  const marker = `first-${run}`;
  const title = `Suite post ${run}`;
  const id = await newPost(page, title, rustPost(marker));
  await page.reload();
  await editorText(page).filter({ hasText: marker }).waitFor();
  expect((await page.getByRole('textbox', { name: 'Title' }).inputValue()) === title, 'the title did not survive a reload');

  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  await page.getByTestId('post-status').filter({ hasText: 'published' }).waitFor();
  const { slug } = await adminPost(state.adminToken, id);
  const rest = (await apiOk('GET', `/api/v1/posts/${slug}`)).post;
  expect(rest.title === title, `REST title ${rest.title}`);
  expect(rest.html.includes('language-rust') && rest.html.includes('println!'), `REST html lacks the code block: ${rest.html}`);
  const query = `{ post(slug: ${JSON.stringify(slug)}) { title html } }`;
  const gql = await apiOk('POST', '/graphql', { body: { query } });
  expect(gql.data?.post?.title === title, `GraphQL: ${JSON.stringify(gql)}`);
  expect(gql.data.post.html.includes('language-rust'), 'GraphQL html lacks the code block');
  state.adminPage = page;
}

async function previewFollowsTyping() {
  const page = state.adminPage;
  await page.goto(`${base}/admin/posts`);
  await page.getByRole('button', { name: 'New post' }).click();
  await page.getByRole('textbox', { name: 'Title' }).fill(`Preview ${run}`);
  await typeBody(page, `# Heading one\n\nA few words here.\n\n\`\`\`rust\nlet answer = 42;\n\`\`\`\n`);
  const frame = page.getByTestId('preview-frame');
  await page.waitForFunction(
    () => {
      const doc = document.querySelector('[data-testid="preview-frame"]')?.getAttribute('srcdoc') ?? '';
      return doc.includes('<h1 id="heading-one"') && doc.includes('language-rust');
    },
    null,
    { timeout: WAIT },
  );
  // The sandboxed document itself shows the heading and the code.
  const inner = page.frameLocator('[data-testid="preview-frame"]');
  await inner.getByRole('heading', { name: 'Heading one' }).waitFor();
  await inner.locator('pre code', { hasText: 'let answer = 42;' }).waitFor();
  await page.getByTestId('toc').filter({ hasText: 'Heading one' }).waitFor();
  await waitForSaved(page);
  await page.screenshot({ path: join(out, 'admin-editor.png') });
  const words = async () => Number((await page.getByTestId('word-count').textContent()).split(' ')[0]);
  const before = await words();
  await typeBody(page, `\n## Second heading\n\n${'more words '.repeat(300)}\n`);
  await page.getByTestId('toc').filter({ hasText: 'Second heading' }).waitFor();
  await page.waitForFunction((n) => {
    const text = document.querySelector('[data-testid="word-count"]')?.textContent ?? '';
    return Number(text.split(' ')[0]) > n + 500;
  }, before);
  await page.getByTestId('reading-time').filter({ hasText: /^[3-9] min read$/ }).waitFor();
  expect(await frame.isVisible(), 'the preview is hidden');
  await waitForSaved(page);
}

async function conflictMergedByHand() {
  expectedStatuses = [['412', '/api/v1/admin/posts/']];
  const created = await apiOk('POST', '/api/v1/admin/posts', {
    token: state.adminToken,
    body: { title: `Conflict ${run}`, markdown: 'line one\nline two\nline three\n' },
  });
  const id = created.post.id;
  const mine = state.adminPage;
  await mine.goto(`${base}/admin/posts/${id}`);
  await editorText(mine).filter({ hasText: 'line three' }).waitFor();

  const other = await newContext();
  try {
    const theirs = await openPage(other, `/admin/posts/${id}`);
    // The sign-in page sends the writer on to the post they asked for.
    await signIn(theirs, state.editor.email, password, { landsOnPosts: false });
    await editorText(theirs).filter({ hasText: 'line three' }).waitFor();

    await editorText(mine).getByText('line one').click();
    await mine.keyboard.press('End');
    await mine.keyboard.insertText(' alpha-from-admin');
    await mine.keyboard.press('ControlOrMeta+s');
    await waitForSaved(mine);

    await editorText(theirs).getByText('line three').click();
    await theirs.keyboard.press('End');
    await theirs.keyboard.insertText(' beta-from-editor');
    await theirs.keyboard.press('ControlOrMeta+s');
    const view = theirs.getByTestId('conflict-view');
    await view.waitFor();
    await view.getByTestId('conflict-theirs').filter({ hasText: 'alpha-from-admin' }).first().waitFor();
    await view.getByTestId('conflict-mine').filter({ hasText: 'beta-from-editor' }).first().waitFor();
    const server = await adminPost(state.adminToken, id);
    expect(!server.markdown.includes('beta-from-editor'), 'the stale save went through');
    await theirs.screenshot({ path: join(out, 'admin-conflict.png') });

    await view.getByRole('button', { name: 'Merge by hand' }).click();
    const merged = 'line one alpha-from-admin\nline two merged\nline three beta-from-editor\n';
    await view.getByTestId('merge-text').fill(merged);
    await view.getByRole('button', { name: 'Save merged text' }).click();
    await waitForSaved(theirs);
    const after = await adminPost(state.adminToken, id);
    expect(after.markdown === merged, `server has ${JSON.stringify(after.markdown)}`);
    expect(after.version === server.version + 1, `version ${after.version} after ${server.version}`);
    await editorText(theirs).filter({ hasText: 'line two merged' }).waitFor();
  } finally {
    await other.close();
  }
}

async function contributorCannotPublish() {
  expectedStatuses = [['400', '/api/v1/admin/posts/']];
  const context = await newContext();
  try {
    const page = await openPage(context, '/admin/sign-in');
    await signIn(page, state.contributor.email, password);
    const id = await newPost(page, `Contributor draft ${run}`, 'Written by a contributor.\n');
    await page.getByText("A contributor's post is published by an editor").waitFor();
    for (const name of ['Publish', 'Publish now', 'Schedule']) {
      expect((await page.getByRole('button', { name, exact: true }).count()) === 0, `a contributor sees "${name}"`);
    }
    expect((await page.getByLabel('Publish at').count()) === 0, 'a contributor sees the schedule time');
    // A tag that does not exist yet: this role may not create it (400).
    await page.getByLabel('Tags', { exact: true }).fill(`new-tag-${run}`);
    await page.getByLabel('Tags', { exact: true }).press('Enter');
    await page.getByRole('button', { name: 'Save now' }).click();
    await page.getByRole('alert').filter({ hasText: `new-tag-${run}` }).waitFor({ timeout: SAVE_WAIT });
    await page.getByTestId('save-status').filter({ hasText: /^Not saved/ }).waitFor();
    await page.getByRole('button', { name: `Remove tags new-tag-${run}` }).click();
    await waitForSaved(page);
    const post = await adminPost(state.adminToken, id);
    expect(post.status === 'draft' && post.markdown.includes('contributor'), `server: ${post.status}`);
  } finally {
    await context.close();
  }
}

async function scheduleForLater() {
  const page = state.adminPage;
  await page.goto(`${base}/admin/posts`);
  const title = `Scheduled ${run}`;
  const id = await newPost(page, title, 'Comes out later.\n');
  const when = new Date(Date.now() + 3 * 86400_000);
  const pad = (n) => String(n).padStart(2, '0');
  const local = `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}T${pad(when.getHours())}:${pad(when.getMinutes())}`;
  await page.getByLabel('Publish at').fill(local);
  await page.getByRole('button', { name: 'Schedule', exact: true }).click();
  await page.getByTestId('post-status').filter({ hasText: 'scheduled' }).waitFor();
  await page.getByRole('link', { name: '← Posts' }).click();
  await page.getByRole('tab', { name: 'Scheduled' }).click();
  const row = page.getByTestId('post-row').filter({ hasText: title });
  await row.getByTestId('post-status').filter({ hasText: 'Scheduled' }).waitFor();
  await page.getByRole('tab', { name: 'All' }).click();
  await page.getByTestId('post-row').filter({ hasText: title }).waitFor();
  await page.screenshot({ path: join(out, 'admin-posts.png') });
  const post = await adminPost(state.adminToken, id);
  expect(post.status === 'scheduled', `API says ${post.status}`);
  const at = new Date(post.published_at).getTime();
  expect(Math.abs(at - when.getTime()) < 120_000, `published_at ${post.published_at}, wanted ${when.toISOString()}`);
}

async function sessionEndsWhileTyping() {
  expectedStatuses = [['401', '/api/v1/']];
  const user = state.expiring;
  const context = await newContext();
  try {
    const page = await openPage(context, '/admin/sign-in');
    await signIn(page, user.email, password);
    const id = await newPost(page, `Expiry ${run}`, 'Saved before the session ends.\n');
    await typeBody(page, 'Typed before the password change. ');
    // Every session of the account ends with a password change.
    const token = await apiLogin(user.email, password);
    const newPassword = `${password}-new`;
    await apiOk('POST', '/api/v1/auth/password', { token, body: { current_password: password, new_password: newPassword } });
    await typeBody(page, 'Typed after it.');
    await page.getByRole('button', { name: 'Save now' }).click();
    const dialog = page.getByTestId('sign-in-dialog');
    await dialog.waitFor({ timeout: SAVE_WAIT });
    await editorText(page).filter({ hasText: 'Typed after it.' }).waitFor();
    expect(await page.getByTestId('editor').isVisible(), 'the editor went away');
    await dialog.getByLabel('Password').fill(newPassword);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await dialog.waitFor({ state: 'detached' });
    await waitForSaved(page);
    const server = await adminPost(state.adminToken, id);
    expect(server.markdown.includes('Typed before the password change. Typed after it.'), `server has ${JSON.stringify(server.markdown)}`);
  } finally {
    await context.close();
  }
}

async function localCopySurvives() {
  expectedStatuses = [['net::ERR_INTERNET_DISCONNECTED', '/api/v1/admin/']];
  const page = state.adminPage;
  await page.goto(`${base}/admin/posts`);
  const id = await newPost(page, `Local copy ${run}`, 'Saved part.\n');
  let beforeUnload = 0;
  const onDialog = (dialog) => {
    if (dialog.type() === 'beforeunload') beforeUnload++;
    void dialog.accept();
  };
  page.on('dialog', onDialog);
  try {
    // Cut off: the autosave cannot reach the server, the copy in the browser stays.
    await state.admin.setOffline(true);
    await typeBody(page, 'Typed while offline. ');
    await page.getByTestId('save-status').filter({ hasText: 'Offline' }).waitFor({ timeout: SAVE_WAIT });
    await state.admin.setOffline(false);
    // And typed just before leaving: the reload comes before the autosave.
    await typeBody(page, 'Typed just before reloading.');
    await page.reload();
    expect(beforeUnload === 1, `beforeunload asked ${beforeUnload} times`);
    await editorText(page).filter({ hasText: 'Typed while offline. Typed just before reloading.' }).waitFor();
    await waitForSaved(page);
    const server = await adminPost(state.adminToken, id);
    expect(server.markdown.includes('Typed while offline. Typed just before reloading.'), `server has ${JSON.stringify(server.markdown)}`);
    const left = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('longform:draft:')));
    expect(left.length === 0, `local copies left after saving: ${left}`);
  } finally {
    page.off('dialog', onDialog);
    await state.admin.setOffline(false);
  }
}

async function noReadableToken() {
  const context = await newContext();
  try {
    const tokens = new Set();
    context.on('response', async (response) => {
      if (!/\/api\/v1\/auth\/(login|refresh)$/.test(response.url()) || response.status() !== 200) return;
      const body = await response.json().catch(() => ({}));
      if (body.access_token) tokens.add(body.access_token);
      if (body.refresh_token) problems.push('a refresh token was sent in a body to the browser');
    });
    const page = await openPage(context, '/admin/sign-in');
    await signIn(page, adminEmail, adminPassword);
    // A reload restores the session through the cookie.
    const refreshed = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/refresh'));
    await page.reload();
    const body = await (await refreshed).json();
    tokens.add(body.access_token);
    await page.getByRole('heading', { name: 'Posts' }).waitFor();
    const cookies = await context.cookies();
    const refresh = cookies.find((c) => c.name === 'longform_refresh');
    expect(refresh, `no refresh cookie: ${cookies.map((c) => c.name)}`);
    expect(refresh.httpOnly, 'the refresh cookie is readable by scripts');
    expect(refresh.sameSite === 'Strict', `the refresh cookie is SameSite=${refresh.sameSite}`);
    // Login and refresh in the same second may mint the same token.
    expect(tokens.size >= 1, 'saw no access token');
    const stored = await page.evaluate(() => ({
      cookie: document.cookie,
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
    }));
    for (const secret of [...tokens, refresh.value]) {
      for (const [where, text] of Object.entries(stored)) {
        expect(!text.includes(secret), `a token is readable in ${where}`);
      }
    }
    expect(!/lfr_|eyJ/.test(Object.values(stored).join(' ')), 'something token-like is readable');
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------- running them

const only = process.env.LONGFORM_SUITE_ONLY?.split(",");
const allFlows = [
  signInWriteAndPublish,
  previewFollowsTyping,
  conflictMergedByHand,
  contributorCannotPublish,
  scheduleForLater,
  sessionEndsWhileTyping,
  localCopySurvives,
  noReadableToken,
];
// LONGFORM_SUITE_ONLY=a,b runs those flows (after the first, which signs in).
const flows = only ? allFlows.filter((f, i) => i === 0 || only.includes(f.name)) : allFlows;
let passed = 0;
let failed = 0;
try {
  await setup();
  for (const flow of flows) {
    problems = [];
    expectedStatuses = [];
    try {
      await flow();
      if (problems.length > 0) throw new Error(problems.join('; '));
      console.log(`ok ${flow.name}`);
      passed++;
    } catch (error) {
      const reason = [error.message.split('\n')[0], ...problems].join('; ');
      console.log(`FAIL ${flow.name}: ${reason}`);
      failed++;
    }
  }
} catch (error) {
  console.log(`FAIL setup: ${error.message.split('\n')[0]}`);
  failed = flows.length - passed;
} finally {
  await browser.close();
}
console.log(`browser suite: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
