import { useCallback, useEffect, useState } from "react";
import { describeError } from "../api/client";

export type Loaded<T> =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ready"; value: T };

/** Runs `load` when its dependencies change; `reload` runs it again. Errors become words for the user. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [Loaded<T>, () => void] {
  const [result, setResult] = useState<Loaded<T>>({ state: "loading" });
  const [round, setRound] = useState(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(load, deps);
  useEffect(() => {
    let live = true;
    setResult({ state: "loading" });
    run().then(
      (value) => live && setResult({ state: "ready", value }),
      (error: unknown) => live && setResult({ state: "error", message: describeError(error) }),
    );
    return () => {
      live = false;
    };
  }, [run, round]);
  return [result, () => setRound((n) => n + 1)];
}
