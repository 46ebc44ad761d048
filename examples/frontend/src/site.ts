// The site's settings, read from the environment at build time:
// LONGFORM_URL is where the build reads Longform (default: `make run`'s
// address); LONGFORM_PUBLIC_URL is where readers reach it (feeds and media),
// when that is another address. The blog's name and tagline come from
// Longform itself (`Query.site`).

const env = (name: string): string | undefined => process.env[name]?.trim() || undefined;
const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** Where the build reads Longform. */
export const longformUrl = (): string => trimSlash(env('LONGFORM_URL') ?? 'http://127.0.0.1:8080');
export const graphqlUrl = (): string => `${longformUrl()}/graphql`;

/** Where a reader's browser reaches Longform. */
export const publicUrl = (): string => trimSlash(env('LONGFORM_PUBLIC_URL') ?? longformUrl());

/** Posts on one page of the index. */
export const PAGE_SIZE = 10;

export interface Feed {
  /** For `<link rel="alternate" type>`. */
  type: string;
  /** What a link to it says. */
  label: string;
  href: string;
}

/** The feeds of a listing: the whole blog (`/feed.xml`, ...) or one tag's (`/tags/SLUG/feed.xml`, ...). */
export function feeds(prefix = ''): Feed[] {
  const base = `${publicUrl()}${prefix}`;
  return [
    { type: 'application/rss+xml', label: 'RSS', href: `${base}/feed.xml` },
    { type: 'application/atom+xml', label: 'Atom', href: `${base}/atom.xml` },
    { type: 'application/feed+json', label: 'JSON Feed', href: `${base}/feed.json` },
  ];
}
