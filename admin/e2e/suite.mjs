// The editor in headless Chromium against a running server, as people use
// it: sign in, write, autosave, preview, conflicts, roles, schedules, an
// ending session, the local copy, where tokens live, two tabs, the trash,
// search, filters, paging, new tags and signing out. Every request
// must stay on the server's origin, and no script error, console error or
// CSP refusal may happen. Writes screenshots to OUT_DIR. The shared
// helpers are in lib.mjs; flows of other screens in their own modules.
// Usage: LONGFORM_ADMIN_EMAIL=… LONGFORM_ADMIN_PASSWORD=… node e2e/suite.mjs BASE_URL OUT_DIR
import { join } from 'node:path';
import {
  SAVE_WAIT,
  WAIT,
  adminEmail,
  adminPassword,
  adminPost,
  api,
  apiLogin,
  apiOk,
  authorSlug,
  base,
  browser,
  createPostAs,
  editorText,
  expect,
  expectStatuses,
  newContext,
  newPost,
  openPage,
  out,
  password,
  people,
  problems,
  resetChecks,
  run,
  rustPost,
  setup,
  signIn,
  state,
  typeBody,
  waitForSaved,
} from './lib.mjs';
import { mediaFlows } from './media.mjs';
import { siteFlows } from './site.mjs';
import { a11yFlows } from './a11y.mjs';

// ---------------------------------------------------------------- the flows

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

// The post of the README's editor screenshot: what a technical essay looks like.
const essayTitle = 'Memory ordering in Rust, from Relaxed to SeqCst';
const essay = `Atomics are the one place where Rust hands you the memory model of the hardware almost unfiltered. Every load and store takes an \`Ordering\`, and picking one is a claim about which other memory operations the compiler and the CPU may move around it.

This post walks through the orderings with one small example each, and ends with the C11 code they were taken from.

## Relaxed: atomicity and nothing else

A relaxed operation is indivisible, but it promises nothing about the operations around it. That is enough for a counter that nobody reads until the threads are joined:

\`\`\`rust
use std::sync::atomic::{AtomicUsize, Ordering};

static HITS: AtomicUsize = AtomicUsize::new(0);

fn record_hit() {
    HITS.fetch_add(1, Ordering::Relaxed);
}
\`\`\`

## Acquire and Release: handing data over

A release store publishes every write made before it; an acquire load that reads the stored value sees all of them. Every mutex and every channel is built on this pair. In C11 the same hand-over reads:

\`\`\`c
#include <stdatomic.h>
#include <stdbool.h>

int payload;
atomic_bool ready;

void produce(void) {
    payload = 42;
    atomic_store_explicit(&ready, true,
                          memory_order_release);
}
\`\`\`

## SeqCst: one order everyone agrees on

Sequential consistency adds a single total order over all SeqCst operations, which is what most people assume atomics give them anyway. It is the default for a reason, and the right choice until a profiler says otherwise.
`;

