// Accounts (admins): invite with a one-time password made here, change a
// role, disable or enable, delete. Each change carries the account's
// version; the API's refusal shows in the row it concerns.
import { useState } from 'preact/hooks';
import {
  createAccount,
  deleteAccount,
  listAccounts,
  updateAccount,
  type Account,
  type AccountChanges,
  type Role,
} from '../../api/site';
import type { User } from '../../api/types';
import { formatShortTime } from '../../format';
import { oneTimePassword } from '../../site/password';
import { refusal, type Refusal } from '../../site/problems';
import { ConfirmButton, FormError, ListState, SecretOnce, TextField, useSiteList } from './parts';

const roles: { id: Role; label: string }[] = [
  { id: 'contributor', label: 'Contributor' },
  { id: 'author', label: 'Author' },
  { id: 'editor', label: 'Editor' },
  { id: 'admin', label: 'Admin' },
];

export function UsersScreen(props: { user: User }) {
  const list = useSiteList(listAccounts);
  const { items: accounts, setItems: setAccounts, loadError, rowError } = list;
  const [invited, setInvited] = useState<{ name: string; email: string; password: string } | null>(null);

  const change = (account: Account, changes: AccountChanges) =>
    list.onRow(account, async () => list.replace(await updateAccount(account, changes)));
  const remove = (account: Account) => list.onRow(account, async () => {
    await deleteAccount(account);
    list.drop(account);
  });

  return (
    <section aria-labelledby="users-title" class="site-section">
      <div class="page-head">
        <h1 id="users-title">Users</h1>
      </div>
      {invited ? (
        <SecretOnce label={`One-time password for ${invited.email}`} value={invited.password} onDone={() => setInvited(null)}>
          <p>
            <strong>{invited.name}</strong> can now sign in with this email and password. It is shown only now: copy it and hand it over
            by a safe channel.
          </p>
          <p>Ask them to change it after signing in for the first time.</p>
        </SecretOnce>
      ) : (
        <InviteForm
          onInvited={(account, password) => {
            setAccounts((list) => [...(list ?? []), account]);
            setInvited({ name: account.name, email: account.email, password });
          }}
        />
      )}
      <h2 class="list-title">Accounts</h2>
      <ListState loading={accounts === null} error={loadError} empty={accounts?.length === 0} emptyText="No accounts." />
      {accounts && accounts.length > 0 && (
        <table class="site-table" data-testid="users-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col" class="nowrap">Created</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {accounts.map((account) => (
              <AccountRow
                key={account.id}
                account={account}
                self={account.id === props.user.id}
                error={rowError?.id === account.id ? rowError.error : null}
                onChange={(changes) => change(account, changes)}
                onDelete={() => remove(account)}
              />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function AccountRow(props: {
  account: Account;
  self: boolean;
  error: Refusal | null;
  onChange: (changes: AccountChanges) => Promise<boolean>;
  onDelete: () => Promise<unknown>;
}) {
  const a = props.account;
  const errorId = `user-error-${a.id}`;
  return (
    <>
      <tr data-testid="user-row" data-email={a.email} class={a.disabled ? 'disabled-row' : undefined}>
        <td>
          {a.name}
          {props.self && <span class="muted small"> (you)</span>}
        </td>
        <td class="break">{a.email}</td>
        <td>
          <select
            aria-label={`Role of ${a.name}`}
            value={a.role}
            aria-invalid={props.error?.field === 'role' ? 'true' : undefined}
            aria-describedby={props.error ? errorId : undefined}
            onChange={(e) => {
              const select = e.currentTarget;
              // Refused: the list still shows the role the account has.
              void props.onChange({ role: select.value as Role }).then((ok) => ok || (select.value = a.role));
            }}
          >
            {roles.map((r) => (
              <option value={r.id}>{r.label}</option>
            ))}
          </select>
        </td>
        <td>
          <span class={`badge ${a.disabled ? 'trash' : 'published'}`}>{a.disabled ? 'Disabled' : 'Active'}</span>
        </td>
        <td class="nowrap">{formatShortTime(a.created_at)}</td>
        <td class="actions-cell">
          <button type="button" class="small-button" aria-label={`${a.disabled ? 'Enable' : 'Disable'} ${a.name}`} onClick={() => void props.onChange({ disabled: !a.disabled })}>
            {a.disabled ? 'Enable' : 'Disable'}
          </button>
          <ConfirmButton what={a.name} question={`Delete the account of ${a.name}? Their posts stay.`} onConfirm={props.onDelete} />
        </td>
      </tr>
      {props.error && (
        <tr class="row-error-line">
          <td colSpan={6}>
            <p class="error" role="alert" id={errorId} data-testid="user-error">
              {props.error.message}
            </p>
          </td>
        </tr>
      )}
    </>
  );
}

function InviteForm(props: { onInvited: (account: Account, password: string) => void }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('contributor');
  const [error, setError] = useState<Refusal | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const password = oneTimePassword();
    try {
      const account = await createAccount({ name: name.trim(), email: email.trim(), role, password });
      setName('');
      setEmail('');
      setRole('contributor');
      props.onInvited(account, password);
    } catch (e) {
      setError(refusal(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="site-form inline-form" onSubmit={submit} aria-labelledby="invite-title">
      <h2 id="invite-title">Invite someone</h2>
      <div class="form-row">
        <TextField label="Name" name="name" value={name} onInput={setName} error={error} required />
        <TextField label="Email" name="email" type="email" value={email} onInput={setEmail} error={error} required />
        <div class="field">
          <label for="invite-role">Role</label>
          <select id="invite-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
            {roles.map((r) => (
              <option value={r.id}>{r.label}</option>
            ))}
          </select>
        </div>
        <button type="submit" class="primary" disabled={busy}>
          Invite
        </button>
      </div>
      <p class="hint">A one-time password is made in this browser and shown once after the account is created.</p>
      <FormError error={error} fields={['name', 'email']} />
    </form>
  );
}
