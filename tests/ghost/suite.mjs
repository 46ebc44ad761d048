// Ghost's own Content API client (@tryghost/content-api) and theme helpers
// (@tryghost/helpers) against a Longform server's /ghost/api/content, as a
// Ghost frontend uses them: browsing and paging, reading, includes, NQL
// filters, tags, authors, settings, fields and formats, older clients'
// URLs, and Ghost-shaped errors. Every answer is checked against the facts
// file tests/e2e/ghost.rs wrote as it seeded the blog (newest post first).
// Usage: LONGFORM_GHOST_KEY=… LONGFORM_GHOST_REVOKED_KEY=… LONGFORM_GHOST_FACTS=facts.json node suite.mjs BASE_URL
// Prints `ok FLOW` or `FAIL FLOW: why` for each flow, then
// `ghost suite: N passed, M failed`; exits 1 when one failed.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import GhostContentAPI from '@tryghost/content-api';
import { readingTime, tags as tagsHelper, utils } from '@tryghost/helpers';

const base = (process.argv[2] ?? '').replace(/\/$/, '');
const key = process.env.LONGFORM_GHOST_KEY;
const revokedKey = process.env.LONGFORM_GHOST_REVOKED_KEY;
if (!base || !key || !revokedKey || !process.env.LONGFORM_GHOST_FACTS) {
  console.log('usage: LONGFORM_GHOST_KEY=… LONGFORM_GHOST_REVOKED_KEY=… LONGFORM_GHOST_FACTS=… node suite.mjs BASE_URL');
  process.exit(2);
}
const facts = JSON.parse(readFileSync(process.env.LONGFORM_GHOST_FACTS, 'utf8'));
const api = new GhostContentAPI({ url: base, key, version: 'v5.0' });

// ---------------------------------------------------------------- what was said

// The axios instance the client itself loads, so that a failure can name
// the request it made and the answer it got (the key left out).
const requireFromClient = createRequire(createRequire(import.meta.url).resolve('@tryghost/content-api'));
const axios = requireFromClient('axios');
axios.defaults.timeout = 20_000;
let exchanges = [];
const redact = (url) => url.replace(/key=[^&]*/, 'key=…');
axios.interceptors.request.use((config) => {
  exchanges.push({ url: redact(axios.getUri(config)), headers: { ...config.headers } });
  return config;
});
const answered = (response) => {
  const exchange = exchanges.at(-1);
  if (exchange) Object.assign(exchange, { status: response.status, data: response.data, answer: response.headers });
  return response;
};
axios.interceptors.response.use(answered, (error) => {
  if (error.response) answered(error.response);
  return Promise.reject(error);
});
const lastExchange = () => exchanges.at(-1);
const short = (text) => (text && text.length > 400 ? `${text.slice(0, 400)}…` : text);
const describe = (exchange) =>
  exchange ? `GET ${exchange.url} → ${exchange.status ?? 'no answer'} ${short(JSON.stringify(exchange.data)) ?? ''}` : 'no request';

// ---------------------------------------------------------------- checks

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

/** JSON with every object's keys sorted: their order means nothing. */
const canonical = (value) =>
  JSON.stringify(value, (_, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );

function equal(actual, wanted, what) {
  const [a, w] = [canonical(actual), canonical(wanted)];
  if (a !== w) throw new Error(`${what}: got ${short(a)}, want ${short(w)}`);
}

/** The request must fail with `status` (or one of a list) and one of `names` as the error's name. */
async function refused(promise, status, names, what) {
  let error;
  try {
    await promise;
  } catch (thrown) {
    error = thrown;
  }
  expect(error, `${what}: answered instead of failing`);
  expect(error.response, `${what}: no answer (${error.message})`);
  const statuses = [status].flat();
  expect(statuses.includes(error.response.status), `${what}: the status is ${error.response.status}, want ${statuses.join(' or ')}`);
  expect(names.includes(error.name), `${what}: the error is ${error.name}, want ${names.join(' or ')}`);
  const body = error.response.data;
  expect(Array.isArray(body?.errors) && body.errors.length > 0, `${what}: no errors array`);
  for (const field of ERROR_FIELDS) {
    expect(field in body.errors[0], `${what}: errors[0] has no ${field}`);
  }
  expect(typeof error.message === 'string' && error.message.length > 0, `${what}: no message`);
  return error;
}

/** Every key named `name` anywhere inside `value`, as paths. */
function keysNamed(value, name, path = '') {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [
    ...(k === name ? [`${path}.${k}`] : []),
    ...keysNamed(v, name, `${path}.${k}`),
  ]);
}

