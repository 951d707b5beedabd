import { useEffect, useState } from "react";
import { describeError } from "../api/client";

export interface Polled<T> {
  /** The last value read (kept while a later read fails); null until the first one comes. */
  value: T | null;
  /** Why the last read failed, in words for the user; null once a read succeeds. */
  error: string | null;
}

/**
 * Reads `read` at once and then every `everyMs` while the screen shows it, for what changes on the server on its
 * own (progress, process states, live metrics). New `deps` start over; `read` null reads nothing. When the
 * dependencies change or the screen goes away, the read in flight is aborted and a late answer is dropped.
 */
export function usePolled<T>(
  read: ((signal: AbortSignal) => Promise<T>) | null,
  everyMs: number,
  deps: unknown[],
): Polled<T> {
  const [polled, setPolled] = useState<Polled<T>>({ value: null, error: null });
  useEffect(() => {
    if (!read) return;
    let live = true;
    const controller = new AbortController();
    const once = () =>
      read(controller.signal).then(
        (value) => live && setPolled({ value, error: null }),
        (e: unknown) => live && setPolled((last) => ({ value: last.value, error: describeError(e) })),
      );
    void once();
    const timer = window.setInterval(() => void once(), everyMs);
    return () => {
      live = false;
      controller.abort();
      window.clearInterval(timer);
    };
    // `read` is made anew on every render; `deps` say when it reads something else.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return polled;
}
