// Integration tokens (admins): the list, revoked ones too; create one with
// a name and a scope, its secret shown once with how to use it (a bearer
// token, or a Ghost frontend's content key); revoke as of its version.
import { useState } from 'preact/hooks';
import { createToken, listTokens, revokeToken, type ApiToken, type TokenScope } from '../../api/site';
import { formatShortTime } from '../../format';
import { refusal, type Refusal } from '../../site/problems';
import { ConfirmButton, FormError, ListState, SecretOnce, TextField, useSiteList } from './parts';

const scopes: { id: TokenScope; label: string }[] = [
  { id: 'read_drafts', label: 'Read drafts (previews, mirrors)' },
  { id: 'write_content', label: 'Write content (publishing pipelines)' },
  { id: 'content', label: 'Content API key (Ghost frontends)' },
];

export function TokensScreen() {
  const list = useSiteList(listTokens);
  const { items: tokens, setItems: setTokens, loadError, rowError } = list;
  const [secret, setSecret] = useState<{ name: string; value: string; scope: TokenScope } | null>(null);

  const revoke = (token: ApiToken) => list.onRow(token, async () => {
    await revokeToken(token);
    await list.load();
  });

  return (
    <section aria-labelledby="tokens-title" class="site-section">
      <div class="page-head">
        <h1 id="tokens-title">Integration tokens</h1>
      </div>
      {secret ? (
        <SecretOnce label={`Secret of ${secret.name}`} value={secret.value} onDone={() => setSecret(null)}>
          {secret.scope === 'content' ? (
            <ContentKeyAdvice />
          ) : (
            <p class="warning-text">
              <strong>This secret cannot be shown again.</strong> Copy it now into the tool that will use it; send it as{' '}
              <code>Authorization: Bearer …</code>. If it is lost, revoke the token and create another.
            </p>
          )}
        </SecretOnce>
      ) : (
        <NewTokenForm
          onCreated={(token) => {
            const { token: value, ...listed } = token;
            setTokens((list) => [listed, ...(list ?? [])]);
            setSecret({ name: token.name, value, scope: token.scope });
          }}
        />
      )}
      <h2 class="list-title">Tokens</h2>
      <ListState loading={tokens === null} error={loadError} empty={tokens?.length === 0} emptyText="No integration tokens." />
      {tokens && tokens.length > 0 && (
        <table class="site-table" data-testid="tokens-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scope</th>
              <th scope="col" class="nowrap">Created</th>
              <th scope="col" class="nowrap">Last used</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr data-testid="token-row" data-token-id={t.id}>
                <td>
                  {t.name}
                  {rowError?.id === t.id && (
                    <p class="error" role="alert">
                      {rowError.error.message}
                    </p>
                  )}
                </td>
                <td>
                  <code>{t.scope}</code>
                </td>
                <td class="nowrap">{formatShortTime(t.created_at)}</td>
                <td class="nowrap">{t.last_used_at ? formatShortTime(t.last_used_at) : <span class="muted">Never</span>}</td>
                <td>
                  <span class={`badge ${t.revoked_at ? 'trash' : 'published'}`} data-testid="token-status">
                    {t.revoked_at ? 'Revoked' : 'Active'}
                  </span>
                </td>
                <td class="actions-cell">
                  {!t.revoked_at && (
                    <ConfirmButton
                      what={t.name}
                      action="Revoke"
                      question={`Revoke ${t.name}? Whatever uses it stops working at once.`}
                      onConfirm={() => revoke(t)}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** How a Ghost frontend uses a content key: it is no bearer token. */
function ContentKeyAdvice() {
  return (
    <>
      <p class="warning-text">
        <strong>This secret cannot be shown again.</strong> Copy it now into the frontend that will use it. If it is lost, revoke the
        key and create another.
      </p>
      <p>
        Use it as the <code>key</code> of <code>@tryghost/content-api</code>, with this site's address as the <code>url</code>:{' '}
        <code>{`new GhostContentAPI({ url: '${window.location.origin}', key: '…', version: 'v5.0' })`}</code>. It reads published
        content through <code>/ghost/api/content/</code> only, never the editor API.
      </p>
    </>
  );
}

function NewTokenForm(props: { onCreated: (token: Awaited<ReturnType<typeof createToken>>) => void }) {
  const [name, setName] = useState('');
  const [scope, setScope] = useState<TokenScope>('read_drafts');
  const [error, setError] = useState<Refusal | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const token = await createToken({ name: name.trim(), scope });
      setName('');
      props.onCreated(token);
    } catch (e) {
      setError(refusal(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="site-form" onSubmit={submit} aria-labelledby="new-token-title">
      <h2 id="new-token-title">New token</h2>
      <div class="form-row">
        <TextField label="Name" name="name" value={name} onInput={setName} error={error} required placeholder="Deploy pipeline" />
        <div class="field">
          <label for="token-scope">Scope</label>
          <select id="token-scope" value={scope} onChange={(e) => setScope(e.currentTarget.value as TokenScope)}>
            {scopes.map((s) => (
              <option value={s.id}>{s.label}</option>
            ))}
          </select>
        </div>
        <button type="submit" class="primary" disabled={busy}>
          Create token
        </button>
      </div>
      <FormError error={error} fields={['name']} />
    </form>
  );
}