function integers(pagination, what) {
  for (const field of ['page', 'pages', 'total']) {
    expect(Number.isInteger(pagination[field]), `${what}: pagination.${field} is ${pagination[field]}`);
  }
  for (const field of ['next', 'prev']) {
    const value = pagination[field];
    expect(value === null || Number.isInteger(value), `${what}: pagination.${field} is ${JSON.stringify(value)}`);
  }
}

const POST_FIELDS = [
  'id', 'uuid', 'title', 'slug', 'html', 'comment_id', 'feature_image', 'feature_image_alt',
  'feature_image_caption', 'featured', 'visibility', 'created_at', 'updated_at', 'published_at',
  'custom_excerpt', 'codeinjection_head', 'codeinjection_foot', 'custom_template', 'canonical_url', 'url',
  'excerpt', 'reading_time', 'access', 'comments', 'og_image', 'og_title', 'og_description',
  'twitter_image', 'twitter_title', 'twitter_description', 'meta_title', 'meta_description',
  'email_subject', 'frontmatter',
];
const TAG_FIELDS = [
  'id', 'name', 'slug', 'description', 'feature_image', 'visibility', 'og_image', 'og_title',
  'og_description', 'twitter_image', 'twitter_title', 'twitter_description', 'meta_title',
  'meta_description', 'codeinjection_head', 'codeinjection_foot', 'canonical_url', 'accent_color', 'url',
];
const AUTHOR_FIELDS = [
  'id', 'name', 'slug', 'profile_image', 'cover_image', 'bio', 'website', 'location', 'facebook',
  'twitter', 'meta_title', 'meta_description', 'url',
];
const SETTINGS_FIELDS = [
  'title', 'description', 'logo', 'icon', 'accent_color', 'cover_image', 'facebook', 'twitter', 'lang',
  'locale', 'timezone', 'codeinjection_head', 'codeinjection_foot', 'navigation', 'secondary_navigation',
  'meta_title', 'meta_description', 'og_image', 'og_title', 'og_description', 'twitter_image',
  'twitter_title', 'twitter_description', 'members_support_address', 'url',
];
const ERROR_FIELDS = ['message', 'context', 'type', 'details', 'property', 'help', 'code', 'id', 'ghostErrorCode'];
const GHOST_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/;

const present = (object, fields, what) => {
  for (const field of fields) expect(object[field] !== undefined, `${what} has no ${field}`);
};

/** A post as Ghost shapes it, and as the seed made it. */
function checkPost(post, fact) {
  const what = `post ${fact.slug}`;
  present(post, POST_FIELDS, what);
  equal([post.slug, post.title, post.url], [fact.slug, fact.title, fact.url], `${what}: slug, title, url`);
  equal([post.featured, post.visibility, post.access], [fact.featured, 'public', true], `${what}: featured, visibility, access`);
  for (const field of ['published_at', 'created_at', 'updated_at']) {
    expect(GHOST_TIME.test(post[field]), `${what}: ${field} ${post[field]} is not like 2026-06-20T05:00:00.000+00:00`);
  }
  equal(Date.parse(post.published_at), Date.parse(fact.published_at), `${what}: published_at ${post.published_at}`);
  equal(post.custom_excerpt, fact.custom_excerpt, `${what}: custom_excerpt`);
  equal(post.feature_image, fact.feature_image, `${what}: feature_image`);
  if (fact.custom_excerpt) equal(post.excerpt, fact.custom_excerpt, `${what}: excerpt`);
  else expect(post.excerpt?.startsWith(fact.opening), `${what}: excerpt ${short(post.excerpt)} is not the body's start`);
  expect(typeof post.html === 'string' && post.html.includes(fact.opening), `${what}: html ${short(post.html)}`);
  // Longform's own count, not Ghost's (docs/GHOST.md): the editor's figure.
  equal(post.reading_time, fact.reading_time, `${what}: reading_time`);
  equal(keysNamed(post, 'email'), [], `${what}: email keys`);
}

function checkTag(tag, fact, what) {
  present(tag, TAG_FIELDS, what);
  equal([tag.slug, tag.name, tag.url, tag.visibility], [fact.slug, fact.name, fact.url, 'public'], what);
}

