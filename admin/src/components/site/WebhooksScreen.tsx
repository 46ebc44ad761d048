// Webhooks (admins): endpoints with their events, created (the signing
// secret shown once), edited and deleted as of their version; one
// endpoint's delivery log with ping and replay.
import { useEffect, useState } from 'preact/hooks';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
  pingWebhook,
  replayDelivery,
  updateWebhook,
  type Delivery,
  type Webhook,
} from '../../api/site';
import { formatShortTime } from '../../format';
import { BASE } from '../../router';
import { refusal, type Refusal } from '../../site/problems';
import { ConfirmButton, FormError, ListState, SecretOnce, TextField, useSiteList } from './parts';

const EVENTS_HINT = 'Separated by commas or spaces: post.published, post.* (a family), or * for every event.';

function parseEvents(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((e) => e.trim())
    .filter(Boolean);
}

export function WebhooksScreen(props: { id: string | null }) {
  return props.id ? <DeliveryLog id={props.id} /> : <WebhookList />;
}

function WebhookList() {
  const list = useSiteList(listWebhooks);
  const { items: hooks, setItems: setHooks, loadError, load, rowError } = list;
  const [editing, setEditing] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ url: string; value: string } | null>(null);

  const remove = (hook: Webhook) => list.onRow(hook, async () => {
    await deleteWebhook(hook);
    list.drop(hook);
  });

  const current = hooks?.find((h) => h.id === editing) ?? null;
  return (
    <section aria-labelledby="webhooks-title" class="site-section">
      <div class="page-head">
        <h1 id="webhooks-title">Webhooks</h1>
      </div>
      {secret ? (
        <SecretOnce label={`Signing secret for ${secret.url}`} value={secret.value} onDone={() => setSecret(null)}>
          <p class="warning-text">
            <strong>This secret cannot be shown again.</strong> The receiver checks the <code>webhook-signature</code> header with it
            (Standard Webhooks). To replace it, rotate it by editing the endpoint over the API.
          </p>
        </SecretOnce>
      ) : (
        <WebhookForm
          key={current ? `${current.id}-${current.version}` : 'new'}
          hook={current}
          onSaved={(saved, newSecret) => {
            setHooks((list) => (current ? (list ?? []).map((h) => (h.id === saved.id ? saved : h)) : [...(list ?? []), saved]));
            setEditing(null);
            if (newSecret) setSecret({ url: saved.url, value: newSecret });
          }}
          onStale={load}
          onCancel={() => setEditing(null)}
        />
      )}
      <h2 class="list-title">Endpoints</h2>
      <ListState loading={hooks === null} error={loadError} empty={hooks?.length === 0} emptyText="No webhooks." />
      {hooks && hooks.length > 0 && (
        <table class="site-table" data-testid="webhooks-table">
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {hooks.map((h) => (
              <tr data-testid="webhook-row" data-webhook-id={h.id}>
                <td class="break">
                  <a href={`${BASE}/site/webhooks/${h.id}`} aria-label={`Deliveries of ${h.url}`}>
                    {h.url}
                  </a>
                  {h.description && <span class="muted small block">{h.description}</span>}
                  {rowError?.id === h.id && (
                    <p class="error" role="alert">
                      {rowError.error.message}
                    </p>
                  )}
                </td>
                <td>
                  <code>{h.events.join(', ')}</code>
                </td>
                <td>
                  <span class={`badge ${h.active ? 'published' : 'trash'}`}>{h.active ? 'Active' : 'Off'}</span>
                  {h.disabled_reason && <span class="muted small block">{h.disabled_reason}</span>}
                </td>
                <td class="actions-cell">
                  <button type="button" class="small-button" aria-label={`Edit ${h.url}`} onClick={() => setEditing(h.id)}>
                    Edit
                  </button>
                  <ConfirmButton what={h.url} question="Delete this endpoint and its delivery log?" onConfirm={() => remove(h)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function WebhookForm(props: {
  hook: Webhook | null;
  onSaved: (hook: Webhook, secret: string | null) => void;
  onStale: () => Promise<void>;
  onCancel: () => void;
}) {
  const before = props.hook;
  const [url, setUrl] = useState(before?.url ?? '');
  const [events, setEvents] = useState(before ? before.events.join(', ') : 'post.*');
  const [description, setDescription] = useState(before?.description ?? '');
  const [active, setActive] = useState(before?.active ?? true);
  const [error, setError] = useState<Refusal | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const list = parseEvents(events);
    try {
      if (before) {
        const saved = await updateWebhook(before, {
          url: url.trim() !== before.url ? url.trim() : undefined,
          events: list.join() !== before.events.join() ? list : undefined,
          description: description.trim() !== (before.description ?? '') ? description.trim() || null : undefined,
          active: active !== before.active ? active : undefined,
        });
        props.onSaved(saved, null);
      } else {
        const { secret, ...saved } = await createWebhook({ url: url.trim(), events: list, description: description.trim() || null, active });
        props.onSaved(saved, secret);
      }
    } catch (e) {
      const r = refusal(e);
      setError(r);
      if (r.status === 412) await props.onStale();
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="site-form" onSubmit={submit} aria-labelledby="webhook-form-title">
      <h2 id="webhook-form-title">{before ? `Edit ${before.url}` : 'New webhook'}</h2>
      <div class="form-grid">
        <TextField label="URL" name="url" type="url" value={url} onInput={setUrl} error={error} required placeholder="https://…" autoFocus={!!before} />
        <TextField label="Events" name="events" value={events} onInput={setEvents} error={error} required hint={EVENTS_HINT} />
        <TextField label="Description (optional)" name="description" value={description} onInput={setDescription} error={error} />
        <div class="field checkbox">
          <label>
            <input type="checkbox" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
            Active
          </label>
        </div>
      </div>
      <FormError error={error} fields={['url', 'events', 'description']} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {before ? 'Save webhook' : 'Create webhook'}
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

/** To the second: a delivery log is read for what happened when. */
function formatAttemptTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit' });
}

/** The last attempt says what the receiver answered. */
function lastAttempt(d: Delivery) {
  return d.attempts[d.attempts.length - 1] ?? null;
}

function DeliveryLog(props: { id: string }) {
  const [hook, setHook] = useState<Webhook | null>(null);
  const [pages, setPages] = useState<Delivery[][] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<Refusal | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  async function loadFirst() {
    try {
      const page = await listDeliveries(props.id);
      setPages([page.deliveries]);
      setNext(page.meta.pagination.next_before);
      setError(null);
    } catch (e) {
      setError(refusal(e));
    }
  }

  useEffect(() => {
    getWebhook(props.id).then(setHook, (e: unknown) => setError(refusal(e)));
    void loadFirst();
  }, [props.id]);

  const deliveries = pages?.flat() ?? [];
  const pending = deliveries.some((d) => d.status === 'pending');
  // While a delivery is on its way, look again every two seconds.
  useEffect(() => {
    if (!pending) return;
    const timer = setTimeout(() => {
      void loadFirst();
      setTick(tick + 1);
    }, 2000);
    return () => clearTimeout(timer);
  }, [pending, tick]);

  async function act(what: () => Promise<void>, done: string) {
    setError(null);
    try {
      await what();
      setNotice(done);
      await loadFirst();
      setTick(tick + 1);
    } catch (e) {
      setError(refusal(e));
    }
  }

  async function older() {
    if (!next) return;
    try {
      const page = await listDeliveries(props.id, next);
      setPages([...(pages ?? []), page.deliveries]);
      setNext(page.meta.pagination.next_before);
    } catch (e) {
      setError(refusal(e));
    }
  }

  return (
    <section aria-labelledby="deliveries-title" class="site-section">
      <p>
        <a href={`${BASE}/site/webhooks`}>← All webhooks</a>
      </p>
      <div class="page-head">
        <div>
          <h1 id="deliveries-title">Delivery log</h1>
          <p class="muted break">
            {hook ? (
              <>
                {hook.url} · <code>{hook.events.join(', ')}</code> · {hook.active ? 'active' : 'off'}
              </>
            ) : (
              ' '
            )}
          </p>
        </div>
        <div class="actions">
          <button type="button" onClick={() => void act(() => pingWebhook(props.id), 'A ping is on its way.')}>
            Send a ping
          </button>
          <button type="button" onClick={() => void act(async () => undefined, 'Refreshed.')}>
            Refresh
          </button>
        </div>
      </div>
      <p class="small muted" role="status">
        {notice}
      </p>
      <ListState loading={pages === null && !error} error={error} empty={pages !== null && deliveries.length === 0} emptyText="Nothing delivered yet. Send a ping to try the endpoint." />
      {deliveries.length > 0 && (
        <table class="site-table" data-testid="deliveries-table">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">
                Response
              </th>
              <th scope="col" class="num">
                Attempts
              </th>
              <th scope="col" class="nowrap">
                Time
              </th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((d) => {
              const last = lastAttempt(d);
              return (
                <tr data-testid="delivery-row" data-delivery-id={d.id}>
                  <td>
                    <code>{d.event}</code>
                    <span class="muted small block" title="The webhook-id header">
                      {d.id}
                    </span>
                  </td>
                  <td>
                    <span class={`badge delivery-${d.status}`} data-testid="delivery-status">
                      {d.status}
                    </span>
                    {last?.error && <span class="error small block">{last.error}</span>}
                    {d.status === 'pending' && d.next_attempt_at && <span class="muted small block">next {formatShortTime(d.next_attempt_at)}</span>}
                  </td>
                  <td class="num" data-testid="delivery-response">
                    {last?.response_status ?? '—'}
                  </td>
                  <td class="num" data-testid="delivery-attempts">
                    {d.attempts.length}
                  </td>
                  <td class="nowrap">
                    {formatAttemptTime(last?.at ?? d.created_at)}
                    {last && <span class="muted small block">{last.duration_ms} ms</span>}
                  </td>
                  <td class="actions-cell">
                    <button
                      type="button"
                      class="small-button"
                      aria-label={`Replay ${d.event} ${d.id}`}
                      onClick={() => void act(() => replayDelivery(props.id, d.id), `${d.event} is sent again.`)}
                    >
                      Replay
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {next && (
        <div class="pager">
          <button type="button" onClick={() => void older()}>
            Older deliveries
          </button>
        </div>
      )}
    </section>
  );
}
