// The Site area's flows: accounts, tags and categories, author profiles,
// integration tokens, webhooks with their delivery log, and which roles
// see which screens. Each signs in as few times as it can (the server
// allows 30 sign-ins per address in 15 minutes across the whole suite).
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import {
  api,
  apiOk,
  base,
  expect,
  expectStatuses,
  newContext,
  openPage,
  origin,
  out,
  run,
  signIn,
  state,
} from './lib.mjs';

/** The admin's page from the first flow, on a Site screen. */
async function siteScreen(section) {
  const page = state.adminPage;
  expect(page, 'the first flow did not sign the admin in');
  await page.goto(`${base}/admin/site/${section}`);
  return page;
}

/** What a textbox shown once holds, taken with its Copy button. */
async function copiedSecret(page, label) {
  await state.admin.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const box = page.getByRole('textbox', { name: label });
  await box.waitFor();
  await page.getByTestId('secret-once').getByRole('button', { name: 'Copy' }).click();
  await page.getByText('Copied to the clipboard.').waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied === (await box.inputValue()), 'the clipboard does not hold what the page shows');
  return copied;
}

async function me(token) {
  return (await apiOk('GET', '/api/v1/auth/me', { token })).user;
}

async function adminUserByEmail(email) {
  const { users } = await apiOk('GET', '/api/v1/admin/users', { token: state.adminToken });
  return users.find((u) => u.email === email);
}

// ---------------------------------------------------------------- users