function checkAuthor(author, fact, what) {
  present(author, AUTHOR_FIELDS, what);
  equal([author.slug, author.name, author.url], [fact.slug, fact.name, fact.url], what);
  equal(keysNamed(author, 'email'), [], `${what}: email keys`);
}

// ---------------------------------------------------------------- the facts

const slugs = (posts) => posts.map((post) => post.slug);
const expected = (keep) => slugs(facts.posts.filter(keep));
const tagged = (slug) => (post) => post.tags.some((tag) => tag.slug === slug);
const by = (slug) => (post) => post.authors.some((author) => author.slug === slug);
const fact = (slug) => facts.posts.find((post) => post.slug === slug);
const all = (options = {}) => api.posts.browse({ limit: 'all', ...options });
const authorFacts = Object.fromEntries(facts.authors.map((author) => [author.slug, author]));

/** `filter` answers the seeded posts `keep` selects, newest first. */
async function filtered(filter, keep) {
  const posts = await all({ filter });
  equal(slugs(posts), expected(keep), `filter ${filter}`);
  equal(posts.meta.pagination.total, posts.length, `filter ${filter}: total`);
}

// ---------------------------------------------------------------- flows

async function browsePostsNewestFirst() {
  const posts = await api.posts.browse();
  equal(slugs(posts), slugs(facts.posts.slice(0, 15)), 'the first page');
  const total = facts.posts.length;
  const pagination = { page: 1, limit: 15, pages: Math.ceil(total / 15), total, next: 2, prev: null };
  equal(posts.meta.pagination, pagination, 'meta.pagination');
  integers(posts.meta.pagination, 'the first page');
  for (const post of posts) {
    checkPost(post, fact(post.slug));
    expect(!('tags' in post) && !('authors' in post), `${post.slug}: tags or authors without include`);
  }
  expect(lastExchange().url.startsWith(`${base}/ghost/api/content/posts/?`), `asked ${lastExchange().url}`);
  equal(lastExchange().headers['Accept-Version'], 'v5.0', 'the client sent Accept-Version');
}

async function pagesLinkToEachOther() {
  const total = facts.posts.length;
  const pages = Math.ceil(total / 10);
  const second = await api.posts.browse({ limit: 10, page: 2 });
  equal(slugs(second), slugs(facts.posts.slice(10, 20)), 'page 2');
  equal(second.meta.pagination, { page: 2, limit: 10, pages, total, next: 3, prev: 1 }, 'page 2 meta');
  const last = await api.posts.browse({ limit: 10, page: pages });
  equal(slugs(last), slugs(facts.posts.slice(10 * (pages - 1))), 'the last page');
  equal(last.meta.pagination, { page: pages, limit: 10, pages, total, next: null, prev: pages - 1 }, 'last meta');
  integers(last.meta.pagination, 'the last page');
}

async function walkingEveryPageSeesEachPostOnce() {
  const seen = [];
  let page = 1;
  for (let guard = 0; page !== null; guard++) {
    expect(guard < 20, 'more than 20 pages of 10');
    const posts = await api.posts.browse({ limit: 10, page, include: 'tags,authors' });
    equal(posts.meta.pagination.page, page, 'the page answered');
    seen.push(...slugs(posts));
    page = posts.meta.pagination.next;
  }
  equal(seen, slugs(facts.posts), 'every post, newest first, once');
}

async function limitAllReturnsEverything() {
  const posts = await all();
  equal(slugs(posts), slugs(facts.posts), 'limit all');
  const total = facts.posts.length;
  equal(posts.meta.pagination, { page: 1, limit: 'all', pages: 1, total, next: null, prev: null }, 'limit all meta');
  const hundred = await api.posts.browse({ limit: 100 });
  equal([hundred.length, hundred.meta.pagination.limit], [total, 100], 'limit 100');
}

async function readBySlugAndById() {
  const wanted = facts.posts[3];
  const bySlug = await api.posts.read({ slug: wanted.slug });
  expect(!Array.isArray(bySlug), 'a read answers one post');
  checkPost(bySlug, wanted);
  equal(Object.keys(lastExchange().data), ['posts'], 'a read has no meta');
  equal(lastExchange().data.posts.length, 1, 'a read answers one post');
  const byId = await api.posts.read({ id: bySlug.id }, { include: 'tags,authors' });
  equal([byId.id, byId.slug, byId.uuid], [bySlug.id, wanted.slug, bySlug.uuid], 'read by id');
  equal(slugs(byId.tags), slugs(wanted.tags), 'read by id: tags');
  const other = await api.posts.read({ slug: facts.posts[4].slug });
  expect(other.id !== bySlug.id && other.uuid !== bySlug.uuid, 'two posts share an id');
}

