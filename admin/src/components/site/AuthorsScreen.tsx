// Author profiles (editors and admins): every one, unused ones too; create
// and edit name, slug, bio, avatar, website, links and the public flag;
// delete. A profile is not an account: posts credit it by slug.
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import {
  createAuthorProfile,
  deleteAuthorProfile,
  listAuthorProfiles,
  updateAuthorProfile,
  type AuthorFields,
  type AuthorProfile,
} from '../../api/site';
import { refusal, type Refusal } from '../../site/problems';
import { ConfirmButton, FormError, ListState, TextField, useSiteList } from './parts';

interface Link {
  label: string;
  url: string;
}

interface Draft {
  name: string;
  slug: string;
  bio: string;
  avatar_url: string;
  website: string;
  links: Link[];
  public: boolean;
}

const empty: Draft = { name: '', slug: '', bio: '', avatar_url: '', website: '', links: [], public: false };

function draftOf(a: AuthorProfile): Draft {
  return {
    name: a.name,
    slug: a.slug,
    bio: a.bio ?? '',
    avatar_url: a.avatar_url ?? '',
    website: a.website ?? '',
    links: a.links.map((l) => ({ ...l })),
    public: a.public,
  };
}

/** The fields that differ from `before` (all of them for a new profile). */
function changes(draft: Draft, before: AuthorProfile | null): AuthorFields {
  const fields: AuthorFields = {};
  const text = (v: string) => v.trim() || null;
  if (!before || draft.name.trim() !== before.name) fields.name = draft.name.trim();
  if (draft.slug.trim() && (!before || draft.slug.trim() !== before.slug)) fields.slug = draft.slug.trim();
  for (const key of ['bio', 'avatar_url', 'website'] as const) {
    const value = text(draft[key]);
    if (before ? value !== before[key] : value !== null) fields[key] = value;
  }
  const links = draft.links.filter((l) => l.label.trim() || l.url.trim()).map((l) => ({ label: l.label.trim(), url: l.url.trim() }));
  if (!before || JSON.stringify(links) !== JSON.stringify(before.links)) fields.links = links;
  if (!before || draft.public !== before.public) fields.public = draft.public;
  return fields;
}

