// /docs (Redoc) and GraphiQL in headless Chromium with every network cut
// off but the server's: both must render, GraphiQL must run a query, and
// no request may leave the server's origin, no script may fail, and the
// Content-Security-Policy may refuse nothing. Writes a screenshot of each.
// Usage: node offline-pages.mjs http://127.0.0.1:PORT OUT_DIR
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [base, out] = process.argv.slice(2);
if (!base || !out) {
  console.error('usage: node offline-pages.mjs BASE_URL OUT_DIR');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const origin = new URL(base).origin;
const problems = [];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  // No name resolves, so nothing but the server's literal address is
  // reachable; and Chromium's own background traffic is switched off.
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
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`)) return route.continue();
    problems.push(`request outside the server: ${url}`);
    return route.abort('internetdisconnected');
  });

  async function visit(name, path, rendered) {
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`${name}: console error: ${msg.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`${name}: uncaught: ${error.message}`));
    const response = await page.goto(base + path, { waitUntil: 'load' });
    const csp = response.headers()['content-security-policy'] ?? '';
    if (!csp.includes("script-src 'self'")) problems.push(`${name}: no strict Content-Security-Policy: ${csp}`);
    await page.evaluate(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP refused ${e.blockedURI} (${e.violatedDirective})`);
      });
    });
    try {
      await rendered(page);
    } catch (error) {
      problems.push(`${name}: did not render: ${error.message.split('\n')[0]}`);
    }
    await page.screenshot({ path: join(out, `${name}.png`) });
    await page.close();
  }

  await visit('docs', '/docs', async (page) => {
    await page.locator('h1', { hasText: 'Longform' }).first().waitFor({ timeout: 20000 });
    // Every operation of /openapi.yaml is rendered as a heading.
    await page.waitForFunction(() => document.querySelectorAll('.api-content h2').length > 20, null, {
      timeout: 20000,
    });
  });
  await visit('graphiql', '/graphql', async (page) => {
    await page.locator('.graphiql-container').waitFor({ timeout: 20000 });
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.result-window', { hasText: 'readingTimeMinutes' }).waitFor({ timeout: 20000 });
  });
} finally {
  await browser.close();
}
for (const problem of problems) console.log(problem);
console.log(problems.length === 0 ? 'both pages rendered offline' : `${problems.length} problems`);
process.exit(problems.length === 0 ? 0 : 1);
