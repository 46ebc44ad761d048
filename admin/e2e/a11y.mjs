// The accessibility flows of the browser suite: axe-core audits every
// screen (no serious or critical violation), a writer signs in, writes,
// saves and publishes with the keyboard alone, seeing where the focus is,
// and the main screens fit a 375 px wide phone without sideways scrolling.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  SAVE_WAIT,
  WAIT,
  adminEmail,
  adminPassword,
  apiOk,
  base,
  browser,
  editorText,
  expect,
  expectStatuses,
  newContext,
  openPage,
  origin,
  out,
  problems,
  run,
  rustPost,
  signIn,
  state,
  typeBody,
  waitForSaved,
  watch,
} from './lib.mjs';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

// ---------------------------------------------------------------- axe

/**
 * A context for the audit only: the page's CSP forbids the inline script
 * that carries axe, so this one context bypasses it. Requests must still
 * stay on the server's origin, and errors still count.
 */
async function auditContext() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, bypassCSP: true });
  context.setDefaultTimeout(WAIT);
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith('data:') || url.startsWith('about:')) return route.continue();
    problems.push(`request outside the server: ${url}`);
    return route.abort('internetdisconnected');
  });
  context.on('page', watch);
  return context;
}

/** Runs axe on the page as it is; gives the serious and critical violations, named. */
async function audit(page, screen) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axePath });
  // The preview is a sandboxed frame without scripts, which axe cannot enter;
  // its content is the post's own HTML. The frame element itself is audited.
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { iframes: false, resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${screen}: ${v.id} (${v.impact}, ${v.help}) at ${v.targets.slice(0, 4).join(', ')}`);
}

async function pngFrom(page) {
  const data = await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 420;
    const g = canvas.getContext('2d');
    const sky = g.createLinearGradient(0, 0, 0, 420);
    sky.addColorStop(0, '#1d3557');
    sky.addColorStop(1, '#e76f51');
    g.fillStyle = sky;
    g.fillRect(0, 0, 640, 420);
    return canvas.toDataURL('image/png').split(',')[1];
  });
  return Buffer.from(data, 'base64');
}

async function uploadImage(token, bytes, filename, alt) {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'image/png' }), filename);
  form.append('alt', alt);
  const response = await fetch(`${base}/api/v1/admin/media`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
    body: form,
    signal: AbortSignal.timeout(WAIT),
  });
  const json = await response.json();
  if (response.status !== 201) throw new Error(`upload ${filename}: ${response.status} ${JSON.stringify(json)}`);
  return json.media;
}

const essay = (marker) =>
  `An essay for the audit, ${marker}.\n\n## Why orderings exist\n\nCompilers and CPUs reorder memory operations.\n\n### Relaxed\n\nOnly atomicity.\n\n\`\`\`rust\nuse std::sync::atomic::{AtomicUsize, Ordering};\nstatic HITS: AtomicUsize = AtomicUsize::new(0);\nfn main() {\n    HITS.fetch_add(1, Ordering::Relaxed);\n}\n\`\`\`\n\n## Acquire and release\n\nA pair that publishes data.\n`;

export async function axeFindsNothingSerious() {
  expectStatuses([['412', '/api/v1/admin/posts/']]);
  const token = state.adminToken;
  const marker = `axe-${run}`;
  let { post } = await apiOk('POST', '/api/v1/admin/posts', { token, body: { title: `Audited essay ${run}`, markdown: essay(marker) } });
  // A second revision, so that the history panel has a diff to show.
  post = (
    await apiOk('PATCH', `/api/v1/admin/posts/${post.id}`, {
      token,
      headers: { 'If-Match': `"${post.version}"` },
      body: { markdown: `${essay(marker)}\nA closing line.\n` },
    })
  ).post;

  const found = [];
  const context = await auditContext();
  try {
    const page = await context.newPage();
    await page.goto(`${base}/admin/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    found.push(...(await audit(page, 'sign-in')));
    await signIn(page, adminEmail, adminPassword);
    await page.getByTestId('post-row').first().waitFor();
    found.push(...(await audit(page, 'posts list')));

    await page.goto(`${base}/admin/posts/${post.id}`);
    await editorText(page).filter({ hasText: marker }).waitFor();
    await page.getByRole('navigation', { name: 'Table of contents' }).getByText('Acquire and release').waitFor();
    await page.getByTitle('Preview').waitFor();
    found.push(...(await audit(page, 'editor')));

    await page.getByRole('button', { name: 'History' }).click();
    const rows = page.getByTestId('history').getByTestId('revision');
    await rows.last().click();
    await page.getByTestId('revision-diff').waitFor();
    found.push(...(await audit(page, 'editor history')));
    await page.getByRole('button', { name: 'Back to the editor' }).click();

    // The conflict view: someone else saves while this page types.
    const current = (await apiOk('GET', `/api/v1/admin/posts/${post.id}`, { token })).post;
    await apiOk('PATCH', `/api/v1/admin/posts/${post.id}`, {
      token,
      headers: { 'If-Match': `"${current.version}"` },
      body: { markdown: `${current.markdown}\nTheir line.\n` },
    });
    await typeBody(page, '\nMy line.\n');
    await page.getByRole('button', { name: 'Save now' }).click();
    await page.getByRole('heading', { name: /Someone else saved this post/ }).waitFor({ timeout: SAVE_WAIT });
    found.push(...(await audit(page, 'editor conflict')));
    await page.getByRole('button', { name: 'Take theirs' }).click();

    const media = await uploadImage(token, await pngFrom(page), `audit-${run}.png`, 'A gradient from navy to coral');
    await page.goto(`${base}/admin/media/${media.id}`);
    await page.getByTestId('media-details').getByRole('heading', { name: media.filename }).waitFor();
    found.push(...(await audit(page, 'media library')));

    for (const section of ['users', 'tags', 'categories', 'authors', 'tokens', 'webhooks']) {
      await page.goto(`${base}/admin/site/${section}`);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await page.waitForFunction(() => !document.querySelector('main [role="status"]')?.textContent?.startsWith('Loading'), null, { timeout: WAIT });
      found.push(...(await audit(page, `site ${section}`)));
    }
  } finally {
    await context.close();
  }
  expect(found.length === 0, `axe: ${found.join('; ')}`);
}

// ---------------------------------------------------------------- the keyboard

/** What has the focus: its role, name and whether a ring shows it. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    // CodeMirror draws its ring on the editor around its content element.
    const ringed = el.closest('.cm-editor') ?? el;
    const style = getComputedStyle(ringed);
    const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
    const label = el.getAttribute('aria-label') ?? el.labels?.[0]?.textContent ?? el.textContent ?? '';
    return { tag: el.tagName.toLowerCase(), type: el.getAttribute('type'), name: label.trim().replace(/\s+/g, ' '), ring };
  });
}

/**
 * Presses Tab (or Shift+Tab) until the focus is on what `wanted` accepts,
 * checking on every stop that the focus can be seen.
 */
async function tabTo(page, wanted, what, { back = false, max = 40 } = {}) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    let now = await focused(page);
    if (!now) continue;
    // CodeMirror marks itself focused on the next frame.
    for (let tries = 0; !now.ring && tries < 5; tries++) {
      await page.waitForTimeout(50);
      now = await focused(page);
    }
    expect(now.ring, `no visible focus on ${now.tag} "${now.name}" (on the way to ${what})`);
    if (wanted(now)) return now;
    seen.push(now.name.slice(0, 30));
  }
  throw new Error(`Tab never reached ${what}; passed ${seen.join(' | ')}`);
}

const named = (name) => (f) => f.name === name;

export async function keyboardOnlyWriting() {
  const context = await newContext();
  try {
    const page = await openPage(context, '/admin/sign-in');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await tabTo(page, (f) => f.tag === 'input' && f.type === 'email', 'the email field');
    await page.keyboard.type(adminEmail);
    await tabTo(page, (f) => f.tag === 'input' && f.type === 'password', 'the password field');
    await page.keyboard.type(adminPassword);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Posts' }).waitFor();

    // The posts list: past the tabs and filters, back with Shift+Tab to New post.
    await tabTo(page, named('Search'), 'the search box');
    await tabTo(page, named('New post'), 'New post', { back: true });
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/posts\/new$/);
    await page.getByRole('textbox', { name: 'Title' }).waitFor();
    // A new post puts the focus on its title.
    const title = `Typed by keyboard ${run}`;
    expect((await focused(page))?.name === 'Title', 'a new post does not focus its title');
    await page.keyboard.type(title);
    await tabTo(page, named('Body (Markdown)'), 'the text');
    await page.keyboard.type(`Every key of this post was pressed, keyboard-${run}.`);
    await page.keyboard.press('Control+s');
    await waitForSaved(page);
    await page.waitForURL(/\/admin\/posts\/[0-9a-f-]{36}$/);
    const id = new URL(page.url()).pathname.split('/').pop();

    // Tab passes over a disabled button: wait, as a person would, until the
    // save that just finished leaves Publish enabled.
    await page.waitForFunction(() =>
      [...document.querySelectorAll('button')].some((b) => b.textContent.trim() === 'Publish' && !b.disabled),
    );
    await tabTo(page, named('Publish'), 'Publish');
    await page.getByTestId('word-count').filter({ hasText: /^[1-9]\d* words$/ }).waitFor();
    await page.screenshot({ path: join(out, 'admin-keyboard-focus.png') });
    await page.keyboard.press('Enter');
    await page.getByTestId('post-status').filter({ hasText: 'published' }).waitFor();
    const saved = (await apiOk('GET', `/api/v1/admin/posts/${id}`, { token: state.adminToken })).post;
    expect(saved.status === 'published' && saved.title === title, `the post is ${saved.status}, titled ${saved.title}`);
    expect(saved.markdown.includes(`keyboard-${run}`), 'the typed text was not saved');

    // Back to the list by the link at the top, with Shift+Tab.
    await tabTo(page, named('← Posts'), 'the link back to the posts', { back: true, max: 80 });
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: title }).waitFor();
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------- 375 px

async function fitsWidth(page, screen) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  if (width <= 375) return;
  // Name the outermost elements that stick out, to say what to fix.
  const wide = await page.evaluate(() =>
    [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > 376 && !(el.parentElement?.getBoundingClientRect().right > 376))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`),
  );
  throw new Error(`${screen} scrolls sideways: ${width}px wide at 375, past the edge: ${wide.join(', ')}`);
}

/** Visible, inside the viewport's width, and not covered by something else. */
async function usable(page, locator, what) {
  await locator.scrollIntoViewIfNeeded();
  const box = await locator.boundingBox();
  expect(box && box.width > 0 && box.x >= 0 && box.x + box.width <= 375, `${what} is outside the screen: ${JSON.stringify(box)}`);
  const onTop = await locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return hit === el || el.contains(hit);
  });
  expect(onTop, `${what} is covered by something else`);
}