export function AuthorsScreen() {
  const list = useSiteList(listAuthorProfiles);
  const { items: authors, setItems: setAuthors, loadError, load, rowError, setRowError } = list;
  // null: the new-profile form; an id: that profile's form.
  const [editing, setEditing] = useState<string | null>(null);

  const remove = (author: AuthorProfile) => list.onRow(author, async () => {
    await deleteAuthorProfile(author);
    list.drop(author);
  });

  const current = authors?.find((a) => a.id === editing) ?? null;

  return (
    <section aria-labelledby="authors-title" class="site-section">
      <div class="page-head">
        <h1 id="authors-title">Author profiles</h1>
      </div>
      <AuthorForm
        key={current ? `${current.id}-${current.version}` : 'new'}
        author={current}
        onSaved={(saved, created) => {
          setAuthors((list) =>
            created ? [...(list ?? []), saved].sort((a, b) => a.slug.localeCompare(b.slug)) : (list ?? []).map((a) => (a.id === saved.id ? saved : a)),
          );
          setEditing(null);
        }}
        onStale={load}
        onCancel={() => setEditing(null)}
      />
      <h2 class="list-title">Every profile, used or not</h2>
      <ListState loading={authors === null} error={loadError} empty={authors?.length === 0} emptyText="No author profiles yet." />
      {authors && authors.length > 0 && (
        <table class="site-table" data-testid="authors-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Slug</th>
              <th scope="col">Website</th>
              <th scope="col" class="num">
                Posts
              </th>
              <th scope="col">Public</th>
              <th scope="col">Listed</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {authors.map((a) => (
              <Fragment key={a.id}>
                <tr data-testid="author-row" data-slug={a.slug} class={a.id === editing ? 'editing-row' : undefined}>
                  <td>{a.name}</td>
                  <td>
                    <code>{a.slug}</code>
                  </td>
                  <td class="break">{a.website ?? ''}</td>
                  <td class="num">{a.post_count}</td>
                  <td>{a.public ? 'Yes' : 'No'}</td>
                  <td>
                    <span class={`badge ${a.listed ? 'published' : ''}`}>{a.listed ? 'Listed' : 'Hidden'}</span>
                  </td>
                  <td class="actions-cell">
                    <button
                      type="button"
                      class="small-button"
                      aria-label={`Edit ${a.name}`}
                      onClick={() => {
                        setRowError(null);
                        setEditing(a.id);
                        document.getElementById('author-form')?.scrollIntoView({ block: 'nearest' });
                      }}
                    >
                      Edit
                    </button>
                    <ConfirmButton what={a.name} onConfirm={() => remove(a)} />
                  </td>
                </tr>
                {rowError?.id === a.id && (
                  <tr class="row-error-line">
                    <td colSpan={7}>
                      <p class="error" role="alert">
                        {rowError.error.message}
                      </p>
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function AuthorForm(props: {
  author: AuthorProfile | null;
  onSaved: (author: AuthorProfile, created: boolean) => void;
  onStale: () => Promise<void>;
  onCancel: () => void;
}) {
  const before = props.author;
  const [draft, setDraft] = useState<Draft>(before ? draftOf(before) : empty);
  const [error, setError] = useState<Refusal | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (next: Partial<Draft>) => setDraft({ ...draft, ...next });
  const setLink = (i: number, next: Partial<Link>) => set({ links: draft.links.map((l, j) => (j === i ? { ...l, ...next } : l)) });

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const fields = changes(draft, before);
      const saved = before
        ? await updateAuthorProfile(before, fields)
        : await createAuthorProfile({ ...fields, name: draft.name.trim() });
      if (!before) setDraft(empty);
      props.onSaved(saved, !before);
    } catch (e) {
      const r = refusal(e);
      setError(r);
      if (r.status === 412) await props.onStale();
    } finally {
      setBusy(false);
    }
  }

  const title = before ? `Edit ${before.name}` : 'New author profile';
  return (
    <form id="author-form" class="site-form" onSubmit={submit} aria-labelledby="author-form-title">
      <h2 id="author-form-title">{title}</h2>
      <div class="form-grid">
        <TextField label="Name" name="name" value={draft.name} onInput={(v) => set({ name: v })} error={error} required autoFocus={!!before} />
        <TextField
          label={before ? 'Slug' : 'Slug (optional)'}
          name="slug"
          value={draft.slug}
          onInput={(v) => set({ slug: v })}
          error={error}
          placeholder="From the name"
        />
        <TextField label="Avatar URL" name="avatar_url" type="url" value={draft.avatar_url} onInput={(v) => set({ avatar_url: v })} error={error} placeholder="https://…" />
        <TextField label="Website" name="website" type="url" value={draft.website} onInput={(v) => set({ website: v })} error={error} placeholder="https://…" />
        <div class="span-2">
          <TextField label="Bio" name="bio" multiline value={draft.bio} onInput={(v) => set({ bio: v })} error={error} />
        </div>
        <fieldset class="links span-2">
          <legend>Links</legend>
          {draft.links.length === 0 && <p class="hint">No links.</p>}
          {draft.links.map((link, i) => (
            <div class="link-row">
              <TextField label={`Link ${i + 1} label`} name={`links[${i}].label`} value={link.label} onInput={(v) => setLink(i, { label: v })} error={error} />
              <TextField label={`Link ${i + 1} URL`} name={`links[${i}].url`} type="url" value={link.url} onInput={(v) => setLink(i, { url: v })} error={error} />
              <button type="button" class="small-button" aria-label={`Remove link ${i + 1}`} onClick={() => set({ links: draft.links.filter((_, j) => j !== i) })}>
                Remove
              </button>
            </div>
          ))}
          <button type="button" class="small-button" onClick={() => set({ links: [...draft.links, { label: '', url: '' }] })}>
            Add a link
          </button>
        </fieldset>
        <div class="field checkbox span-2">
          <label>
            <input type="checkbox" checked={draft.public} onChange={(e) => set({ public: e.currentTarget.checked })} />
            Public (listed before it has a published post)
          </label>
        </div>
      </div>
      <FormError error={error} fields={['name', 'slug', 'avatar_url', 'website', 'bio', 'links']} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {before ? 'Save profile' : 'Create profile'}
        </button>
        {before && (
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
