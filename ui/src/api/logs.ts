// The output of one of a deployment's MLServer processes (`{deployment}/resources/logs`): the last lines as text, or
// followed live. Following reads the chunked text answer with a ReadableStream (fetch, so the session's token goes
// in the Authorization header, which EventSource cannot send) and hands over whole lines as they arrive.
import { API, Client, segment } from "./client";
import type { Kind } from "./deployments";
import type { operations } from "./schema";

type Operation = operations["seldon_deployment_logs_api_v1alpha1_namespaces__namespace__seldondeployments__name__resources_logs_get"];
/** The route's query, named like Kubernetes' pod log API (`tailLines`, `sinceSeconds`, `timestamps`, `follow`). */
export type LogQuery = NonNullable<Operation["parameters"]["query"]>;

/** The most lines one answer carries (serving's `MAX_TAIL_LINES`). */
export const MAX_TAIL_LINES = 10000;

/** The URL of a process's log; every value is a quoted path segment or a query parameter, never pasted. */
export function logsPath(kind: Kind, namespace: string, name: string, query: LogQuery): string {
  const params = new URLSearchParams();
  if (query.process) params.set("process", query.process);
  if (query.tailLines != null) params.set("tailLines", String(query.tailLines));
  if (query.sinceSeconds != null) params.set("sinceSeconds", String(query.sinceSeconds));
  if (query.timestamps) params.set("timestamps", "true");
  if (query.follow) params.set("follow", "true");
  const path = `${API}/namespaces/${segment(namespace)}/${segment(kind)}/${segment(name)}/resources/logs`;
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/** The windows a reader picks from for "only lines written since" (`sinceSeconds`; the route takes up to a year). */
export type SinceWindow = { label: string; seconds: number | null };
export const ANY_TIME: SinceWindow = { label: "at any time", seconds: null };
export const SINCE_WINDOWS: readonly SinceWindow[] = [
  ANY_TIME,
  { label: "in the last 5 minutes", seconds: 5 * 60 },
  { label: "in the last hour", seconds: 60 * 60 },
  { label: "in the last day", seconds: 24 * 60 * 60 },
];

/** "How many last lines" as typed in a form: a number, or the reason it is not one (empty = all kept lines). */
export function parseTailLines(text: string): { value: number | null; error: string | null } {
  const trimmed = text.trim();
  if (trimmed === "") return { value: null, error: null };
  const value = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || value < 1 || value > MAX_TAIL_LINES) {
    return { value: null, error: `a whole number of lines from 1 to ${MAX_TAIL_LINES}` };
  }
  return { value, error: null };
}

/** Cuts text that arrives in arbitrary chunks into whole lines; a line's end may come in a later chunk. */
export class LineSplitter {
  private pending = "";

  push(chunk: string): string[] {
    const parts = (this.pending + chunk).split("\n");
    this.pending = parts.pop() ?? "";
    return parts.map((line) => line.replace(/\r$/, ""));
  }

  /** What is left when the stream ends (a last line without its newline), as a line, if any. */
  flush(): string[] {
    const rest = this.pending;
    this.pending = "";
    return rest ? [rest] : [];
  }
}

/** How a follow ended: the server closed the stream (the process ended or was stopped), or the reader stopped. */
export type FollowEnd = "ended" | "stopped";

export class LogsApi {
  constructor(private readonly client: Client) {}

  /** The last lines (per `query`) as one text. */
  async text(kind: Kind, namespace: string, name: string, query: LogQuery, signal?: AbortSignal): Promise<string> {
    const path = logsPath(kind, namespace, name, { ...query, follow: false });
    const response = await this.client.raw(path, { accept: "text/plain", signal });
    return response.text();
  }

  /** The last lines, then every new one as the process writes it, `onLines` getting whole lines as they come.
   *  Resolves when the stream ends ("ended") or `signal` stops it ("stopped"); rejects with an error in words. */
  async follow(
    kind: Kind,
    namespace: string,
    name: string,
    query: LogQuery,
    onLines: (lines: string[]) => void,
    signal: AbortSignal,
  ): Promise<FollowEnd> {
    const path = logsPath(kind, namespace, name, { ...query, follow: true });
    let response: Response;
    try {
      response = await this.client.raw(path, { accept: "text/plain", signal });
    } catch (e) {
      if (signal.aborted) return "stopped";
      throw e;
    }
    if (!response.body) throw new Error("the browser gave no stream to read the log from");
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const splitter = new LineSplitter();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const lines = splitter.push(value);
        if (lines.length) onLines(lines);
      }
    } catch (e) {
      if (signal.aborted) return "stopped";
      throw e;
    } finally {
      reader.releaseLock();
    }
    const rest = splitter.flush();
    if (rest.length) onLines(rest);
    return signal.aborted ? "stopped" : "ended";
  }
}

/** Offers `text` as a file download named `filename` (the browser saves it; nothing leaves the page). */
export function download(text: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}
