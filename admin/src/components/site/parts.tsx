// Pieces the administration screens share: the state of a list, labelled
// fields with the API's message under them, a secret shown once with a copy
// button, and a delete that asks first.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { concerns, refusal, type Refusal } from '../../site/problems';

let fieldCount = 0;
/** A stable id for one mounted component's label or message. */
export function useId(prefix: string): string {
  const ref = useRef<string | null>(null);
  ref.current ??= `${prefix}-${++fieldCount}`;
  return ref.current;
}

interface FieldProps {
  label: string;
  name: string;
  value: string;
  onInput: (value: string) => void;
  error: Refusal | null;
  type?: 'text' | 'email' | 'url' | 'password';
  required?: boolean;
  multiline?: boolean;
  hint?: string;
  placeholder?: string;
  autoFocus?: boolean;
}

export function TextField(props: FieldProps) {
  const id = useId(`field-${props.name}`);
  const invalid = concerns(props.error, props.name);
  const described = [props.hint ? `${id}-hint` : '', invalid ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: props.name,
    value: props.value,
    required: props.required,
    placeholder: props.placeholder,
    autoFocus: props.autoFocus,
    'aria-invalid': invalid ? ('true' as const) : undefined,
    'aria-describedby': described,
  };
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.multiline ? (
        <textarea {...common} rows={3} onInput={(e) => props.onInput(e.currentTarget.value)} />
      ) : (
        <input {...common} type={props.type ?? 'text'} onInput={(e) => props.onInput(e.currentTarget.value)} />
      )}
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {invalid && props.error && (
        <p class="field-error" id={`${id}-error`} role="alert">
          {props.error.message}
        </p>
      )}
    </div>
  );
}

/** A refusal that names none of `fields` (or no field at all). */
export function FormError(props: { error: Refusal | null; fields: string[] }) {
  const e = props.error;
  if (!e || props.fields.some((f) => concerns(e, f))) return null;
  return (
    <p class="error" role="alert">
      {e.message}
    </p>
  );
}

/**
 * A secret the API shows once (a token, a password, a signing secret): in a
 * read-only box to select, with a copy button and the warning to keep it.
 */
export function SecretOnce(props: { label: string; value: string; children: ComponentChildren; onDone: () => void }) {
  const id = useId('secret');
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  const box = useRef<HTMLInputElement>(null);
  useEffect(() => box.current?.focus(), []);
  async function copy() {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopied('yes');
    } catch {
      box.current?.select();
      setCopied('failed');
    }
  }
  return (
    <section class="secret-once" aria-labelledby={`${id}-title`} data-testid="secret-once">
      <h3 id={`${id}-title`}>{props.label}</h3>
      <div class="secret-row">
        <input
          ref={box}
          id={id}
          class="secret-value"
          readOnly
          value={props.value}
          aria-label={props.label}
          spellcheck={false}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" class="primary" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p class="small" role="status">
        {copied === 'yes' && 'Copied to the clipboard.'}
        {copied === 'failed' && 'The browser did not allow copying: the text is selected, press Ctrl+C (⌘C).'}
      </p>
      <div class="secret-advice">{props.children}</div>
      <button type="button" onClick={props.onDone}>
        Done, I have kept it
      </button>
    </section>
  );
}

/** "Delete" that asks "Delete X?" in place, with the confirmation focused. */
export function ConfirmButton(props: {
  what: string;
  action?: string;
  question?: string;
  onConfirm: () => Promise<unknown> | void;
}) {
  const action = props.action ?? 'Delete';
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const yes = useRef<HTMLButtonElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) yes.current?.focus();
    else if (wasAsking.current) trigger.current?.focus();
    wasAsking.current = asking;
  }, [asking]);
  if (!asking) {
    return (
      <button ref={trigger} type="button" class="danger small-button" aria-label={`${action} ${props.what}`} onClick={() => setAsking(true)}>
        {action}
      </button>
    );
  }
  async function confirm() {
    setBusy(true);
    try {
      await props.onConfirm();
    } finally {
      setBusy(false);
      setAsking(false);
    }
  }
  return (
    <span class="confirm" role="group" aria-label={`Confirm: ${action.toLowerCase()} ${props.what}`}>
      <span class="confirm-question">{props.question ?? `${action} ${props.what}?`}</span>
      <button ref={yes} type="button" class="danger small-button" disabled={busy} onClick={() => void confirm()}>
        Yes, {action.toLowerCase()}
      </button>
      <button type="button" class="small-button" disabled={busy} onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

/** Loading, or the refusal of a list's GET (a 403 says what the role lacks). */
export function ListState(props: { loading: boolean; error: Refusal | null; empty: boolean; emptyText: string }) {
  if (props.error) {
    return (
      <p class="error" role="alert">
        {props.error.message}
      </p>
    );
  }
  if (props.loading) return <p role="status">Loading…</p>;
  if (props.empty) return <p class="empty">{props.emptyText}</p>;
  return null;
}

/** What every administration list keeps: its items (loaded on mount and
 *  again when `deps` change), the refusal of that load, and the refusal of
 *  the last action on one row, shown in that row. A 412 reloads the list:
 *  its versions have moved on. */
export function useSiteList<T extends { id: string }>(fetch: () => Promise<T[]>, deps: unknown[] = []) {
  const [items, setItems] = useState<T[] | null>(null);
  const [loadError, setLoadError] = useState<Refusal | null>(null);
  const [rowError, setRowError] = useState<{ id: string; error: Refusal } | null>(null);

  async function load() {
    try {
      setItems(await fetch());
      setLoadError(null);
    } catch (e) {
      setLoadError(refusal(e));
    }
  }
  useEffect(() => {
    setItems(null);
    setRowError(null);
    void load();
  }, deps);

  /** Runs `action` for `item`; false, with the refusal in its row, when refused. */
  async function onRow(item: T, action: () => Promise<void>): Promise<boolean> {
    setRowError(null);
    try {
      await action();
      return true;
    } catch (e) {
      const r = refusal(e);
      setRowError({ id: item.id, error: r });
      if (r.status === 412) await load();
      return false;
    }
  }
  const replace = (next: T) => setItems((list) => list?.map((i) => (i.id === next.id ? next : i)) ?? null);
  const drop = (gone: T) => setItems((list) => list?.filter((i) => i.id !== gone.id) ?? null);

  return { items, setItems, loadError, load, rowError, setRowError, onRow, replace, drop };
}
