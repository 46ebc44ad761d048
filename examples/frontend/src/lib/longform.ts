// Everything the site reads from Longform, over GraphQL only (POST
// `${LONGFORM_URL}/graphql`), at build time: one typed function per query,
// and an error that says what went wrong and where when Longform cannot be
// read.
import { graphqlUrl } from '../site';
import type { Article, PostCard, PostPage, Site, Tag } from './types';

/** How long one request may take before the build gives up on it. */
const TIMEOUT_MS = 30_000;
/** The largest page `posts(first:)` gives. */
const MAX_PAGE = 100;

/** Longform could not be read, with the reason and what to do about it. */
export class LongformError extends Error {
  override name = 'LongformError';
}

const CARD = /* GraphQL */ `
  fragment Card on Post {
    slug
    title
    summary
    publishedAt
    readingTimeMinutes
    category { slug name }
  }
`;

const PAGE = /* GraphQL */ `
  fragment Page on PostConnection {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { ...Card }
  }
`;

interface GraphQLAnswer<T> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[] }[];
}

/** Run one query; any failure is a LongformError naming the query. */
async function query<T>(name: string, text: string, variables: Record<string, unknown> = {}): Promise<T> {
  const url = graphqlUrl();
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ query: text, variables, operationName: name }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new LongformError(
      `Longform is unreachable at ${url} (${reason(error)}). ` +
        'Start it (`make run` serves http://127.0.0.1:8080) or set LONGFORM_URL to its address.',
    );
  }
  const body = await response.text();
  let answer: GraphQLAnswer<T>;
  try {
    answer = JSON.parse(body) as GraphQLAnswer<T>;
  } catch {
    throw new LongformError(`${url} answered ${response.status} to ${name} with no GraphQL: ${excerpt(body)}`);
  }
  if (answer.errors?.length) {
    const messages = answer.errors.map((e) => e.message).join('; ');
    throw new LongformError(`Longform refused ${name} (HTTP ${response.status}): ${messages}`);
  }
  if (!response.ok || answer.data == null) {
    throw new LongformError(`Longform answered ${response.status} to ${name} with no data: ${excerpt(body)}`);
  }
  return answer.data;
}

function reason(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause as { code?: string; message?: string } | undefined;
    if (error.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`;
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}

const excerpt = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…` : text);

/** One page of the published posts, newest first, after `after` (a cursor). */
export async function postPage(first: number, after: string | null = null): Promise<PostPage> {
  const data = await query<{ posts: PostPage }>(
    'PostPage',
    `query PostPage($first: Int!, $after: String) { posts(first: $first, after: $after) { ...Page } } ${PAGE} ${CARD}`,
    { first, after },
  );
  return data.posts;
}

/** Every page of the published posts, `size` posts a page, by following the cursors. */
export async function allPostPages(size: number): Promise<PostPage[]> {
  const pages: PostPage[] = [];
  let after: string | null = null;
  for (;;) {
    const page: PostPage = await postPage(size, after);
    pages.push(page);
    if (!page.pageInfo.hasNextPage || page.pageInfo.endCursor === null) return pages;
    after = page.pageInfo.endCursor;
  }
}

/** Every published post's card, newest first. */
export async function allPosts(): Promise<PostCard[]> {
  return (await allPostPages(MAX_PAGE)).flatMap((page) => page.nodes);
}

/** A published post with all its article page shows; null when there is none. */
export async function article(slug: string): Promise<Article | null> {
  const data = await query<{ post: Article | null }>(
    'Article',
    `query Article($slug: String!) {
      post(slug: $slug) {
        ...Card
        updatedAt
        html
        toc { level text id }
        tags { slug name }
        authors { slug name }
        metaTitle
        metaDescription
        canonicalUrl
        related(first: 3) { ...Card }
      }
    } ${CARD}`,
    { slug },
  );
  return data.post;
}

let site: Promise<Site> | undefined;

/** The site's title, description and language (read once per build). */
export function siteInfo(): Promise<Site> {
  site ??= query<{ site: Site }>('Site', 'query Site { site { title description language url } }').then((d) => d.site);
  return site;
}

/** Every public tag. */
export async function tags(): Promise<Tag[]> {
  const data = await query<{ tags: Tag[] }>('Tags', 'query Tags { tags { slug name description postCount } }');
  return data.tags;
}

/** Every published post with the tag, newest first. */
export async function postsTagged(slug: string): Promise<PostCard[]> {
  const cards: PostCard[] = [];
  let after: string | null = null;
  for (;;) {
    const data: { posts: PostPage } = await query<{ posts: PostPage }>(
      'TaggedPosts',
      `query TaggedPosts($tag: String!, $first: Int!, $after: String) {
        posts(first: $first, after: $after, filter: { tag: $tag }) { ...Page }
      } ${PAGE} ${CARD}`,
      { tag: slug, first: MAX_PAGE, after },
    );
    cards.push(...data.posts.nodes);
    const { hasNextPage, endCursor } = data.posts.pageInfo;
    if (!hasNextPage || endCursor === null) return cards;
    after = endCursor;
  }
}
