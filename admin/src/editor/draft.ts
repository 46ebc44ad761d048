// The editable form of a post, what a save sends for it, and the copy
// kept in localStorage so that no keystroke depends on the network.
import type { AdminPost, PostFields } from '../api/types';

export interface Draft {
  title: string;
  slug: string;
  /** Empty: the server derives the summary from the body. */
  summary: string;
  markdown: string;
  category: string;
  tags: string[];
  authors: string[];
  imageUrl: string;
  imageAlt: string;
  /** Chosen from the media library: saved as `feature_image: { media_id }`. */
  imageMediaId: string;
  featured: boolean;
  canonicalUrl: string;
}

export const emptyDraft: Draft = {
  title: '',
  slug: '',
  summary: '',
  markdown: '',
  category: '',
  tags: [],
  authors: [],
  imageUrl: '',
  imageAlt: '',
  imageMediaId: '',
  featured: false,
  canonicalUrl: '',
};

export function draftFromPost(post: AdminPost): Draft {
  return {
    title: post.title,
    slug: post.slug,
    summary: post.custom_summary ? post.summary : '',
    markdown: post.markdown,
    category: post.category?.slug ?? '',
    tags: post.tags.map((t) => t.slug),
    authors: post.authors.map((a) => a.slug),
    imageUrl: post.feature_image?.url ?? '',
    imageAlt: post.feature_image?.alt ?? '',
    imageMediaId: '',
    featured: post.featured,
    canonicalUrl: post.canonical_url ?? '',
  };
}

/** Every field, so a save states the whole draft (blank clears). */
export function fieldsFromDraft(draft: Draft): PostFields {
  const fields: PostFields = {
    title: draft.title.trim(),
    summary: draft.summary.trim() === '' ? null : draft.summary,
    markdown: draft.markdown,
    category: draft.category.trim() === '' ? null : draft.category.trim(),
    tags: draft.tags,
    authors: draft.authors,
    feature_image: featureImage(draft),
    featured: draft.featured,
    canonical_url: draft.canonicalUrl.trim() === '' ? null : draft.canonicalUrl.trim(),
  };
  if (draft.slug.trim() !== '') fields.slug = draft.slug.trim();
  // A post with no author gets its creator's profile from the server.
  if (draft.authors.length === 0) delete fields.authors;
  return fields;
}

function featureImage(draft: Draft): PostFields['feature_image'] {
  const alt = draft.imageAlt.trim() || null;
  if (draft.imageMediaId !== '') return { media_id: draft.imageMediaId, alt };
  return draft.imageUrl.trim() === '' ? null : { url: draft.imageUrl.trim(), alt };
}

export function sameDraft(a: Draft, b: Draft): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface LocalCopy {
  draft: Draft;
  /** The version the draft was written against: its If-Match. */
  baseVersion: number | null;
  savedAt: string;
  /** The draft of a save under way against baseVersion, if any. */
  pending?: Draft | undefined;
}

const key = (id: string | null) => `longform:draft:${id ?? 'new'}`;

export function readLocalCopy(id: string | null): LocalCopy | null {
  try {
    const raw = localStorage.getItem(key(id));
    if (!raw) return null;
    const copy = JSON.parse(raw) as LocalCopy;
    return { ...copy, draft: { ...emptyDraft, ...copy.draft } };
  } catch {
    return null;
  }
}

export function writeLocalCopy(id: string | null, draft: Draft, baseVersion: number | null, pending?: Draft): void {
  const copy: LocalCopy = { draft, baseVersion, savedAt: new Date().toISOString(), pending };
  try {
    localStorage.setItem(key(id), JSON.stringify(copy));
  } catch {
    // Storage full or refused: the server copy is then the only one.
  }
}

/**
 * The version to save a restored copy against. A save that was under way
 * when the page went away may have landed: if the server moved exactly one
 * version on, to that save's text, it was ours and no conflict.
 */
export function rebaseLocalCopy(copy: LocalCopy, post: AdminPost): number {
  const base = copy.baseVersion ?? post.version;
  const ours = copy.pending && copy.pending.title.trim() === post.title && copy.pending.markdown === post.markdown;
  return ours && post.version === base + 1 ? post.version : base;
}

export function clearLocalCopy(id: string | null): void {
  try {
    localStorage.removeItem(key(id));
  } catch {
    // Nothing to clear.
  }
}