async function tagsAndAuthorsComeIncluded() {
  const posts = await all({ include: 'tags,authors' });
  equal(slugs(posts), slugs(facts.posts), 'limit all with includes');
  for (const post of posts) {
    const seeded = fact(post.slug);
    equal(slugs(post.tags), slugs(seeded.tags), `${post.slug}: tags in order`);
    post.tags.forEach((tag, i) => checkTag(tag, seeded.tags[i], `${post.slug}: tag ${i}`));
    equal(post.primary_tag, post.tags[0], `${post.slug}: primary_tag`);
    equal(slugs(post.authors), slugs(seeded.authors), `${post.slug}: authors in order`);
    post.authors.forEach((author, i) => checkAuthor(author, seeded.authors[i], `${post.slug}: author ${i}`));
    equal(post.primary_author, post.authors[0], `${post.slug}: primary_author`);
  }
}

async function themeHelpersRenderTagsAuthorsAndReadingTime() {
  const posts = await all({ include: 'tags,authors' });
  for (const post of posts) {
    const seeded = fact(post.slug);
    const names = seeded.tags.map((tag) => tag.name);
    equal(tagsHelper(post), names.join(', '), `${post.slug}: tags(post)`);
    equal(tagsHelper(post, { limit: 1 }), names[0], `${post.slug}: tags(post, {limit: 1})`);
    equal(tagsHelper(post, { prefix: 'In ', separator: ' / ' }), `In ${names.join(' / ')}`, `${post.slug}: prefix`);
    const authorNames = utils.visibility.filter(post.authors, 'public', (author) => author.name).join(', ');
    equal(authorNames, seeded.authors.map((author) => author.name).join(', '), `${post.slug}: public authors`);
    const minutes = seeded.reading_time;
    equal(readingTime(post), minutes > 1 ? `${minutes} min read` : '1 min read', `${post.slug}: readingTime(post)`);
  }
  const long = posts.find((post) => fact(post.slug).long);
  expect(long, 'the long post is missing');
  const minutes = fact(long.slug).reading_time;
  expect(minutes > 1, `the long post reads in ${minutes} min`);
  equal(readingTime(long), `${minutes} min read`, 'readingTime of the long post');
  equal(readingTime(long, { minutes: '% minutes' }), `${minutes} minutes`, 'readingTime with a format');
  // Without the server's figure, the helper counts the HTML itself, as Ghost would.
  const counted = utils.readingMinutes(long.html, long.feature_image ? 1 : 0);
  expect(counted > 1, `the long post's HTML counts ${counted} min`);
  equal(readingTime({ ...long, reading_time: 0 }), `${counted} min read`, 'readingTime from the HTML');
}

async function filtersByTag() {
  for (const tag of facts.tags) {
    await filtered(`tag:${tag.slug}`, tagged(tag.slug));
    await filtered(`primary_tag:${tag.slug}`, (post) => post.tags[0].slug === tag.slug);
  }
  const [a, b] = [facts.tags[0].slug, facts.tags[3].slug];
  await filtered(`tags:[${a},${b}]`, (post) => tagged(a)(post) || tagged(b)(post));
  await filtered(`tags.slug:${b}`, tagged(b));
  await filtered(`tag:-${a}`, (post) => !tagged(a)(post));
}

async function filtersByAuthor() {
  for (const author of facts.authors) {
    await filtered(`author:${author.slug}`, by(author.slug));
    await filtered(`primary_author:${author.slug}`, (post) => post.authors[0].slug === author.slug);
  }
  const [a, b] = [facts.authors[1].slug, facts.authors[2].slug];
  await filtered(`authors:[${a},${b}]`, (post) => by(a)(post) || by(b)(post));
  await filtered(`authors.slug:${a}`, by(a));
}

