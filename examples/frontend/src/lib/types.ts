// The shapes of the answers to the queries in longform.ts, written by hand
// from schema/schema.graphql: each type holds exactly the fields its query
// selects, so a field used but never asked for is a type error.

/** A post as a card shows it (the `Card` fragment). */
export interface PostCard {
  slug: string;
  title: string;
  /** Written by hand or taken from the body: shown as it is. */
  summary: string;
  /** RFC 3339. */
  publishedAt: string;
  readingTimeMinutes: number;
  category: { slug: string; name: string } | null;
}

export interface TocEntry {
  /** 1 to 6, as in `<h1>`..`<h6>`. */
  level: number;
  text: string;
  /** The heading's id in `html`. */
  id: string;
}

export interface TagRef {
  slug: string;
  name: string;
}

export interface AuthorRef {
  slug: string;
  name: string;
}

/** A post as its article page shows it. */
export interface Article extends PostCard {
  updatedAt: string;
  /** Sanitised by Longform: rendered as it is. */
  html: string;
  toc: TocEntry[];
  tags: TagRef[];
  authors: AuthorRef[];
  metaTitle: string | null;
  metaDescription: string | null;
  canonicalUrl: string | null;
  related: PostCard[];
}

export interface Tag extends TagRef {
  description: string | null;
  postCount: number;
}

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

/** One page of a post connection. */
export interface PostPage {
  totalCount: number;
  pageInfo: PageInfo;
  nodes: PostCard[];
}

/** The site itself (`Query.site`). */
export interface Site {
  title: string;
  description: string;
  /** A BCP 47 tag, e.g. `en`. */
  language: string;
  /** The frontend's base URL, without a trailing slash. */
  url: string;
}
