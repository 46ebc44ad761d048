// The built site in Chromium, read as a person reads it, against the facts
// the Rust test (tests/e2e/frontend.rs) wrote from Longform's REST API: the
// index's cards and pages, an article's header, table of contents, code,
// tags and related posts, a tag page, the feeds, a phone's width, and that
// nothing failed or left 127.0.0.1 on the way.
// Usage: CHROMIUM=/usr/bin/chromium node e2e/check.mjs SITE_URL FACTS_JSON SCREENSHOT_DIR
// Prints `ok CHECK` or `FAIL CHECK: why` for each check, then
// `frontend suite: N passed, M failed`; exits 1 when one failed.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const [site, factsFile, out] = process.argv.slice(2);
if (!site || !factsFile || !out) {
  console.log('usage: CHROMIUM=… node e2e/check.mjs SITE_URL FACTS_JSON SCREENSHOT_DIR');
  process.exit(2);
}
const facts = JSON.parse(readFileSync(factsFile, 'utf8'));
mkdirSync(out, { recursive: true });
const WAIT = 8000;

// Playwright is the repository's own test tool, installed in tools/ (or
// admin/), not a dependency of the frontend.
function playwright() {
  const repo = fileURLToPath(new URL('../../../', import.meta.url));
  for (const dir of ['tools', 'admin']) {
    try {
      return createRequire(`${repo}${dir}/package.json`)('playwright-core');
    } catch {
      // the next place
    }
  }
  throw new Error('playwright-core is not installed in tools/ or admin/: run `make tools`');
}

// ---------------------------------------------------------------- what the browser saw

const problems = { console: [], requests: [], failed: [] };
function watch(page) {
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const url = message.location()?.url ?? '';
    problems.console.push(`${page.url()}: ${message.text()} ${url}`);
  });
  page.on('pageerror', (error) => problems.console.push(`${page.url()}: ${error.message}`));
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && url.hostname !== '127.0.0.1') problems.requests.push(request.url());
  });
  page.on('response', (response) => {
    if (response.status() >= 400) {
      problems.failed.push(`${response.status()} ${response.url()}`);
    }
  });
}

// ---------------------------------------------------------------- checks

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

function equal(actual, wanted, what) {
  expect(actual === wanted, `${what}: wanted ${JSON.stringify(wanted)}, got ${JSON.stringify(actual)}`);
}

const path = (page) => new URL(page.url()).pathname;

async function open(page, address) {
  const response = await page.goto(new URL(address, site).href, { waitUntil: 'load' });
  equal(response?.status(), 200, `GET ${address}`);
}

/** The cards of a listing, in order, as a reader sees them. */
function cards(page) {
  return page.getByRole('main').getByRole('article');
}

/** Each card shows its category, title (a link to the article), exact summary, date and reading time. */
async function expectCards(page, wanted) {
  const list = cards(page);
  equal(await list.count(), wanted.length, `cards on ${path(page)}`);
  for (const [i, post] of wanted.entries()) {
    const card = list.nth(i);
    const link = card.getByRole('link', { name: post.title, exact: true });
    equal(await link.getAttribute('href'), `/${post.slug}/`, `card ${i + 1}'s link`);
    for (const text of [post.category, post.summary, post.date, post.readingTime].filter(Boolean)) {
      const shown = card.getByText(text, { exact: true });
      expect((await shown.count()) === 1 && (await shown.isVisible()), `card ${i + 1} (${post.slug}) does not show "${text}"`);
    }
  }
}

async function expectLandmarks(page) {
  for (const role of ['banner', 'main', 'contentinfo']) {
    equal(await page.getByRole(role).count(), 1, `${role} landmarks on ${path(page)}`);
  }
  equal(await page.getByRole('heading', { level: 1 }).count(), 1, `h1 on ${path(page)}`);
}

