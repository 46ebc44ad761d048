// The post's other fields: slug, summary, tags, category, authors,
// feature image, featured and canonical URL. Errors come from the API's
// problem document, by field.
import type { AdminPost, TermChoice } from '../api/types';
import type { Draft } from '../editor/draft';
import type { Terms } from './EditorScreen';
import { FeatureImagePicker } from './MediaPicker';
import { SlugListInput } from './SlugListInput';

interface Props {
  draft: Draft;
  post: AdminPost | null;
  terms: Terms;
  fieldError: (field: string) => string | null;
  update: (changes: Partial<Draft>) => void;
}

function FieldError(props: { message: string | null; id: string }) {
  return props.message ? (
    <p class="field-error" id={props.id} role="alert">
      {props.message}
    </p>
  ) : null;
}

/** The known terms and those the saved post carries (a tag made on save is one). */
function withSaved(known: TermChoice[], saved: TermChoice[] | undefined): TermChoice[] {
  const extra = (saved ?? []).filter((t) => !known.some((k) => k.slug === t.slug));
  return extra.length === 0 ? known : [...known, ...extra];
}

export function PostFieldsPanel({ draft, post, terms, fieldError, update }: Props) {
  const text = (field: keyof Draft, label: string, name: string, options: { type?: string; placeholder?: string } = {}) => {
    const message = fieldError(name);
    return (
      <div class="field">
        <label for={`field-${name}`}>{label}</label>
        <input
          id={`field-${name}`}
          type={options.type ?? 'text'}
          value={draft[field] as string}
          placeholder={options.placeholder}
          aria-invalid={message ? true : undefined}
          aria-describedby={message ? `field-${name}-error` : undefined}
          // A URL typed by hand replaces an image chosen from the library.
          onInput={(e) => update(field === 'imageUrl' ? { imageUrl: e.currentTarget.value, imageMediaId: '' } : { [field]: e.currentTarget.value })}
        />
        <FieldError message={message} id={`field-${name}-error`} />
      </div>
    );
  };

  return (
    <section class="post-fields" aria-label="Details">
      <h2>Details</h2>
      {text('slug', 'Slug', 'slug', { placeholder: post?.slug ?? 'From the title' })}
      <div class="field">
        <label for="field-summary">Summary</label>
        <textarea
          id="field-summary"
          rows={3}
          value={draft.summary}
          placeholder={post && !post.custom_summary ? post.summary : 'From the body'}
          onInput={(e) => update({ summary: e.currentTarget.value })}
        />
        <FieldError message={fieldError('summary')} id="field-summary-error" />
      </div>
      <SlugListInput id="field-tags" label="Tags" values={draft.tags} known={withSaved(terms.tags, post?.tags)} error={fieldError('tags')} onChange={(tags) => update({ tags })} />
      <div class="field">
        <label for="field-category">Category</label>
        <input
          id="field-category"
          list="field-category-known"
          value={draft.category}
          placeholder="None"
          onInput={(e) => update({ category: e.currentTarget.value })}
        />
        <datalist id="field-category-known">
          {terms.categories.map((c) => (
            <option value={c.slug}>{c.name}</option>
          ))}
        </datalist>
        <FieldError message={fieldError('category')} id="field-category-error" />
      </div>
      <SlugListInput
        id="field-authors"
        label="Authors"
        values={draft.authors}
        known={withSaved(terms.authors, post?.authors)}
        error={fieldError('authors')}
        onChange={(authors) => update({ authors })}
      />
      {text('imageUrl', 'Feature image URL', 'feature_image', { type: 'url', placeholder: 'https://…' })}
      <FeatureImagePicker onPick={(media) => update({ imageUrl: media.url, imageMediaId: media.id })} />
      {text('imageAlt', 'Feature image alt text', 'feature_image.alt')}
      <div class="field checkbox">
        <label>
          <input type="checkbox" checked={draft.featured} onChange={(e) => update({ featured: e.currentTarget.checked })} />
          Featured
        </label>
      </div>
      {text('canonicalUrl', 'Canonical URL', 'canonical_url', { type: 'url', placeholder: 'https://…' })}
    </section>
  );
}
