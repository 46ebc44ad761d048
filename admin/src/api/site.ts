// The administration endpoints of openapi.yaml: accounts, tags, categories,
// author profiles, integration tokens and webhooks. Every change of a
// versioned resource carries If-Match with the version the screen shows.
import { request, route } from './client';
import type { components, paths } from './openapi';

type Schemas = components['schemas'];
interface JsonContent {
  content: { 'application/json': unknown };
}
type Json<R extends JsonContent> = R['content']['application/json'];

export type Role = Schemas['Role'];
export type Account = Schemas['User'];
export type Term = Schemas['AdminTerm'];
export type AuthorProfile = Schemas['AdminAuthor'];
export type TokenScope = Schemas['TokenScope'];
export type ApiToken = Schemas['ApiToken'];
export type Webhook = Schemas['Webhook'];
export type WebhookWithSecret = Schemas['WebhookWithSecret'];
export type Delivery = Schemas['WebhookDelivery'];

export type NewAccount = Json<paths['/api/v1/admin/users']['post']['requestBody']>;
export type AccountChanges = Json<paths['/api/v1/admin/users/{id}']['patch']['requestBody']>;
export type TermFields = Schemas['TermFields'];
export type NewTerm = TermFields & { name: string };
export type AuthorFields = Schemas['AuthorFields'];
export type NewAuthor = AuthorFields & { name: string };
export type NewToken = Json<paths['/api/v1/admin/tokens']['post']['requestBody']>;
export type CreatedToken = Json<paths['/api/v1/admin/tokens']['post']['responses'][201]>['token'];
export type NewWebhook = Json<paths['/api/v1/admin/webhooks']['post']['requestBody']>;
export type WebhookChanges = Json<paths['/api/v1/admin/webhooks/{id}']['patch']['requestBody']>;
export type DeliveryPage = Json<paths['/api/v1/admin/webhooks/{id}/deliveries']['get']['responses'][200]>;

/** Tags and categories share their shape, under their own paths. */
export type TermKind = 'tags' | 'categories';

const ifMatch = (version: number) => ({ 'If-Match': `"${version}"` });

// ---------------------------------------------------------------- accounts

export async function listAccounts(): Promise<Account[]> {
  return (await request<{ users: Account[] }>(route('/api/v1/admin/users'))).data.users;
}

export async function createAccount(body: NewAccount): Promise<Account> {
  return (await request<{ user: Account }>(route('/api/v1/admin/users'), { method: 'POST', body })).data.user;
}

export async function updateAccount(account: Account, body: AccountChanges): Promise<Account> {
  const path = route('/api/v1/admin/users/{id}', { id: account.id });
  return (await request<{ user: Account }>(path, { method: 'PATCH', body, headers: ifMatch(account.version) })).data.user;
}

export async function deleteAccount(account: Account): Promise<void> {
  await request<null>(route('/api/v1/admin/users/{id}', { id: account.id }), { method: 'DELETE', headers: ifMatch(account.version) });
}

// ---------------------------------------------------------------- tags and categories

const singular = { tags: 'tag', categories: 'category' } as const;

function termPath(kind: TermKind, slug: string): string {
  return kind === 'tags' ? route('/api/v1/admin/tags/{slug}', { slug }) : route('/api/v1/admin/categories/{slug}', { slug });
}

export async function listTermsOf(kind: TermKind): Promise<Term[]> {
  const path = kind === 'tags' ? route('/api/v1/admin/tags') : route('/api/v1/admin/categories');
  const data = (await request<Record<TermKind, Term[]>>(path)).data;
  return data[kind];
}

export async function createTerm(kind: TermKind, body: NewTerm): Promise<Term> {
  const path = kind === 'tags' ? route('/api/v1/admin/tags') : route('/api/v1/admin/categories');
  const data = (await request<Record<string, Term>>(path, { method: 'POST', body })).data;
  return data[singular[kind]] as Term;
}