/** Click each table-of-contents link: its heading, with that id and text, comes into view. */
async function expectTocWorks(page, article) {
  const toc = page.getByRole('navigation', { name: 'Table of contents' });
  if (article.toc.length === 0) {
    equal(await toc.count(), 0, `a table of contents on ${article.slug}, which has no headings`);
    return;
  }
  const links = toc.getByRole('link');
  equal(await links.count(), article.toc.length, `table-of-contents links on ${article.slug}`);
  for (const [i, entry] of article.toc.entries()) {
    const link = links.nth(i);
    equal((await link.textContent())?.trim(), entry.text, `contents link ${i + 1}'s text`);
    await link.click();
    await page
      .waitForFunction((id) => decodeURIComponent(location.hash.slice(1)) === id, entry.id, { timeout: WAIT })
      .catch(async () => {
        throw new Error(`contents link ${i + 1} led to ${await page.evaluate(() => location.hash)}, not #${entry.id}`);
      });
    const heading = page.locator(`[id="${entry.id.replaceAll('"', '\\"')}"]`);
    equal(await heading.count(), 1, `elements with id ${entry.id}`);
    const tag = await heading.evaluate((el) => el.tagName);
    equal(tag, `H${entry.level}`, `the element #${entry.id}`);
    equal((await heading.textContent())?.trim(), entry.text, `#${entry.id}'s text`);
    await page.waitForFunction(
      (id) => {
        const box = document.getElementById(id)?.getBoundingClientRect();
        return box && box.top >= 0 && box.top < innerHeight && box.height > 0;
      },
      entry.id,
      { timeout: WAIT },
    ).catch(() => {
      throw new Error(`#${entry.id} is not in view after clicking its contents link`);
    });
  }
}

const results = [];
async function check(name, body) {
  try {
    await body();
    results.push(true);
    console.log(`ok ${name}`);
  } catch (error) {
    results.push(false);
    console.log(`FAIL ${name}: ${String(error?.message ?? error).split('\n')[0]}`);
  }
}

// ---------------------------------------------------------------- the run

