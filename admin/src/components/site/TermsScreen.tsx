// Tags or categories (editors and admins): every one, unused ones too, with
// their published post count; create, rename, re-slug, describe, make
// public and delete, each change as of the version the list shows.
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { createTerm, deleteTerm, listTermsOf, updateTerm, type Term, type TermFields, type TermKind } from '../../api/site';
import { refusal, type Refusal } from '../../site/problems';
import { ConfirmButton, FormError, ListState, TextField, useSiteList } from './parts';

const words = {
  tags: { title: 'Tags', one: 'tag', One: 'Tag' },
  categories: { title: 'Categories', one: 'category', One: 'Category' },
} as const;

export function TermsScreen(props: { kind: TermKind }) {
  const kind = props.kind;
  const w = words[kind];
  const list = useSiteList(() => listTermsOf(kind), [kind]);
  const { items: terms, setItems: setTerms, loadError, rowError, setRowError } = list;
  const [editing, setEditing] = useState<string | null>(null);
  useEffect(() => setEditing(null), [kind]);

  /** Saves `fields`; a refusal stays in the row (or the edit form). */
  const save = (term: Term, fields: TermFields) => list.onRow(term, async () => list.replace(await updateTerm(kind, term, fields)));
  const remove = (term: Term) => list.onRow(term, async () => {
    await deleteTerm(kind, term);
    list.drop(term);
  });

  return (
    <section aria-labelledby="terms-title" class="site-section">
      <div class="page-head">
        <h1 id="terms-title">{w.title}</h1>
      </div>
      <NewTermForm kind={kind} onCreated={(t) => setTerms((list) => [...(list ?? []), t].sort((a, b) => a.slug.localeCompare(b.slug)))} />
      <h2 class="list-title">Every {w.one}, used or not</h2>
      <p class="hint">
        A {w.one} is listed (with its own page and feeds) once it has a published post, or when it is made public.
      </p>
      <ListState loading={terms === null} error={loadError} empty={terms?.length === 0} emptyText={`No ${kind} yet.`} />
      {terms && terms.length > 0 && (
        <table class="site-table" data-testid={`${kind}-table`}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Slug</th>
              <th scope="col">Description</th>
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
            {terms.map((term) => {
              const error = rowError?.id === term.id ? rowError.error : null;
              if (editing === term.id) {
                return (
                  <tr key={term.id} data-testid="term-row" data-slug={term.slug}>
                    <td colSpan={7}>
                      <EditTermForm
                        term={term}
                        noun={w.one}
                        error={error}
                        onSave={async (fields) => (await save(term, fields)) && setEditing(null)}
                        onCancel={() => {
                          setEditing(null);
                          setRowError(null);
                        }}
                      />
                    </td>
                  </tr>
                );
              }
              return (
                <Fragment key={term.id}>
                  <tr data-testid="term-row" data-slug={term.slug}>
                    <td>{term.name}</td>
                    <td>
                      <code>{term.slug}</code>
                    </td>
                    <td class="muted clip">{term.description ?? ''}</td>
                    <td class="num">{term.post_count}</td>
                    <td>
                      <input
                        type="checkbox"
                        checked={term.public}
                        aria-label={`Public: ${term.name}`}
                        onChange={(e) => {
                          const box = e.currentTarget;
                          void save(term, { public: box.checked }).then((ok) => ok || (box.checked = term.public));
                        }}
                      />
                    </td>
                    <td>
                      <span class={`badge ${term.listed ? 'published' : ''}`}>{term.listed ? 'Listed' : 'Hidden'}</span>
                    </td>
                    <td class="actions-cell">
                      <button
                        type="button"
                        class="small-button"
                        aria-label={`Edit ${term.name}`}
                        onClick={() => {
                          setRowError(null);
                          setEditing(term.id);
                        }}
                      >
                        Edit
                      </button>
                      <ConfirmButton
                        what={term.name}
                        question={
                          term.post_count > 0 ? `Delete ${term.name}? ${term.post_count} published post(s) lose it.` : `Delete ${term.name}?`
                        }
                        onConfirm={() => remove(term)}
                      />
                    </td>
                  </tr>
                  {error && (
                    <tr class="row-error-line">
                      <td colSpan={7}>
                        <p class="error" role="alert" data-testid="term-error">
                          {error.message}
                        </p>
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function NewTermForm(props: { kind: TermKind; onCreated: (term: Term) => void }) {
  const w = words[props.kind];
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [description, setDescription] = useState('');
  const [isPublic, setPublic] = useState(false);
  const [error, setError] = useState<Refusal | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const term = await createTerm(props.kind, {
        name: name.trim(),
        slug: slug.trim() || undefined,
        description: description.trim() || undefined,
        public: isPublic,
      });
      setName('');
      setSlug('');
      setDescription('');
      setPublic(false);
      props.onCreated(term);
    } catch (e) {
      setError(refusal(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="site-form" onSubmit={submit} aria-labelledby={`new-${props.kind}-title`}>
      <h2 id={`new-${props.kind}-title`}>New {w.one}</h2>
      <div class="form-row">
        <TextField label="Name" name="name" value={name} onInput={setName} error={error} required />
        <TextField label="Slug (optional)" name="slug" value={slug} onInput={setSlug} error={error} placeholder="From the name" />
        <TextField label="Description (optional)" name="description" value={description} onInput={setDescription} error={error} />
        <div class="field checkbox">
          <label>
            <input type="checkbox" checked={isPublic} onChange={(e) => setPublic(e.currentTarget.checked)} />
            Public now
          </label>
        </div>
        <button type="submit" class="primary" disabled={busy}>
          Create {w.one}
        </button>
      </div>
      <FormError error={error} fields={['name', 'slug', 'description']} />
    </form>
  );
}

function EditTermForm(props: {
  term: Term;
  noun: string;
  error: Refusal | null;
  onSave: (fields: TermFields) => Promise<unknown>;
  onCancel: () => void;
}) {
  const t = props.term;
  const [name, setName] = useState(t.name);
  const [slug, setSlug] = useState(t.slug);
  const [description, setDescription] = useState(t.description ?? '');
  const [isPublic, setPublic] = useState(t.public);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    const fields: TermFields = {};
    if (name.trim() !== t.name) fields.name = name.trim();
    if (slug.trim() !== t.slug) fields.slug = slug.trim();
    if (description.trim() !== (t.description ?? '')) fields.description = description.trim() || null;
    if (isPublic !== t.public) fields.public = isPublic;
    try {
      await props.onSave(fields);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="site-form edit-form" onSubmit={submit} aria-label={`Edit ${props.noun} ${t.name}`}>
      <div class="form-row">
        <TextField label="Name" name="name" value={name} onInput={setName} error={props.error} required autoFocus />
        <TextField label="Slug" name="slug" value={slug} onInput={setSlug} error={props.error} required />
        <TextField label="Description" name="description" value={description} onInput={setDescription} error={props.error} />
        <div class="field checkbox">
          <label>
            <input type="checkbox" checked={isPublic} onChange={(e) => setPublic(e.currentTarget.checked)} />
            Public
          </label>
        </div>
        <button type="submit" class="primary" disabled={busy}>
          Save
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
      <FormError error={props.error} fields={['name', 'slug', 'description']} />
    </form>
  );
}
