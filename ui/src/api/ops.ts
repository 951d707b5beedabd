// Operations on one deployment: its running processes (with their recent output) and its GitOps audit log
// (commits, one commit's diff, restore). The answers are loosely typed in the OpenAPI document (free-form
// objects), so each is parsed here into a shape the screens can trust, tolerating missing fields.
import { API, Client, segment } from "./client";
import type { Kind } from "./deployments";

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj => (typeof value === "object" && value !== null ? (value as Obj) : {});
const str = (value: unknown): string | null => (typeof value === "string" ? value : null);
const num = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);

/** One MLServer process of one predictor (a pod's container in Kubernetes terms). */
export interface ProcessInfo {
  predictor: string;
  role: "live" | "shadow";
  traffic: number | null;
  model: string | null;
  name: string;
  pid: number | null;
  port: number | null;
  state: string;
  restarts: number;
  startedAt: string | null;
  reason: string | null;
  logs: string[];
}

export interface Processes {
  status: string;
  reason: string | null;
  processes: ProcessInfo[];
  /** Predictors the runtime knows but that have no process (yet): shown, so nothing silently disappears. */
  idlePredictors: string[];
}

/** The `?view=processes` answer of `{deployment}/resources`, flattened to one row per process. */
export function parseProcesses(raw: unknown): Processes {
  const root = obj(raw);
  const processes: ProcessInfo[] = [];
  const idlePredictors: string[] = [];
  for (const p of Array.isArray(root.predictors) ? root.predictors.map(obj) : []) {
    const predictor = str(p.name) ?? "(unnamed)";
    const replicas = Array.isArray(p.replicas) ? p.replicas.map(obj) : [];
    if (replicas.length === 0) idlePredictors.push(predictor);
    for (const r of replicas) {
      processes.push({
        predictor,
        role: p.shadow === true ? "shadow" : "live",
        traffic: num(p.traffic),
        model: str(p.model_uri) ?? str(p.implementation),
        name: str(r.name) ?? "(unnamed)",
        pid: num(r.pid),
        port: num(r.port),
        state: str(r.state) ?? "unknown",
        restarts: num(r.restarts) ?? 0,
        startedAt: typeof r.started_at === "number" ? new Date(r.started_at * 1000).toISOString() : str(r.started_at),
        reason: str(r.reason),
        logs: Array.isArray(r.logs) ? r.logs.map((line) => (typeof line === "string" ? line : JSON.stringify(line))) : [],
      });
    }
  }
  return { status: str(root.status) ?? "Unknown", reason: str(root.reason), processes, idlePredictors };
}

/** The last `count` lines of `lines` (all of them when count is not a positive number). */
export function lastLines(lines: string[], count: number): string[] {
  return Number.isInteger(count) && count > 0 ? lines.slice(-count) : lines;
}

export interface Commit {
  hash: string;
  parent: string | null;
  author: string;
  authorEmail: string | null;
  when: string | null;
  message: string;
}

/** `gitlogs`: newest first, as the API answers; entries without a hash are dropped (nothing to diff or restore). */
export function parseCommits(raw: unknown): Commit[] {
  const list = Array.isArray(raw) ? raw.map(obj) : [];
  return list
    .filter((c) => typeof c.Hash === "string" && c.Hash !== "")
    .map((c) => ({
      hash: c.Hash as string,
      parent: str(c.ParentHash) || null,
      author: str(c.AuthorName) ?? str(c.CommitterName) ?? "(unknown)",
      authorEmail: str(c.AuthorEmail),
      when: str(c.AuthorWhen) ?? str(c.CommitterWhen),
      message: (str(c.Message) ?? "").trim(),
    }));
}

export interface CommitDiff {
  hash: string;
  previous: string | null;
  file: string | null;
  changeType: string;
  before: string;
  after: string;
  patch: string;
}

export function parseDiff(raw: unknown): CommitDiff {
  const d = obj(raw);
  return {
    hash: str(d.CommitHash) ?? "",
    previous: str(d.PrevCommitHash) || null,
    file: str(d.FileName),
    changeType: str(d.ChangeType) ?? "modify",
    before: str(d.From) ?? "",
    after: str(d.To) ?? "",
    patch: str(d.Diff) ?? "",
  };
}

export interface GitOpsStatus {
  gitops: boolean;
  branch: string | null;
  head: string | null;
  lastSyncedCommit: string | null;
  lastSyncTime: string | null;
  remote: string | null;
}

export function parseGitOpsStatus(raw: unknown): GitOpsStatus {
  const s = obj(raw);
  return {
    gitops: s.gitops === true,
    branch: str(s.branch),
    head: str(s.head),
    lastSyncedCommit: str(s.lastSyncedCommit),
    lastSyncTime: str(s.lastSyncTime),
    remote: str(s.remote),
  };
}

/** A commit hash as people read it. */
export const shortHash = (hash: string | null): string => (hash ? hash.slice(0, 12) : "—");

export class OpsApi {
  constructor(private readonly client: Client) {}

  private base(kind: Kind, namespace: string, name: string): string {
    return `${API}/namespaces/${segment(namespace)}/${kind}/${segment(name)}`;
  }

  async processes(kind: Kind, namespace: string, name: string, signal?: AbortSignal): Promise<Processes> {
    const query = new URLSearchParams({ view: "processes" });
    const options = signal ? { signal } : {};
    return parseProcesses(await this.client.request<unknown>(`${this.base(kind, namespace, name)}/resources?${query}`, options));
  }

  async commits(kind: Kind, namespace: string, name: string): Promise<Commit[]> {
    return parseCommits(await this.client.request<unknown>(`${this.base(kind, namespace, name)}/gitlogs`));
  }

  async diff(kind: Kind, namespace: string, name: string, hash: string): Promise<CommitDiff> {
    const query = new URLSearchParams({ hash });
    return parseDiff(await this.client.request<unknown>(`${this.base(kind, namespace, name)}/gitdiff?${query}`));
  }

  /** Restores the deployment as it was at `hash`; Warden records this as a new commit. Answers its message. */
  async restore(kind: Kind, namespace: string, name: string, hash: string, message: string): Promise<string> {
    const query = new URLSearchParams({ hash, action: "restore" });
    if (message.trim()) query.set("message", message.trim());
    const answer = await this.client.request<unknown>(`${this.base(kind, namespace, name)}/gitrestore?${query}`, {
      method: "POST",
    });
    return str(obj(answer).message) ?? "restored";
  }

  async gitopsStatus(namespace: string): Promise<GitOpsStatus> {
    return parseGitOpsStatus(await this.client.request<unknown>(`${API}/namespaces/${segment(namespace)}/gitops-status`));
  }
}