async function filtersByFeaturedAndCombinations() {
  await filtered('featured:true', (post) => post.featured);
  await filtered('featured:false', (post) => !post.featured);
  const [a, b] = [facts.tags[1].slug, facts.tags[4].slug];
  const author = facts.authors[0].slug;
  await filtered(`featured:true+tag:${a}`, (post) => post.featured && tagged(a)(post));
  await filtered(`featured:true,tag:${b}`, (post) => post.featured || tagged(b)(post));
  await filtered(`(tag:${a},tag:${b})+author:${author}`, (post) => (tagged(a)(post) || tagged(b)(post)) && by(author)(post));
  await filtered(`tag:${a}+-author:${author}`, (post) => tagged(a)(post) && !by(author)(post));
}

async function relatedPostsLeaveThePostOut() {
  const shown = await api.posts.read({ slug: facts.posts[4].slug }, { include: 'tags' });
  const primary = shown.primary_tag.slug;
  const related = await api.posts.browse({ filter: `id:-${shown.id}+tag:${primary}`, limit: 3, include: 'tags' });
  const wanted = expected((post) => post.slug !== shown.slug && tagged(primary)(post)).slice(0, 3);
  equal(slugs(related), wanted, `related to ${shown.slug} by ${primary}`);
  await filtered(`slug:-${shown.slug}`, (post) => post.slug !== shown.slug);
  const itself = await api.posts.browse({ filter: `id:${shown.id}` });
  equal(slugs(itself), [shown.slug], 'filter by id');
  await filtered(`slug:[${facts.posts[0].slug},${shown.slug}]`, (post) => [facts.posts[0].slug, shown.slug].includes(post.slug));
}

async function filtersByPublicationDate() {
  const times = facts.posts.map((post) => Date.parse(post.published_at));
  const cutoff = new Date((times[8] + times[9]) / 2).toISOString().slice(0, 10);
  const at = Date.parse(`${cutoff}T00:00:00Z`);
  await filtered(`published_at:>'${cutoff}'`, (post) => Date.parse(post.published_at) > at);
  await filtered(`published_at:<='${cutoff}'`, (post) => Date.parse(post.published_at) <= at);
  const exact = facts.posts[5].published_at.replace('T', ' ').replace('Z', '');
  await filtered(`published_at:>='${exact}'`, (post) => Date.parse(post.published_at) >= times[5]);
  await filtered('published_at:<now-30d', () => true);
  await filtered('published_at:>now-30d', () => false);
  await filtered(`published_at:>'${cutoff}'+featured:true`, (post) => Date.parse(post.published_at) > at && post.featured);
}

async function ordersAsAsked() {
  const oldest = await all({ order: 'published_at asc' });
  equal(slugs(oldest), slugs(facts.posts).reverse(), 'published_at asc');
  const byTitle = [...facts.posts].sort((a, b) => (a.title < b.title ? -1 : 1));
  equal(slugs(await all({ order: 'title asc' })), slugs(byTitle), 'title asc');
  equal(slugs(await all({ order: 'title desc' })), slugs(byTitle).reverse(), 'title desc');
  const page = await api.posts.browse({ order: 'published_at asc', limit: 10, page: 2 });
  equal(slugs(page), slugs(facts.posts).reverse().slice(10, 20), 'published_at asc, page 2');
}

async function tagsCountTheirPublishedPosts() {
  const tags = await api.tags.browse({ include: 'count.posts', limit: 'all' });
  equal(slugs(tags), slugs(facts.tags), 'tags by name');
  for (const [i, tag] of tags.entries()) {
    checkTag(tag, facts.tags[i], `tag ${tag.slug}`);
    equal(tag.count, { posts: facts.tags[i].posts }, `tag ${tag.slug}: count`);
  }
  equal(tags.meta.pagination.total, facts.tags.length, 'tags total');
  const wanted = facts.tags[2];
  const one = await api.tags.read({ slug: wanted.slug }, { include: 'count.posts' });
  checkTag(one, wanted, 'tag read by slug');
  equal(one.count, { posts: wanted.posts }, 'tag read: count');
  const byId = await api.tags.read({ id: one.id });
  equal(byId.slug, wanted.slug, 'tag read by id');
  const plain = await api.tags.browse({ limit: 2 });
  equal([slugs(plain), plain.meta.pagination.next], [slugs(facts.tags.slice(0, 2)), 2], 'two tags');
}