const browser = await playwright().chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(WAIT);
  const page = await context.newPage();
  watch(page);
  const { first, withToc } = facts;

  await check('the index shows the ten newest posts as cards', async () => {
    await open(page, '/');
    await expectLandmarks(page);
    await expectCards(page, facts.index);
    const tagline = await page.locator('header.intro p').innerText();
    if (tagline.trim() !== facts.description) throw new Error(`the index's tagline is ${JSON.stringify(tagline)}, not the site's description`);
    await page.screenshot({ path: `${out}/frontend-index.png`, fullPage: true });
  });

  await check('the index links the feeds', async () => {
    await open(page, '/');
    const longform = facts.longform.replace(/\/$/, '');
    const feeds = { RSS: '/feed.xml', Atom: '/atom.xml', 'JSON Feed': '/feed.json' };
    const alternates = await page.locator('head link[rel="alternate"]').evaluateAll((links) => links.map((l) => l.href));
    for (const [name, feedPath] of Object.entries(feeds)) {
      const feed = `${longform}${feedPath}`;
      expect(alternates.includes(feed), `no <link rel="alternate"> to ${feed}: ${alternates.join(', ')}`);
      const link = page.getByRole('contentinfo').getByRole('link', { name, exact: true });
      equal(await link.getAttribute('href'), feed, `the footer's ${name} link`);
      const response = await fetch(feed, { signal: AbortSignal.timeout(WAIT) });
      equal(response.status, 200, `GET ${feed}`);
    }
  });

  await check('Next page leads to the next ten posts and Previous back', async () => {
    await open(page, '/');
    equal(await page.getByRole('link', { name: 'Previous page' }).count(), 0, 'a Previous link on page 1');
    await page.getByRole('link', { name: 'Next page' }).click();
    await page.waitForURL(new URL('/page/2/', site).href);
    await expectCards(page, facts.page2);
    await page.getByRole('link', { name: 'Previous page' }).click();
    await page.waitForURL(new URL('/', site).href);
    equal(await cards(page).count(), 10, 'cards back on page 1');
  });

  await check('an article shows its title, authors, date and reading time', async () => {
    await open(page, '/');
    await cards(page).first().getByRole('link', { name: first.title, exact: true }).click();
    await page.waitForURL(new URL(`/${first.slug}/`, site).href);
    await expectLandmarks(page);
    equal((await page.getByRole('heading', { level: 1 }).textContent())?.trim(), first.title, 'the h1');
    const header = page.getByRole('main').getByRole('article').first();
    for (const text of [first.date, first.readingTime, first.summary]) {
      expect(await header.getByText(text, { exact: true }).first().isVisible(), `the article does not show "${text}"`);
    }
    for (const author of first.authors) {
      expect(await header.getByText(author).first().isVisible(), `the article does not name ${author}`);
    }
  });

  await check('the newest article\'s contents lead to its headings', async () => {
    await open(page, `/${first.slug}/`);
    await expectTocWorks(page, first);
  });

  await check('the newest article with headings: its contents lead to them', async () => {
    await open(page, `/${withToc.slug}/`);
    await page.screenshot({ path: `${out}/frontend-article.png` });
    await expectTocWorks(page, withToc);
  });

  await check('code blocks are monospace, light and scroll sideways', async () => {
    const article = [first, withToc].find((a) => a.hasCode);
    expect(article, 'neither article has a code block');
    await open(page, `/${article.slug}/`);
    const style = await page.locator('main pre').first().evaluate((pre) => {
      const s = getComputedStyle(pre);
      const code = getComputedStyle(pre.querySelector('code') ?? pre);
      return { overflowX: s.overflowX, background: s.backgroundColor, font: code.fontFamily, color: code.color };
    });
    expect(/mono/i.test(style.font), `code font: ${style.font}`);
    expect(['auto', 'scroll'].includes(style.overflowX), `pre overflow-x: ${style.overflowX}`);
    const [r, g, b] = style.background.match(/\d+/g).map(Number);
    expect(r + g + b > 3 * 200, `code background is not light: ${style.background}`);
  });

  await check('code is coloured by its language, its text unchanged', async () => {
    const article = [first, withToc].find((a) => a.code);
    expect(article, 'neither article has a code block that names its language');
    const [language, text] = article.code;
    await open(page, `/${article.slug}/`);
    const code = page.locator(`main pre code.language-${language}`).first();
    equal(await code.evaluate((c) => c.textContent), text, `the first ${language} block's text`);
    const colours = await code.evaluate((c) => {
      const plain = getComputedStyle(c).color;
      const tokens = [...c.querySelectorAll('.token.keyword, .token.string, .token.comment, .token.function')];
      return { plain, coloured: tokens.filter((t) => getComputedStyle(t).color !== plain).length };
    });
    expect(colours.coloured > 0, `no token of the ${language} block is coloured apart from ${colours.plain}`);
    // The README's picture: a block with its paragraph before it.
    await code.evaluate((c) => c.closest('pre').scrollIntoView({ block: 'center' }));
    await page.screenshot({ path: `${out}/frontend-code.png` });
  });

  await check('an article links its tags and related posts', async () => {
    await open(page, `/${first.slug}/`);
    const tags = page.getByRole('navigation', { name: 'Tags' });
    for (const tag of first.tags) {
      const link = tags.getByRole('link', { name: tag.name, exact: true });
      equal(await link.getAttribute('href'), `/tag/${tag.slug}/`, `the tag ${tag.name}'s link`);
    }
    const related = page.getByRole('region', { name: 'Related posts' });
    const hrefs = await related.getByRole('link').evaluateAll((links) => links.map((l) => l.getAttribute('href')));
    equal(hrefs.join(' '), first.related.map((slug) => `/${slug}/`).join(' '), 'related posts');
  });

  await check('a tag page lists its posts as cards', async () => {
    const tag = first.tags[0];
    expect(tag, `${first.slug} has no tag`);
    await open(page, `/${first.slug}/`);
    await page.getByRole('navigation', { name: 'Tags' }).getByRole('link', { name: tag.name, exact: true }).click();
    await page.waitForURL(new URL(`/tag/${tag.slug}/`, site).href);
    await expectLandmarks(page);
    equal((await page.getByRole('heading', { level: 1 }).textContent())?.trim(), tag.name, 'the tag page\'s h1');
    const link = cards(page).getByRole('link', { name: first.title, exact: true });
    equal(await link.count(), 1, `cards linking ${first.slug}`);
  });

  await check('an unknown address is the 404 page', async () => {
    const response = await page.goto(new URL('/no-such-page/', site).href);
    equal(response?.status(), 404, 'status');
    const expected = (line) => line.includes('/no-such-page/');
    problems.failed = problems.failed.filter((line) => !expected(line));
    problems.console = problems.console.filter((line) => !(expected(line) && line.includes('404')));
    expect(await page.getByRole('link', { name: 'Back to the articles' }).isVisible(), 'no way back');
  });

  await check('pages fit a 375 px wide screen', async () => {
    const phone = await browser.newPage({ viewport: { width: 375, height: 812 } });
    watch(phone);
    try {
      for (const address of ['/', `/${withToc.slug}/`]) {
        await open(phone, address);
        const width = await phone.evaluate(() => document.documentElement.scrollWidth);
        expect(width <= 375, `${address} is ${width} px wide at 375 px`);
        if (address === '/') await phone.screenshot({ path: `${out}/frontend-index-mobile.png`, fullPage: false });
      }
    } finally {
      await phone.close();
    }
  });

  await check('no console errors and no failed requests', async () => {
    const all = [...problems.console, ...problems.failed];
    expect(all.length === 0, all.slice(0, 5).join(' | '));
  });

  await check('no request leaves 127.0.0.1', async () => {
    expect(problems.requests.length === 0, problems.requests.slice(0, 5).join(' '));
  });
} finally {
  await browser.close();
}

const passed = results.filter(Boolean).length;
console.log(`frontend suite: ${passed} passed, ${results.length - passed} failed`);
process.exit(passed === results.length ? 0 : 1);
