// The API's refusals as a sentence and the field they belong next to.
import { ApiError, errorText } from '../api/client';

export interface Refusal {
  /** The input the API named (`field` or the first of `invalid_params`), if any. */
  field: string | null;
  message: string;
  status: number | null;
}

export const LAST_ADMIN = 'At least one active admin must remain.';
export const STALE =
  'Someone else changed this since the page loaded. The list now shows their version; make your change again.';

export function refusal(error: unknown): Refusal {
  if (!(error instanceof ApiError)) return { field: null, message: errorText(error), status: null };
  const p = error.problem;
  const field = p.field ?? p.invalid_params?.[0]?.name ?? null;
  if (error.status === 409 && field === 'role') return { field, message: LAST_ADMIN, status: 409 };
  if (error.status === 412) return { field: null, message: STALE, status: 412 };
  if (error.status === 403) {
    return { field: null, message: p.detail ? `Not allowed: ${p.detail}.` : 'Your role does not allow this.', status: 403 };
  }
  return { field, message: error.fieldMessage(field ?? '') ?? error.message, status: error.status };
}

/** Whether a refusal belongs next to `name` (or one of its parts, links[0].url). */
export function concerns(r: Refusal | null, name: string): boolean {
  const f = r?.field;
  return !!f && (f === name || f.startsWith(`${name}.`) || f.startsWith(`${name}[`));
}
