// Which stored explanation of a logged request to show at once instead of computing a new one (tests: stored.test.ts).
import type { StoredExplanation } from "../../api/requests";

/** The newest explanation of instance `instance` that succeeded or is still running (the API lists them newest
 * first); a failed one is not shown again: the user gets a fresh attempt instead. */
export function storedFor(list: StoredExplanation[], instance: number): StoredExplanation | null {
  for (const e of list) {
    const item = typeof e.instance === "number" ? e.instance : 0;
    if (item !== instance) continue;
    if ((e.status === "succeeded" && e.explanation) || (e.status === "running" && typeof e.id === "string")) return e;
  }
  return null;
}

/** "computed 5 Dec 2026, 18:00:01" for the stored explanation's note, or "" when it carries no time. */
export function computedAt(e: StoredExplanation): string {
  const at = typeof e.finishedAt === "string" ? e.finishedAt : typeof e.createdAt === "string" ? e.createdAt : null;
  const t = at ? new Date(at) : null;
  return t && !Number.isNaN(t.getTime()) ? t.toLocaleString() : "";
}