async function previewFollowsTyping() {
  const page = state.adminPage;
  await page.goto(`${base}/admin/posts`);
  await page.getByRole('button', { name: 'New post' }).click();
  await page.getByRole('textbox', { name: 'Title' }).fill(essayTitle);
  await typeBody(page, essay);
  const frame = page.getByTestId('preview-frame');
  await page.waitForFunction(
    () => {
      const doc = document.querySelector('[data-testid="preview-frame"]')?.getAttribute('srcdoc') ?? '';
      return doc.includes('language-rust') && doc.includes('language-c') && doc.includes('<h2');
    },
    null,
    { timeout: WAIT },
  );
  // The sandboxed document itself shows the headings and the code.
  const inner = page.frameLocator('[data-testid="preview-frame"]');
  await inner.getByRole('heading', { name: 'Relaxed: atomicity and nothing else' }).waitFor();
  await inner.locator('pre code', { hasText: 'HITS.fetch_add(1, Ordering::Relaxed);' }).waitFor();
  await inner.locator('pre code', { hasText: 'memory_order_release' }).waitFor();
  const toc = page.getByTestId('toc');
  for (const heading of ['Relaxed: atomicity and nothing else', 'Acquire and Release: handing data over', 'SeqCst: one order everyone agrees on']) {
    await toc.getByText(heading).waitFor();
  }
  // Known terms by name: the chips show the names, and nothing is new.
  for (const [label, name] of [['Tags', 'Rust'], ['Tags', 'Concurrency'], ['Authors', people.editor]]) {
    await page.getByLabel(label, { exact: true }).fill(name);
    await page.getByLabel(label, { exact: true }).press('Enter');
    await page.getByRole('list', { name: `${label}, in order` }).getByText(name, { exact: true }).waitFor();
  }
  for (const label of ['Tags', 'Authors']) {
    const fresh = await page.getByRole('list', { name: `${label}, in order` }).getByText('(new)').count();
    expect(fresh === 0, `${label}: a known one is shown as new`);
  }
  await page.getByLabel('Category').fill('systems-programming');
  await waitForSaved(page);
  const saved = await adminPost(state.adminToken, new URL(page.url()).pathname.split('/').pop());
  expect(saved.tags.map((t) => t.slug).join() === 'rust,concurrency', `tags ${JSON.stringify(saved.tags)}`);
  expect(saved.category?.slug === 'systems-programming', `category ${JSON.stringify(saved.category)}`);
  // For the screenshot: the top of the text and of the side bar, no focus ring.
  await editorText(page).click();
  await page.keyboard.press('ControlOrMeta+Home');
  await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
  await page.getByRole('complementary', { name: 'Post settings' }).evaluate((bar) => bar.scrollTo(0, 0));
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(out, 'admin-editor.png') });

  const words = async () => Number((await page.getByTestId('word-count').textContent()).split(' ')[0]);
  const before = await words();
  expect(before > 200, `the essay counts ${before} words`);
  await typeBody(page, `\n## Further reading\n\n${'more words '.repeat(300)}\n`);
  await toc.getByText('Further reading').waitFor();
  await page.waitForFunction((n) => {
    const text = document.querySelector('[data-testid="word-count"]')?.textContent ?? '';
    return Number(text.split(' ')[0]) > n + 500;
  }, before);
  await page.getByTestId('reading-time').filter({ hasText: /^[3-9] min read$/ }).waitFor();
  expect(await frame.isVisible(), 'the preview is hidden');
  await waitForSaved(page);
}

async function conflictMergedByHand() {
  expectStatuses([['412', '/api/v1/admin/posts/']]);
  // Short lines: End must reach the end of the line, not of a wrapped row.
  const text = 'Version 0.9 adds scheduled posts.\nUpgrades need no manual step.\nThanks to everyone who tested it.\n';
  const alpha = 'It ships on Monday.';
  const beta = 'And to the SQLite testers.';
  const created = await apiOk('POST', '/api/v1/admin/posts', {
    token: state.adminToken,
    body: { title: 'Release notes for 0.9', markdown: text },
  });
  const id = created.post.id;
  const mine = state.adminPage;
  await mine.goto(`${base}/admin/posts/${id}`);
  await editorText(mine).filter({ hasText: 'who tested it' }).waitFor();

  const other = await newContext();
  try {
    const theirs = await openPage(other, `/admin/posts/${id}`);
    // The sign-in page sends the writer on to the post they asked for.
    await signIn(theirs, state.editor.email, password, { landsOnPosts: false });
    await editorText(theirs).filter({ hasText: 'who tested it' }).waitFor();

    await editorText(mine).getByText('adds scheduled posts').click();
    await mine.keyboard.press('End');
    await mine.keyboard.insertText(` ${alpha}`);
    await mine.keyboard.press('ControlOrMeta+s');
    await waitForSaved(mine);

    await editorText(theirs).getByText('who tested it').click();
    await theirs.keyboard.press('End');
    await theirs.keyboard.insertText(` ${beta}`);
    await theirs.keyboard.press('ControlOrMeta+s');
    const view = theirs.getByTestId('conflict-view');
    await view.waitFor();
    await view.getByTestId('conflict-theirs').filter({ hasText: alpha }).first().waitFor();
    await view.getByTestId('conflict-mine').filter({ hasText: beta }).first().waitFor();
    const server = await adminPost(state.adminToken, id);
    expect(!server.markdown.includes(beta), 'the stale save went through');
    await theirs.screenshot({ path: join(out, 'admin-conflict.png') });

    await view.getByRole('button', { name: 'Merge by hand' }).click();
    const merged = `Version 0.9 adds scheduled posts. ${alpha}\nUpgrades need no manual step: the server migrates at start.\nThanks to everyone who tested it. ${beta}\n`;
    await view.getByTestId('merge-text').fill(merged);
    await view.getByRole('button', { name: 'Save merged text' }).click();
    await waitForSaved(theirs);
    const after = await adminPost(state.adminToken, id);
    expect(after.markdown === merged, `server has ${JSON.stringify(after.markdown)}`);
    expect(after.version === server.version + 1, `version ${after.version} after ${server.version}`);
    await editorText(theirs).filter({ hasText: 'the server migrates at start' }).waitFor();
  } finally {
    await other.close();
  }
}