export async function narrowLayout375() {
  const { post } = await apiOk('POST', '/api/v1/admin/posts', {
    token: state.adminToken,
    body: { title: `Reading on a phone, a long title that has to wrap ${run}`, markdown: rustPost(`narrow-${run}`) },
  });
  const context = await newContext();
  try {
    const page = await openPage(context, '/admin/sign-in');
    await page.setViewportSize({ width: 375, height: 812 });
    await signIn(page, adminEmail, adminPassword);
    await page.getByTestId('post-row').first().waitFor();
    await page.screenshot({ path: join(out, 'admin-narrow-posts.png') });
    await fitsWidth(page, 'the posts list');
    await usable(page, page.getByRole('button', { name: 'New post' }), 'New post');
    await usable(page, page.getByRole('button', { name: 'Sign out' }), 'Sign out');

    await page.goto(`${base}/admin/posts/${post.id}`);
    await editorText(page).filter({ hasText: `narrow-${run}` }).waitFor();
    await page.getByTitle('Preview').waitFor();
    await page.screenshot({ path: join(out, 'admin-narrow-editor.png') });
    await fitsWidth(page, 'the editor');
    await usable(page, page.getByRole('button', { name: 'Save now' }), 'Save now');
    await usable(page, page.getByRole('textbox', { name: 'Body (Markdown)' }), 'the text');
    await typeBody(page, '\nA line typed on a phone.\n');
    await page.getByRole('button', { name: 'Save now' }).click();
    await waitForSaved(page);
    await usable(page, page.getByRole('button', { name: 'Publish', exact: true }), 'Publish');
    await fitsWidth(page, 'the editor, scrolled');
    await page.evaluate(() => {
      window.scrollTo(0, 0);
      if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
    });
    await page.screenshot({ path: join(out, 'admin-narrow-editor.png') });

    await uploadImage(state.adminToken, await pngFrom(page), `narrow-${run}.png`, 'A gradient from navy to coral');
    await page.goto(`${base}/admin/media`);
    await page.getByRole('heading', { name: 'Media', exact: true }).waitFor();
    await page.getByTestId('media-item').first().waitFor();
    await fitsWidth(page, 'the media library');
    await page.getByRole('list', { name: 'Media items' }).getByRole('button', { name: new RegExp(`^narrow-${run}`) }).click();
    const details = page.getByTestId('media-details');
    await details.getByRole('heading', { name: `narrow-${run}.png` }).waitFor();
    await page.screenshot({ path: join(out, 'admin-narrow-media.png') });
    await fitsWidth(page, 'the media details');
    await usable(page, details.getByRole('link', { name: 'Close the details' }), 'Close the details');

    // The Site screens: their lists and forms fit too.
    for (const section of ['users', 'tags', 'categories', 'authors', 'tokens', 'webhooks']) {
      await page.goto(`${base}/admin/site/${section}`);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await page.waitForFunction(() => !document.querySelector('main [role="status"]')?.textContent?.startsWith('Loading'), null, { timeout: WAIT });
      if (section === 'users') await page.screenshot({ path: join(out, 'admin-narrow-site-users.png') });
      await fitsWidth(page, `site ${section}`);
    }
  } finally {
    await context.close();
  }
}

export const a11yFlows = [axeFindsNothingSerious, keyboardOnlyWriting, narrowLayout375];
