// Theirs and mine as aligned rows for the conflict view: a line diff, and
// inside each replaced run of lines a word diff, so small edits stand out.
import { diffLines, diffWordsWithSpace, type Change } from 'diff';

export type Piece = { text: string; kind: 'same' | 'removed' | 'added' };
export interface Row {
  kind: 'same' | 'changed';
  theirs: Piece[];
  mine: Piece[];
}

export function diffRows(theirs: string, mine: string): Row[] {
  const changes = diffLines(theirs, mine);
  const rows: Row[] = [];
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i] as Change;
    if (!change.added && !change.removed) {
      rows.push({ kind: 'same', theirs: [{ text: change.value, kind: 'same' }], mine: [{ text: change.value, kind: 'same' }] });
      continue;
    }
    const next = changes[i + 1];
    if (change.removed && next?.added) {
      rows.push(wordRow(change.value, next.value));
      i++;
    } else if (change.removed) {
      rows.push({ kind: 'changed', theirs: [{ text: change.value, kind: 'removed' }], mine: [] });
    } else {
      rows.push({ kind: 'changed', theirs: [], mine: [{ text: change.value, kind: 'added' }] });
    }
  }
  return rows;
}

function wordRow(theirs: string, mine: string): Row {
  const row: Row = { kind: 'changed', theirs: [], mine: [] };
  for (const part of diffWordsWithSpace(theirs, mine)) {
    if (part.removed) row.theirs.push({ text: part.value, kind: 'removed' });
    else if (part.added) row.mine.push({ text: part.value, kind: 'added' });
    else {
      row.theirs.push({ text: part.value, kind: 'same' });
      row.mine.push({ text: part.value, kind: 'same' });
    }
  }
  return row;
}