async function adminManagesUsers() {
  const page = state.adminPage;
  expect(page, 'the first flow did not sign the admin in');
  await page.goto(`${base}/admin/posts`);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Site' }).click();
  await page.getByRole('heading', { name: 'Users' }).waitFor();
  expect(page.url().endsWith('/admin/site/users'), `an admin lands on ${page.url()}`);

  // Invite an editor: the password is made in the browser and shown once.
  const email = `invited-${run}@example.com`;
  const name = 'Tomasz Wierzbicki';
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Role', { exact: true }).selectOption('editor');
  await page.getByRole('button', { name: 'Invite' }).click();
  const oneTime = await copiedSecret(page, `One-time password for ${email}`);
  expect(oneTime.length >= 16, `a one-time password of ${oneTime.length} characters`);
  await page.getByText('change it after signing in').waitFor();
  const invited = page.locator(`[data-testid="user-row"][data-email="${email}"]`);
  await invited.waitFor();
  await page.screenshot({ path: join(out, 'admin-users.png') });

  // It works for a real sign-in, in another browser.
  const other = await newContext();
  try {
    const theirs = await openPage(other, '/admin/');
    await signIn(theirs, email, oneTime);
    await theirs.getByTestId('current-user').filter({ hasText: 'editor' }).waitFor();
  } finally {
    await other.close();
  }
  await page.getByRole('button', { name: 'Done, I have kept it' }).click();
  expect((await page.getByTestId('secret-once').count()) === 0, 'the password is still shown');

  // Change their role.
  await page.getByLabel(`Role of ${name}`).selectOption('author');
  for (let i = 0; i < 40 && (await adminUserByEmail(email))?.role !== 'author'; i++) await page.waitForTimeout(100);
  expect((await adminUserByEmail(email))?.role === 'author', 'the role did not change');

  // The only admin cannot demote themself: the API's refusal shows in the row.
  const self = await me(state.adminToken);
  expectStatuses([['400', '/api/v1/admin/users/'], ['401', '/api/v1/auth/login']]);
  await page.getByLabel(`Role of ${self.name}`).selectOption('editor');
  const refusal = page.getByTestId('user-error');
  await refusal.waitFor();
  const said = await refusal.innerText();
  expect(/demote|admin/i.test(said), `the refusal says: ${said}`);
  expect((await page.getByLabel(`Role of ${self.name}`).inputValue()) === 'admin', 'the select shows a role the admin does not have');
  expect((await me(state.adminToken)).role === 'admin', 'the admin was demoted');

  // (The last-admin 409 takes two admins acting at the same instant: no
  // single page can cause it, and the suite does not fake the server's
  // answers, so its sentence is not checked here.)

  // Disable them: their sign-in fails.
  await page.getByRole('button', { name: `Disable ${name}` }).click();
  await invited.getByText('Disabled').waitFor();
  const again = await newContext();
  try {
    const theirs = await openPage(again, '/admin/');
    await signIn(theirs, email, oneTime, { landsOnPosts: false });
    await theirs.getByRole('alert').waitFor();
    expect((await theirs.getByRole('heading', { name: 'Posts' }).count()) === 0, 'a disabled account signed in');
  } finally {
    await again.close();
  }
  expect((await api('POST', '/api/v1/auth/login', { body: { email, password: oneTime } })).status === 401, 'a disabled account signs in over the API');

  // Enable, then delete (asked first).
  await page.getByRole('button', { name: `Enable ${name}` }).click();
  await invited.getByText('Active').waitFor();
  await page.getByRole('button', { name: `Delete ${name}` }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await invited.waitFor({ state: 'detached' });
  expect(!(await adminUserByEmail(email)), 'the account is still there');
}

// ---------------------------------------------------------------- tags and categories

async function termsIncludingUnused() {
  const slug = `unused-${run}`;
  const name = `Unused ${run}`;
  await apiOk('POST', '/api/v1/admin/tags', { token: state.adminToken, body: { slug, name } });
  const page = await siteScreen('tags');
  const row = page.locator(`[data-testid="term-row"][data-slug="${slug}"]`);
  await row.getByText('Hidden').waitFor();
  expect((await api('GET', `/api/v1/tags/${slug}`)).status === 404, 'an unused tag is public');

  // Make it public.
  await row.getByRole('checkbox', { name: `Public: ${name}` }).check();
  await row.getByText('Listed').waitFor();
  expect((await api('GET', `/api/v1/tags/${slug}`)).status === 200, 'the tag made public is not listed');

  // A slug another tag has: the 409 shows under the slug field.
  expectStatuses([['409', '/api/v1/admin/tags/']]);
  await page.getByRole('button', { name: `Edit ${name}` }).click();
  const form = page.getByRole('form', { name: `Edit tag ${name}` });
  await form.getByLabel('Slug').fill('rust');
  await form.getByRole('button', { name: 'Save' }).click();
  await form.locator('.field-error').waitFor();
  expect((await form.getByLabel('Slug').getAttribute('aria-invalid')) === 'true', 'the slug field is not marked invalid');

  // Rename and re-slug.
  const renamed = `Renamed ${run}`;
  const newSlug = `renamed-${run}`;
  await form.getByLabel('Name').fill(renamed);
  await form.getByLabel('Slug').fill(newSlug);
  await form.getByLabel('Description').fill('Kept for later posts.');
  await form.getByRole('button', { name: 'Save' }).click();
  const moved = page.locator(`[data-testid="term-row"][data-slug="${newSlug}"]`);
  await moved.getByText(renamed, { exact: true }).waitFor();
  const { tag } = await apiOk('GET', `/api/v1/admin/tags/${newSlug}`, { token: state.adminToken });
  expect(tag.name === renamed && tag.description === 'Kept for later posts.' && tag.public, `stored ${JSON.stringify(tag)}`);

  // Delete, asked first.
  await page.getByRole('button', { name: `Delete ${renamed}` }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await moved.waitFor({ state: 'detached' });
  expect((await api('GET', `/api/v1/admin/tags/${newSlug}`, { token: state.adminToken })).status === 404, 'the tag was not deleted');

  // Categories: one made here, unused, is listed as hidden.
  await page.getByRole('navigation', { name: 'Site' }).getByRole('link', { name: 'Categories' }).click();
  await page.getByRole('heading', { name: 'Categories' }).waitFor();
  const category = `Field notes ${run}`;
  await page.getByLabel('Name', { exact: true }).fill(category);
  await page.getByRole('button', { name: 'Create category' }).click();
  const made = page.locator('[data-testid="term-row"]', { hasText: category });
  await made.getByText('Hidden').waitFor();
  await made.getByText('0', { exact: true }).waitFor();
}

// ---------------------------------------------------------------- author profiles

async function authorProfiles() {
  const page = await siteScreen('authors');
  const name = `Ines Duarte ${run}`;
  const form = page.locator('#author-form');
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Bio').fill('Writes about storage engines.');
  await form.getByLabel('Avatar URL').fill('https://images.example.com/ines.png');
  await form.getByLabel('Website').fill('https://ines.example.com');
  await form.getByRole('button', { name: 'Add a link' }).click();
  await form.getByLabel('Link 1 label').fill('Mastodon');
  await form.getByLabel('Link 1 URL').fill('https://social.example.com/@ines');
  await form.getByLabel('Public (listed before it has a published post)').check();
  await form.getByRole('button', { name: 'Create profile' }).click();
  const row = page.locator('[data-testid="author-row"]', { hasText: name });
  await row.getByText('Listed').waitFor();
  const slug = await row.getAttribute('data-slug');
  const { author } = await apiOk('GET', `/api/v1/admin/authors/${slug}`, { token: state.adminToken });
  expect(
    author.bio === 'Writes about storage engines.' && author.links[0]?.label === 'Mastodon' && author.public && author.avatar_url,
    `stored ${JSON.stringify(author)}`,
  );

  // An address the API refuses: its 400 under the field.
  expectStatuses([['400', '/api/v1/admin/authors/']]);
  await page.getByRole('button', { name: `Edit ${name}` }).click();
  await page.getByRole('heading', { name: `Edit ${name}` }).waitFor();
  await form.getByLabel('Website').fill('ftp://ines.example.com');
  await form.getByRole('button', { name: 'Save profile' }).click();
  await form.locator('.field-error').waitFor();
  expect((await form.getByLabel('Website').getAttribute('aria-invalid')) === 'true', 'the website field is not marked invalid');
  await form.getByLabel('Website').fill('');
  await form.getByLabel('Bio').fill('Writes about storage engines and logs.');
  await form.getByRole('button', { name: 'Save profile' }).click();
  await page.getByRole('heading', { name: 'New author profile' }).waitFor();
  const after = (await apiOk('GET', `/api/v1/admin/authors/${slug}`, { token: state.adminToken })).author;
  expect(after.website === null && after.bio === 'Writes about storage engines and logs.', `stored ${JSON.stringify(after)}`);

  await page.getByRole('button', { name: `Delete ${name}` }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await row.waitFor({ state: 'detached' });
  expect((await api('GET', `/api/v1/admin/authors/${slug}`, { token: state.adminToken })).status === 404, 'the profile was not deleted');
}

// ---------------------------------------------------------------- integration tokens

async function tokensShownOnce() {
  const page = await siteScreen('tokens');
  const name = `Deploy pipeline ${run}`;
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Scope').selectOption('write_content');
  await page.getByRole('button', { name: 'Create token' }).click();
  await page.getByText('This secret cannot be shown again.').waitFor();
  const secret = await copiedSecret(page, `Secret of ${name}`);
  expect(secret.startsWith('lf_'), 'the secret is not a token');
  const used = await api('GET', '/api/v1/admin/posts?limit=1', { token: secret });
  expect(used.status === 200, `the copied token: ${used.status}`);

  await page.reload();
  const row = page.locator('[data-testid="token-row"]', { hasText: name });
  await row.getByText('Active').waitFor();
  expect((await page.getByTestId('secret-once').count()) === 0, 'the secret is shown after a reload');
  expect(!(await page.content()).includes(secret), 'the page holds the secret after a reload');

  await page.getByRole('button', { name: `Revoke ${name}` }).click();
  await page.getByRole('button', { name: 'Yes, revoke' }).click();
  await row.getByText('Revoked').waitFor();
  const refused = await api('GET', '/api/v1/admin/posts?limit=1', { token: secret });
  expect(refused.status === 401, `a revoked token: ${refused.status}`);

  // A content key: 64 hex characters (Ghost's clients check for hex), shown
  // with how a Ghost frontend uses it rather than the bearer instructions.
  const site = `Ghost frontend ${run}`;
  await page.getByLabel('Name', { exact: true }).fill(site);
  await page.getByLabel('Scope').selectOption('content');
  await page.getByRole('button', { name: 'Create token' }).click();
  await page.getByText('This secret cannot be shown again.').waitFor();
  const key = await copiedSecret(page, `Secret of ${site}`);
  expect(/^[0-9a-f]{64}$/.test(key), `a content key is not 64 hex characters: ${key}`);
  const advice = page.getByTestId('secret-once');
  await advice.getByText('@tryghost/content-api').waitFor();
  const text = await advice.innerText();
  expect(text.includes('the key of @tryghost/content-api') && text.includes(origin), `the content key's instructions: ${text}`);
  expect(!text.includes('Authorization: Bearer'), 'a content key is shown with the bearer instructions');
  await page.screenshot({ path: join(out, 'admin-content-key.png') });
  const settings = `/ghost/api/content/settings/?key=${key}`;
  const read = await api('GET', settings, { headers: { 'Accept-Version': 'v5.0' } });
  expect(read.status === 200, `the content key on the Ghost Content API: ${read.status}`);
  await advice.getByRole('button', { name: 'Done, I have kept it' }).click();
  const keyRow = page.locator('[data-testid="token-row"]', { hasText: site });
  await keyRow.getByText('content', { exact: true }).waitFor();
  await page.getByRole('button', { name: `Revoke ${site}` }).click();
  await page.getByRole('button', { name: 'Yes, revoke' }).click();
  await keyRow.getByText('Revoked').waitFor();
  const unknown = await api('GET', settings, { headers: { 'Accept-Version': 'v5.0' } });
  expect(unknown.status === 401, `a revoked content key: ${unknown.status}`);
}

// ---------------------------------------------------------------- webhooks

/** An HTTP receiver on a free loopback port that keeps what it gets. */
async function receiver() {
  const got = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { got, url: `http://127.0.0.1:${server.address().port}/hooks/longform`, close: () => new Promise((r) => server.close(r)) };
}

async function until(check, what, timeout = 15_000) {
  const end = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function webhooksAndDeliveries() {
  const hook = await receiver();
  try {
    const page = await siteScreen('webhooks');
    await page.getByLabel('URL', { exact: true }).fill(hook.url);
    await page.getByLabel('Events').fill('tag.*, category.created');
    await page.getByLabel('Description (optional)').fill('Search index rebuild');
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await page.getByText('This secret cannot be shown again.').waitFor();
    const secret = await page.getByRole('textbox', { name: `Signing secret for ${hook.url}` }).inputValue();
    expect(secret.startsWith('whsec_'), 'no signing secret');
    await page.getByRole('button', { name: 'Done, I have kept it' }).click();

    await page.getByRole('link', { name: `Deliveries of ${hook.url}` }).click();
    await page.getByRole('heading', { name: 'Delivery log' }).waitFor();
    await page.getByRole('button', { name: 'Send a ping' }).click();
    const row = page.getByTestId('delivery-row').first();
    await row.getByTestId('delivery-status').filter({ hasText: 'delivered' }).waitFor({ timeout: 15_000 });
    await row.getByTestId('delivery-response').filter({ hasText: '200' }).waitFor();
    await until(() => hook.got.length >= 1, 'the ping');
    const first = hook.got[0];
    const id = first.headers['webhook-id'];
    expect(id && (await row.getAttribute('data-delivery-id')) === id, `the log's delivery is not ${id}`);
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const signed = createHmac('sha256', key).update(`${id}.${first.headers['webhook-timestamp']}.${first.body}`).digest('base64');
    expect(first.headers['webhook-signature']?.split(' ').includes(`v1,${signed}`), 'the ping is not signed with the secret shown');

    await row.getByRole('button', { name: /^Replay / }).click();
    const pings = () => hook.got.filter((g) => g.headers['webhook-id'] === id);
    await until(() => pings().length >= 2, 'the replay');
    expect(pings()[1].body === first.body, 'the replay is not the same delivery');
    const replayed = page.locator(`[data-testid="delivery-row"][data-delivery-id="${id}"]`);
    await replayed.getByTestId('delivery-attempts').filter({ hasText: /^2$/ }).waitFor({ timeout: 15_000 });
    await replayed.getByTestId('delivery-status').filter({ hasText: 'delivered' }).waitFor({ timeout: 15_000 });

    // An event it subscribes to arrives in the log too (and fills the screenshot).
    const tag = `webhook-${run}`;
    await apiOk('POST', '/api/v1/admin/tags', { token: state.adminToken, body: { slug: tag, name: 'Storage engines' } });
    const created = page.getByTestId('delivery-row').filter({ hasText: 'tag.created' });
    await until(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.waitForTimeout(300);
      return (await created.count()) > 0;
    }, 'the tag.created delivery in the log');
    await created.getByTestId('delivery-status').filter({ hasText: 'delivered' }).waitFor({ timeout: 15_000 });
    await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
    await page.mouse.move(700, 760);
    await page.screenshot({ path: join(out, 'admin-webhooks.png') });
    expect(pings().length === 2, `the receiver got the ping ${pings().length} times`);

    // Off, then deleted, from the list.
    await page.getByRole('link', { name: '← All webhooks' }).click();
    await page.getByRole('button', { name: `Edit ${hook.url}` }).click();
    await page.getByLabel('Active').uncheck();
    await page.getByRole('button', { name: 'Save webhook' }).click();
    const listed = page.getByTestId('webhook-row').filter({ hasText: hook.url });
    await listed.getByText('Off').waitFor();
    await page.getByRole('button', { name: `Delete ${hook.url}` }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await listed.waitFor({ state: 'detached' });
  } finally {
    await hook.close();
  }
}

// ---------------------------------------------------------------- roles

async function rolesSeeOnlyTheirScreens() {
  const context = await newContext();
  try {
    const page = await openPage(context, '/admin/');
    await signIn(page, state.contributor.email, state.contributor.password);
    const main = page.getByRole('navigation', { name: 'Main' });
    await main.getByRole('link', { name: 'Posts' }).waitFor();
    expect((await main.getByRole('link', { name: 'Site' }).count()) === 0, 'a contributor sees the Site area');
    await page.goto(`${base}/admin/site/users`);
    await page.getByText('The site settings are for editors and admins').waitFor();
    expect((await page.getByRole('navigation', { name: 'Site' }).count()) === 0, 'a contributor sees the Site menu');
  } finally {
    await context.close();
  }

  const editorContext = await newContext();
  try {
    const page = await openPage(editorContext, '/admin/');
    await signIn(page, state.editor.email, state.editor.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Site' }).click();
    await page.getByRole('heading', { name: 'Tags' }).waitFor();
    const menu = page.getByRole('navigation', { name: 'Site' });
    for (const shown of ['Tags', 'Categories', 'Author profiles']) await menu.getByRole('link', { name: shown }).waitFor();
    for (const hidden of ['Users', 'Integration tokens', 'Webhooks']) {
      expect((await menu.getByRole('link', { name: hidden }).count()) === 0, `an editor sees ${hidden}`);
    }
    await page.goto(`${base}/admin/site/tokens`);
    await page.getByText('does not allow this screen').waitFor();
    await page.goto(`${base}/admin/site/authors`);
    await page.getByRole('heading', { name: 'Author profiles' }).waitFor();
    await page.getByTestId('authors-table').waitFor();
  } finally {
    await editorContext.close();
  }
}

export const siteFlows = [
  adminManagesUsers,
  termsIncludingUnused,
  authorProfiles,
  tokensShownOnce,
  webhooksAndDeliveries,
  rolesSeeOnlyTheirScreens,
];