async function authorsShowNoEmail() {
  const authors = await api.authors.browse({ include: 'count.posts', limit: 'all' });
  equal(slugs(authors), slugs(facts.authors), 'authors by name');
  for (const author of authors) {
    const wanted = authorFacts[author.slug];
    checkAuthor(author, wanted, `author ${author.slug}`);
    equal([author.bio, author.website, author.profile_image], [wanted.bio, wanted.website, wanted.profile_image], `author ${author.slug}: profile`);
    equal(author.count, { posts: wanted.posts }, `author ${author.slug}: count`);
  }
  const linked = facts.authors.find((author) => author.profile_image);
  const one = await api.authors.read({ slug: linked.slug }, { include: 'count.posts' });
  checkAuthor(one, linked, 'author read by slug');
  equal((await api.authors.read({ id: one.id })).slug, linked.slug, 'author read by id');
  const everything = JSON.stringify([authors, one, await all({ include: 'authors' })]);
  for (const email of facts.emails) expect(!everything.includes(email), `${email} shows`);
}

async function settingsDescribeTheSite() {
  const settings = await api.settings.browse();
  present(settings, SETTINGS_FIELDS, 'settings');
  equal([settings.title, settings.description], [facts.site.title, facts.site.description], 'title, description');
  equal(settings.url.replace(/\/$/, ''), facts.site.url, 'settings url');
  expect(Array.isArray(settings.navigation) && Array.isArray(settings.secondary_navigation), 'navigation arrays');
  equal(lastExchange().data.meta, {}, 'settings meta');
}

async function fieldsNarrowTheAnswer() {
  const posts = await api.posts.browse({ fields: 'title,url', limit: 3 });
  for (const [i, post] of posts.entries()) {
    equal(Object.keys(post).sort(), ['id', 'title', 'url'], 'fields title,url');
    equal([post.title, post.url], [facts.posts[i].title, facts.posts[i].url], `post ${i}`);
  }
  const one = await api.posts.read({ slug: facts.posts[0].slug }, { fields: 'slug,published_at' });
  equal(Object.keys(one).sort(), ['id', 'published_at', 'slug'], 'read with fields');
  // Names the answer lacks are ignored (as Ghost ignores them): asking for
  // an email or a password gets the id alone.
  const authors = await api.authors.browse({ fields: 'email,password_hash,name', limit: 'all' });
  for (const author of authors) equal(Object.keys(author).sort(), ['id', 'name'], 'fields naming private ones');
  const tags = await api.tags.browse({ fields: 'public,slug', limit: 1 });
  equal(Object.keys(tags[0]).sort(), ['id', 'slug'], 'a tag field that is not public');
}

