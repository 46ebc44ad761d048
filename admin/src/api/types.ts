// The parts of openapi.yaml's shapes the editor reads and writes. Kept by
// hand to the names and nullability of the contract (snake_case as sent).

export type Role = 'contributor' | 'author' | 'editor' | 'admin';
export type PostStatus = 'draft' | 'scheduled' | 'published' | 'archived';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export interface Tokens {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export interface TermRef {
  slug: string;
  name: string;
}

export interface TocEntry {
  level: number;
  id: string;
  text: string;
}

export interface FeatureImage {
  url: string;
  alt: string | null;
}

export interface AdminPost {
  id: string;
  status: PostStatus;
  version: number;
  title: string;
  slug: string;
  summary: string;
  custom_summary: boolean;
  markdown: string;
  html: string;
  toc: TocEntry[];
  reading_time_minutes: number;
  word_count: number;
  tags: TermRef[];
  authors: TermRef[];
  category: TermRef | null;
  feature_image: FeatureImage | null;
  featured: boolean;
  canonical_url: string | null;
  updated_at: string;
  published_at: string | null;
  deleted_at: string | null;
}

/** PostFields of the contract: absent keeps a value, null clears it. */
export interface PostFields {
  title?: string;
  slug?: string;
  summary?: string | null;
  markdown?: string;
  category?: string | null;
  tags?: string[];
  authors?: string[];
  feature_image?: { url: string; alt: string | null } | null;
  featured?: boolean;
  canonical_url?: string | null;
}

export interface PostPage {
  posts: AdminPost[];
  meta: { pagination: { limit: number; next_cursor: string | null } };
}

export interface AdminTerm {
  slug: string;
  name: string;
}

export interface Rendered {
  html: string;
  toc: TocEntry[];
  word_count: number;
  reading_time_minutes: number;
}

/** An RFC 9457 problem document as the server writes it. */
export interface Problem {
  title?: string;
  detail?: string;
  status?: number;
  field?: string;
  invalid_params?: { name: string; reason: string }[];
  errors?: { field?: string; message?: string }[];
  current_version?: number;
}
