import { diffLines } from "diff";

/** One row of a side-by-side diff: a line on either side (null: nothing there), `changed` when they differ. */
export interface DiffRow {
  left: string | null;
  right: string | null;
  changed: boolean;
}

function splitLines(value: string): string[] {
  const lines = value.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/**
 * Pairs the lines of `before` and `after`: unchanged lines side by side; a removed block next to the added block
 * that follows it (so an edited line shows left and right on one row), padded with nulls when one is longer.
 */
export function sideBySide(before: string, after: string): DiffRow[] {
  const rows: DiffRow[] = [];
  let removed: string[] = [];
  const flush = (added: string[]) => {
    const n = Math.max(removed.length, added.length);
    for (let i = 0; i < n; i++) rows.push({ left: removed[i] ?? null, right: added[i] ?? null, changed: true });
    removed = [];
  };
  for (const part of diffLines(before, after)) {
    const lines = splitLines(part.value);
    if (part.removed) {
      removed.push(...lines);
    } else if (part.added) {
      flush(lines);
    } else {
      flush([]);
      for (const line of lines) rows.push({ left: line, right: line, changed: false });
    }
  }
  flush([]);
  return rows;
}