async function plaintextOnRequest() {
  const posts = await api.posts.browse({ formats: 'plaintext', limit: 3 });
  for (const [i, post] of posts.entries()) {
    expect(typeof post.plaintext === 'string', `post ${i}: no plaintext`);
    expect(post.plaintext.includes(facts.posts[i].opening), `post ${i}: plaintext ${short(post.plaintext)}`);
    expect(!/[<>`]/.test(post.plaintext), `post ${i}: markup in plaintext ${short(post.plaintext)}`);
  }
  const both = await api.posts.read({ slug: facts.posts[0].slug }, { formats: 'html,plaintext' });
  expect(both.html.includes('<') && !both.plaintext.includes('<'), 'formats html,plaintext');
  // Ghost's editor documents: a starter that asks for them gets null, as
  // Ghost answers for a post written in its other editor, and no HTML
  // unless it asks for that too.
  const documents = await api.posts.read({ slug: facts.posts[0].slug }, { formats: 'mobiledoc,lexical' });
  equal([documents.mobiledoc, documents.lexical], [null, null], 'formats mobiledoc,lexical');
  expect(!('html' in documents) && !('plaintext' in documents), `formats mobiledoc,lexical: ${Object.keys(documents)}`);
  const plain = await api.posts.browse({ limit: 1 });
  expect(!('mobiledoc' in plain[0]) && !('lexical' in plain[0]), 'editor documents that were not asked for');
}

async function olderClientsUseTheirPrefix() {
  for (const version of ['v2', 'v3', 'v4', 'canary']) {
    const old = new GhostContentAPI({ url: base, key, version });
    const posts = await old.posts.browse({ limit: 2, include: 'tags' });
    expect(lastExchange().url.startsWith(`${base}/ghost/api/${version}/content/posts/?`), `asked ${lastExchange().url}`);
    equal(slugs(posts), slugs(facts.posts.slice(0, 2)), `${version}: browse`);
    equal(posts[0].primary_tag?.slug, facts.posts[0].tags[0].slug, `${version}: primary_tag`);
    const one = await old.posts.read({ slug: facts.posts[1].slug });
    equal(one.title, facts.posts[1].title, `${version}: read`);
    equal((await old.settings.browse()).title, facts.site.title, `${version}: settings`);
  }
}

async function answersSayTheirVersion() {
  await api.posts.browse({ limit: 1 });
  const version = lastExchange().answer['content-version'];
  expect(/^v\d+\.\d+$/.test(version ?? ''), `Content-Version is ${version}`);
}

async function unknownAndRevokedKeysAreRefused() {
  const keys = { unknown: randomBytes(32).toString('hex'), revoked: revokedKey, short: randomBytes(13).toString('hex') };
  for (const [which, other] of Object.entries(keys)) {
    const stranger = new GhostContentAPI({ url: base, key: other, version: 'v5.0' });
    const error = await refused(stranger.posts.browse(), 401, ['UnauthorizedError'], `${which} key`);
    equal(error.message, 'Unknown Content API Key', `${which} key: message`);
    await refused(stranger.tags.browse(), 401, ['UnauthorizedError'], `${which} key on tags`);
  }
  const bare = await fetch(`${base}/ghost/api/content/posts/`);
  equal(bare.status, 401, 'no key');
  equal((await bare.json()).errors?.[0]?.type, 'UnauthorizedError', 'no key: type');
}

const BAD_REQUEST = ['BadRequestError', 'ValidationError'];

async function malformedFiltersAreRefused() {
  for (const filter of ['tag:', '(tag:go', 'tag:go+', "title:'unclosed", 'tag:[go,rust', 'featured:>>true', 'nonsense:1']) {
    const error = await refused(api.posts.browse({ filter }), 400, BAD_REQUEST, `filter ${filter}`);
    expect(/\d/.test(`${error.message} ${error.context ?? ''}`), `filter ${filter}: no position in ${error.message}`);
  }
  await refused(api.tags.browse({ filter: 'slug:' }), 400, BAD_REQUEST, 'tags filter slug:');
}

async function privateFieldsCannotBeFiltered() {
  for (const filter of ['status:draft', 'status:[draft,published]', 'email:x', 'password_hash:x', 'authors.email:x', 'authors.password_hash:x']) {
    await refused(api.posts.browse({ filter }), 400, BAD_REQUEST, `filter ${filter}`);
  }
  await refused(api.authors.browse({ filter: 'email:x' }), 400, BAD_REQUEST, 'authors filter email:x');
}

async function limitsAreBounded() {
  for (const limit of [0, 101, -1]) {
    await refused(api.posts.browse({ limit }), 400, BAD_REQUEST, `limit ${limit}`);
  }
  await refused(api.posts.browse({ limit: 10, page: 1001 }), 400, BAD_REQUEST, 'page 1001 of 10');
  await refused(api.posts.browse({ limit: 100, page: 101 }), 400, BAD_REQUEST, 'page 101 of 100');
  const far = await api.posts.browse({ limit: 10, page: 1000 });
  equal([far.length, far.meta.pagination.total], [0, facts.posts.length], 'page 1000 of 10: empty');
}

async function unknownThingsAreNotFound() {
  const known = await api.posts.read({ slug: facts.posts[0].slug });
  const last = known.id.at(-1);
  const unknownId = known.id.slice(0, -1) + (last === '0' ? '1' : '0');
  const cases = [
    [() => api.posts.read({ slug: 'no-such-post' }), 'post slug'],
    [() => api.posts.read({ id: unknownId }), `post id ${unknownId}`],
    [() => api.tags.read({ slug: 'no-such-tag' }), 'tag slug'],
    [() => api.authors.read({ slug: 'no-such-author' }), 'author slug'],
  ];
  for (const [read, what] of cases) {
    const error = await refused(read(), 404, ['NotFoundError'], what);
    expect(error.message.length > 0, `${what}: no message`);
  }
}

async function draftsScheduledAndTrashedNeverShow() {
  const everything = await all({ include: 'tags,authors' });
  const known = await api.posts.read({ slug: facts.posts[0].slug });
  const sameIds = known.id === fact(known.slug).longform_id;
  const text = JSON.stringify(everything);
  for (const post of facts.hidden) {
    for (const secret of [post.title, post.slug]) expect(!text.includes(secret), `${secret} shows`);
    await refused(api.posts.read({ slug: post.slug }), 404, ['NotFoundError'], `read ${post.slug}`);
    // The id the editor knows it by; when the Ghost ids are other ids, any refusal will do.
    const [status, names] = sameIds ? [404, ['NotFoundError']] : [[404, 400], ['NotFoundError', ...BAD_REQUEST]];
    await refused(api.posts.read({ id: post.longform_id }), status, names, `read ${post.slug} by id`);
    equal(slugs(await all({ filter: `slug:${post.slug}` })), [], `filter slug:${post.slug}`);
    equal(slugs(await all({ filter: `id:${post.longform_id}` })), [], `filter id: of ${post.slug}`);
  }
  const hiddenSlugs = facts.hidden.map((post) => post.slug).join(',');
  equal(slugs(await all({ filter: `slug:[${hiddenSlugs}]` })), [], 'filter on the hidden slugs');
  equal(everything.meta.pagination.total, facts.posts.length, 'the total counts published posts only');
  const tags = JSON.stringify(await api.tags.browse({ limit: 'all', include: 'count.posts' }));
  for (const tag of facts.hidden_tags) {
    expect(!tags.includes(`"${tag}"`), `tag ${tag} is listed`);
    await refused(api.tags.read({ slug: tag }), 404, ['NotFoundError'], `read tag ${tag}`);
    equal(slugs(await all({ filter: `tag:${tag}` })), [], `filter tag:${tag}`);
    equal(slugs(await api.tags.browse({ filter: `slug:${tag}` })), [], `tags filter slug:${tag}`);
  }
  const authors = JSON.stringify(await api.authors.browse({ limit: 'all' }));
  for (const author of facts.hidden_authors) {
    expect(!authors.includes(`"${author}"`), `author ${author} is listed`);
    await refused(api.authors.read({ slug: author }), 404, ['NotFoundError'], `read author ${author}`);
    equal(slugs(await api.authors.browse({ filter: `slug:${author}` })), [], `authors filter slug:${author}`);
    equal(slugs(await all({ filter: `author:${author}` })), [], `filter author:${author}`);
  }
}

async function pagesAreNotPosts() {
  const pages = await api.pages.browse({ limit: 'all' });
  expect(Array.isArray(pages), 'pages is no list');
  equal(pages.meta.pagination.total, pages.length, 'pages total');
  const postSlugs = new Set([...slugs(facts.posts), ...slugs(facts.hidden)]);
  equal(slugs(pages).filter((slug) => postSlugs.has(slug)), [], 'posts among the pages');
  await refused(api.pages.read({ slug: facts.posts[0].slug }), 404, ['NotFoundError'], 'a post read as a page');
}

// ---------------------------------------------------------------- running them

const allFlows = [
  browsePostsNewestFirst,
  pagesLinkToEachOther,
  walkingEveryPageSeesEachPostOnce,
  limitAllReturnsEverything,
  readBySlugAndById,
  tagsAndAuthorsComeIncluded,
  themeHelpersRenderTagsAuthorsAndReadingTime,
  filtersByTag,
  filtersByAuthor,
  filtersByFeaturedAndCombinations,
  relatedPostsLeaveThePostOut,
  filtersByPublicationDate,
  ordersAsAsked,
  tagsCountTheirPublishedPosts,
  authorsShowNoEmail,
  settingsDescribeTheSite,
  fieldsNarrowTheAnswer,
  plaintextOnRequest,
  olderClientsUseTheirPrefix,
  answersSayTheirVersion,
  unknownAndRevokedKeysAreRefused,
  malformedFiltersAreRefused,
  privateFieldsCannotBeFiltered,
  limitsAreBounded,
  unknownThingsAreNotFound,
  draftsScheduledAndTrashedNeverShow,
  pagesAreNotPosts,
];
// LONGFORM_SUITE_ONLY=a,b runs those flows only.
const only = process.env.LONGFORM_SUITE_ONLY?.split(',');
const flows = only ? allFlows.filter((flow) => only.includes(flow.name)) : allFlows;
let passed = 0;
let failed = 0;
for (const flow of flows) {
  exchanges = [];
  try {
    await flow();
    console.log(`ok ${flow.name}`);
    passed++;
  } catch (error) {
    const why = (error.message ?? String(error)).split('\n')[0];
    console.log(`FAIL ${flow.name}: ${why} (last request: ${describe(lastExchange())})`);
    failed++;
  }
}
console.log(`ghost suite: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