export async function updateTerm(kind: TermKind, term: Term, body: TermFields): Promise<Term> {
  const data = (await request<Record<string, Term>>(termPath(kind, term.slug), { method: 'PATCH', body, headers: ifMatch(term.version) })).data;
  return data[singular[kind]] as Term;
}

export async function deleteTerm(kind: TermKind, term: Term): Promise<void> {
  await request<null>(termPath(kind, term.slug), { method: 'DELETE', headers: ifMatch(term.version) });
}

// ---------------------------------------------------------------- author profiles

export async function listAuthorProfiles(): Promise<AuthorProfile[]> {
  return (await request<{ authors: AuthorProfile[] }>(route('/api/v1/admin/authors'))).data.authors;
}

export async function createAuthorProfile(body: NewAuthor): Promise<AuthorProfile> {
  return (await request<{ author: AuthorProfile }>(route('/api/v1/admin/authors'), { method: 'POST', body })).data.author;
}

export async function updateAuthorProfile(author: AuthorProfile, body: AuthorFields): Promise<AuthorProfile> {
  const path = route('/api/v1/admin/authors/{slug}', { slug: author.slug });
  return (await request<{ author: AuthorProfile }>(path, { method: 'PATCH', body, headers: ifMatch(author.version) })).data.author;
}

export async function deleteAuthorProfile(author: AuthorProfile): Promise<void> {
  const path = route('/api/v1/admin/authors/{slug}', { slug: author.slug });
  await request<null>(path, { method: 'DELETE', headers: ifMatch(author.version) });
}

// ---------------------------------------------------------------- integration tokens

export async function listTokens(): Promise<ApiToken[]> {
  return (await request<{ tokens: ApiToken[] }>(route('/api/v1/admin/tokens'))).data.tokens;
}

export async function createToken(body: NewToken): Promise<CreatedToken> {
  return (await request<{ token: CreatedToken }>(route('/api/v1/admin/tokens'), { method: 'POST', body })).data.token;
}

export async function revokeToken(token: ApiToken): Promise<void> {
  await request<null>(route('/api/v1/admin/tokens/{id}', { id: token.id }), { method: 'DELETE', headers: ifMatch(token.version) });
}

// ---------------------------------------------------------------- webhooks

export async function listWebhooks(): Promise<Webhook[]> {
  return (await request<{ webhooks: Webhook[] }>(route('/api/v1/admin/webhooks'))).data.webhooks;
}

export async function getWebhook(id: string): Promise<Webhook> {
  return (await request<{ webhook: Webhook }>(route('/api/v1/admin/webhooks/{id}', { id }))).data.webhook;
}

export async function createWebhook(body: NewWebhook): Promise<WebhookWithSecret> {
  return (await request<{ webhook: WebhookWithSecret }>(route('/api/v1/admin/webhooks'), { method: 'POST', body })).data.webhook;
}

export async function updateWebhook(hook: Webhook, body: WebhookChanges): Promise<Webhook> {
  const path = route('/api/v1/admin/webhooks/{id}', { id: hook.id });
  return (await request<{ webhook: Webhook }>(path, { method: 'PATCH', body, headers: ifMatch(hook.version) })).data.webhook;
}

export async function deleteWebhook(hook: Webhook): Promise<void> {
  await request<null>(route('/api/v1/admin/webhooks/{id}', { id: hook.id }), { method: 'DELETE', headers: ifMatch(hook.version) });
}

export async function listDeliveries(id: string, before?: string): Promise<DeliveryPage> {
  const params = new URLSearchParams({ limit: '20' });
  if (before) params.set('before', before);
  return (await request<DeliveryPage>(`${route('/api/v1/admin/webhooks/{id}/deliveries', { id })}?${params}`)).data;
}

export async function replayDelivery(id: string, delivery: string): Promise<void> {
  await request<unknown>(route('/api/v1/admin/webhooks/{id}/deliveries/{delivery}/replay', { id, delivery }), { method: 'POST' });
}

export async function pingWebhook(id: string): Promise<void> {
  await request<unknown>(route('/api/v1/admin/webhooks/{id}/ping', { id }), { method: 'POST' });
}
