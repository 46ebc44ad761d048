// Which administration screens a role may use; the API decides anyway, and
// a screen shows its 403 when the role changed since the page loaded.
import type { Role } from '../api/types';

/** Accounts, integration tokens and webhooks. */
export function mayAdminister(role: Role): boolean {
  return role === 'admin';
}

/** Tags, categories and author profiles. */
export function mayManageTaxonomy(role: Role): boolean {
  return role === 'editor' || role === 'admin';
}

export interface Section {
  id: string;
  label: string;
  allowed: (role: Role) => boolean;
}

export const sections: Section[] = [
  { id: 'users', label: 'Users', allowed: mayAdminister },
  { id: 'tags', label: 'Tags', allowed: mayManageTaxonomy },
  { id: 'categories', label: 'Categories', allowed: mayManageTaxonomy },
  { id: 'authors', label: 'Author profiles', allowed: mayManageTaxonomy },
  { id: 'tokens', label: 'Integration tokens', allowed: mayAdminister },
  { id: 'webhooks', label: 'Webhooks', allowed: mayAdminister },
];

export function sectionsFor(role: Role): Section[] {
  return sections.filter((s) => s.allowed(role));
}