async function contributorCannotPublish() {
  expectStatuses([['400', '/api/v1/admin/posts/']]);
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
  const post = await adminPost(state.adminToken, id);
  expect(post.status === 'scheduled', `API says ${post.status}`);
  const at = new Date(post.published_at).getTime();
  expect(Math.abs(at - when.getTime()) < 120_000, `published_at ${post.published_at}, wanted ${when.toISOString()}`);
}

async function sessionEndsWhileTyping() {
  expectStatuses([['401', '/api/v1/']]);
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
  expectStatuses([['net::ERR_INTERNET_DISCONNECTED', '/api/v1/admin/']]);
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

/** The editor or the sign-in page, whichever this page shows once loaded. */
async function signedInOn(page) {
  const signIn = page.getByRole('heading', { name: 'Sign in' }).or(page.getByTestId('sign-in-dialog'));
  await page.getByTestId('editor').or(signIn).first().waitFor();
  return !(await signIn.first().isVisible());
}

async function twoTabsRefreshTogether() {
  const created = await apiOk('POST', '/api/v1/admin/posts', {
    token: state.adminToken,
    body: { title: `Two tabs ${run}`, markdown: 'Open in two tabs.\n' },
  });
  const id = created.post.id;
  const context = await newContext();
  try {
    const first = await openPage(context, `/admin/posts/${id}`);
    await signIn(first, state.editor.email, password, { landsOnPosts: false });
    await editorText(first).filter({ hasText: 'Open in two tabs.' }).waitFor();
    const second = await openPage(context, `/admin/posts/${id}`);
    expect(await signedInOn(second), 'the second tab did not take the session');
    // Each reload spends the refresh cookie: without a lock both tabs would
    // present the same one, and a spent token revokes the session.
    for (let round = 1; round <= 6; round++) {
      await Promise.all([first.reload(), second.reload()]);
      const [one, two] = await Promise.all([signedInOn(first), signedInOn(second)]);
      expect(one && two, `round ${round}: signed out in ${[one ? '' : 'the first tab', two ? '' : 'the second tab'].filter(Boolean).join(' and ')}`);
    }
    for (const [n, page] of [first, second].entries()) {
      // The other tab's save moved the version on: start from the server's.
      await page.reload();
      await editorText(page).filter({ hasText: 'Open in two tabs.' }).waitFor();
      await typeBody(page, ` Saved from tab ${n + 1}.`);
      await page.getByRole('button', { name: 'Save now' }).click();
      await waitForSaved(page);
    }
    const server = await adminPost(state.adminToken, id);
    expect(server.markdown.includes('Saved from tab 1. Saved from tab 2.'), `server has ${JSON.stringify(server.markdown)}`);
  } finally {
    await context.close();
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

/** The posts list's rows once it has loaded (or says it has none). */
async function listedTitles(page) {
  await page.getByTestId('posts-table').or(page.getByText('No posts here.')).waitFor();
  return page.getByTestId('post-row').locator('td:first-child').allTextContents();
}

async function trashAndRestore() {
  const page = state.adminPage;
  const title = `Trash and back ${run}`;
  const post = await createPostAs(state.adminToken, { title, markdown: 'Not wanted, for a while.\n', tags: ['databases'] }, 'published');
  await page.goto(`${base}/admin/posts/${post.id}`);
  await editorText(page).filter({ hasText: 'Not wanted' }).waitFor();
  await page.getByRole('button', { name: 'Move to trash' }).click();
  await page.waitForURL(/\/admin\/posts$/);
  await page.getByRole('searchbox', { name: 'Search' }).fill(title);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByText('No posts here.').waitFor();
  expect((await api('GET', `/api/v1/admin/posts/${post.id}`, { token: state.adminToken })).status === 404, 'a trashed post still opens');

  await page.getByRole('tab', { name: 'Trash' }).click();
  const row = page.getByTestId('post-row').filter({ hasText: title });
  await row.getByTestId('post-status').filter({ hasText: 'In trash' }).waitFor();
  await row.getByRole('button', { name: `Restore ${title}` }).click();
  await row.waitFor({ state: 'detached' });
  await page.getByRole('tab', { name: 'All' }).click();
  await page.getByTestId('post-row').filter({ hasText: title }).getByTestId('post-status').filter({ hasText: 'Published' }).waitFor();
  const back = await adminPost(state.adminToken, post.id);
  expect(back.deleted_at === null && back.status === 'published', `after restoring: ${back.status}, deleted_at ${back.deleted_at}`);
  expect(back.tags.map((t) => t.slug).join() === 'databases', `tags after restoring: ${JSON.stringify(back.tags)}`);
}

async function searchByTitleWord() {
  const page = state.adminPage;
  const wanted = `Keeping the lighthouse log ${run}`;
  const other = `Harbour charts ${run}`;
  for (const title of [wanted, other]) await createPostAs(state.adminToken, { title, markdown: 'Lighthouse in the body, not the title.\n' });
  await page.goto(`${base}/admin/posts`);
  const search = page.getByRole('searchbox', { name: 'Search' });
  expect((await search.getAttribute('placeholder')) === 'Title or slug', `the search box says ${await search.getAttribute('placeholder')}`);
  await page.getByTestId('post-row').filter({ hasText: other }).waitFor();
  // One word of the title, in another case: the server matches any case.
  await search.fill('LIGHTHOUSE');
  await search.press('Enter');
  await page.getByTestId('post-row').filter({ hasText: other }).waitFor({ state: 'detached' });
  const titles = await listedTitles(page);
  expect(titles.includes(wanted), `searching found ${JSON.stringify(titles)}`);
  expect(titles.every((t) => /lighthouse/i.test(t)), `a row without the word: ${JSON.stringify(titles)}`);
}

async function filterByTag() {
  const page = state.adminPage;
  const tag = `tide-tables-${run}`;
  const tagged = `Reading tide tables ${run}`;
  const untagged = `Untagged neighbour ${run}`;
  await createPostAs(state.adminToken, { title: tagged, markdown: 'Tagged.\n', tags: [tag] });
  await createPostAs(state.adminToken, { title: untagged, markdown: 'Not tagged.\n' });
  // The tag exists now, so a fresh list offers it.
  await page.goto(`${base}/admin/posts`);
  await page.getByTestId('post-row').filter({ hasText: untagged }).waitFor();
  await page.getByRole('combobox', { name: 'Tag', exact: true }).selectOption(tag);
  await page.getByTestId('post-row').filter({ hasText: untagged }).waitFor({ state: 'detached' });
  const titles = await listedTitles(page);
  expect(titles.length === 1 && titles[0] === tagged, `the tag lists ${JSON.stringify(titles)}`);
  await page.getByRole('combobox', { name: 'Tag', exact: true }).selectOption('');
  await page.getByTestId('post-row').filter({ hasText: untagged }).waitFor();
}

/** Waits until the list shows `count` rows, each with `text` in it. */
async function rowsWith(page, count, text) {
  await page.waitForFunction(
    ([count, text]) => {
      const rows = [...document.querySelectorAll('[data-testid="post-row"]')];
      return rows.length === count && rows.every((row) => row.textContent.includes(text));
    },
    [count, text],
  );
  return listedTitles(page);
}

async function pagingThroughPosts() {
  const page = state.adminPage;
  // 25 posts that one search finds: past the page of 20, whatever else the server holds.
  const word = `logbook${run}`;
  const made = [];
  for (let n = 1; n <= 25; n++) {
    made.push((await createPostAs(state.adminToken, { title: `${word} entry ${String(n).padStart(2, '0')}`, markdown: `Entry ${n}.\n` })).title);
  }
  await page.goto(`${base}/admin/posts`);
  await page.getByRole('searchbox', { name: 'Search' }).fill(word);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const first = await rowsWith(page, 20, word);
  expect((await page.getByRole('button', { name: 'Previous page' }).count()) === 0, 'a first page offers a previous one');
  await page.getByRole('button', { name: 'Next page' }).click();
  const second = await rowsWith(page, 5, word);
  expect((await page.getByRole('button', { name: 'Next page' }).count()) === 0, 'the last page offers a next one');
  const seen = [...first, ...second];
  expect(new Set(seen).size === 25 && made.every((t) => seen.includes(t)), `the pages show ${JSON.stringify(seen)}`);
  await page.getByRole('button', { name: 'Previous page' }).click();
  const again = await rowsWith(page, 20, word);
  expect(again.join() === first.join(), 'the first page is not what it was');
}

async function newTagOnTheFly() {
  const context = await newContext();
  try {
    const page = await openPage(context, '/admin/sign-in');
    await signIn(page, state.editor.email, password);
    const id = await newPost(page, `Bounded queues ${run}`, 'A queue that says no when it is full.\n');
    const name = `Back pressure ${run}`;
    const slug = `back-pressure-${run}`;
    await page.getByLabel('Tags', { exact: true }).fill(name);
    await page.getByLabel('Tags', { exact: true }).press('Enter');
    const chips = page.getByRole('list', { name: 'Tags, in order' });
    await chips.getByText('(new)').waitFor();
    await waitForSaved(page);
    // Saved: the server made the tag, and the chip is no longer new.
    await chips.getByText('(new)').waitFor({ state: 'detached' });
    const post = await adminPost(state.adminToken, id);
    expect(post.tags.map((t) => t.slug).join() === slug, `the post has tags ${JSON.stringify(post.tags)}`);
    const tag = await apiOk('GET', `/api/v1/admin/tags/${slug}`, { token: state.adminToken });
    expect(tag.tag?.slug === slug, `GET the tag: ${JSON.stringify(tag)}`);
    await page.reload();
    await chips.getByRole('listitem').filter({ hasText: slug }).or(chips.getByRole('listitem').filter({ hasText: name })).waitFor();
  } finally {
    await context.close();
  }
}

async function signOutEndsSession() {
  expectStatuses([['401', '/api/v1/auth/refresh']]);
  const context = await newContext();
  try {
    const page = await openPage(context, '/admin/sign-in');
    // The list's request is held until after the sign-out: signing out must
    // cancel it, or its answer (a 401: the session has ended) would ask for
    // a new sign-in over the sign-in screen.
    const held = [];
    let asked;
    const listAsked = new Promise((resolve) => (asked = resolve));
    await page.route('**/api/v1/admin/posts?*', (route) => {
      held.push(route);
      asked();
    });
    await signIn(page, state.contributor.email, password);
    await listAsked;
    const cookie = (await context.cookies()).find((c) => c.name === 'longform_refresh');
    expect(cookie, 'no refresh cookie after signing in');
    const cancelled = page.waitForEvent('requestfailed', { predicate: (r) => r.url().includes('/api/v1/admin/posts?') });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await cancelled.catch(() => problems.push('signing out left the request for the posts in flight'));
    await page.unroute('**/api/v1/admin/posts?*');
    // A cancelled request's route can no longer be continued.
    await Promise.all(held.map((route) => route.continue().catch(() => undefined)));
    const left = (await context.cookies()).map((c) => c.name);
    expect(!left.includes('longform_refresh'), `cookies after signing out: ${left}`);
    await page.goto(`${base}/admin`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect((await page.getByRole('heading', { name: 'Posts' }).count()) === 0, 'the posts show after signing out');
    // The cookie's session is over on the server too, not only in this browser.
    const again = await api('POST', '/api/v1/auth/refresh', {
      headers: { Cookie: `longform_refresh=${cookie.value}`, 'X-Longform-CSRF': '1' },
      body: {},
    });
    expect(again.status === 401, `the old refresh cookie answers ${again.status}`);
  } finally {
    await context.close();
  }
}

// The posts of the README's list screenshot, newest (shown first) last.
const showcase = [
  ['Tracing without the noise: spans, fields and sampling', 'published', ['author'], 7],
  ['Cancellation safety in Tokio, by example', 'draft', ['editor'], 10],
  ['Reading the Linux scheduler from user space', 'draft', ['author'], 9],
  ['Rate limiting sign-ins without locking anyone out', 'scheduled', ['contributor'], 6],
  ['What we learned moving from PostgreSQL 14 to 16', 'published', ['editor'], 11],
  ['Building a Markdown renderer that cannot be tricked', 'draft', ['contributor'], 7],
  ['Error handling in libraries: thiserror, anyhow or neither', 'published', ['author'], 8],
  ['A field guide to Pin and Unpin', 'draft', ['editor'], 12],
  ['SQLite in production: WAL, busy timeouts and backups', 'published', ['contributor', 'editor'], 10],
  ['Profiling async Rust with tokio-console', 'scheduled', ['author'], 6],
  ['Keyset pagination, and why OFFSET falls over', 'published', ['editor', 'contributor'], 5],
  ['Zero-copy parsing with nom and bytes', 'published', ['author'], 9],
  ['What io_uring changes for a Rust web server', 'draft', ['contributor'], 13],
  ['Writing a lock-free queue you can reason about', 'published', ['editor'], 8],
];

async function postsListShowsStatusAndAuthors() {
  const page = state.adminPage;
  const paragraph = 'A paragraph of about fifty words stands in for the essay here, so that the list shows a reading time of a few minutes, as real posts on a technical blog have; the words themselves do not matter to the list, only how many of them there are.\n\n';
  for (const [title, status, roles, minutes] of showcase) {
    const authors = roles.map((role) => authorSlug(people[role]));
    await createPostAs(state.adminToken, { title, authors, markdown: paragraph.repeat(minutes * 5) }, status);
  }
  await page.goto(`${base}/admin/posts`);
  const rows = page.getByTestId('post-row');
  await rows.filter({ hasText: showcase.at(-1)[0] }).first().waitFor();
  for (const [title, status, roles] of showcase) {
    const row = rows.filter({ hasText: title }).first();
    await row.getByTestId('post-status').filter({ hasText: new RegExp(`^${status}$`, 'i') }).waitFor();
    const shown = await row.locator('td').nth(2).textContent();
    const names = roles.map((role) => people[role]).join(', ');
    expect(shown === names, `${title}: authors ${shown}, wanted ${names}`);
  }
  await page.screenshot({ path: join(out, 'admin-posts.png') });
}

// ---------------------------------------------------------------- running them

const only = process.env.LONGFORM_SUITE_ONLY ? process.env.LONGFORM_SUITE_ONLY.split(',') : null;
const allFlows = [
  signInWriteAndPublish,
  previewFollowsTyping,
  conflictMergedByHand,
  contributorCannotPublish,
  scheduleForLater,
  sessionEndsWhileTyping,
  localCopySurvives,
  noReadableToken,
  twoTabsRefreshTogether,
  trashAndRestore,
  searchByTitleWord,
  filterByTag,
  pagingThroughPosts,
  newTagOnTheFly,
  signOutEndsSession,
  ...siteFlows,
  ...mediaFlows,
  // Last: its posts are the newest, at the top of the list it photographs.
  postsListShowsStatusAndAuthors,
  ...a11yFlows,
];
// LONGFORM_SUITE_ONLY=a,b runs those flows (after the first, which signs in).
const flows = only ? allFlows.filter((f, i) => i === 0 || only.includes(f.name)) : allFlows;
let passed = 0;
let failed = 0;
try {
  await setup();
  for (const flow of flows) {
    resetChecks();
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
