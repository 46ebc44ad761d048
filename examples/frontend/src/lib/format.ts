// How dates and reading times read on the page, the same at every build
// whatever the machine's locale and time zone.

const DATE = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' });

/** "Jun 20, 2026". */
export const formatDate = (rfc3339: string): string => DATE.format(new Date(rfc3339));

/** "12 min read". */
export const readingTime = (minutes: number): string => `${minutes} min read`;

/** "Jane Doe", "Jane Doe and Ravi Menon", "A, B and C". */
export function joinNames(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
