// Usage monitoring (seed §7.12): processes, CPU and memory over time, per deployment, namespace or everything.
import { API, Client, segment } from "./client";
import type { Kind } from "./deployments";

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj => (typeof value === "object" && value !== null ? (value as Obj) : {});
const num = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);
const str = (value: unknown): string | null => (typeof value === "string" ? value : null);

export interface UsagePoint {
  time: Date;
  cpuCores: number | null;
  memoryBytes: number | null;
  processes: number | null;
}

export interface UsageSeries {
  label: string; // namespace/deployment
  points: UsagePoint[];
}

export interface Usage {
  step: number | null;
  series: UsageSeries[];
  summary: { averageCpuCores: number | null; averageMemoryBytes: number | null; averageProcesses: number | null };
}

export type UsageScope =
  | { scope: "all" }
  | { scope: "namespace"; namespace: string }
  | { scope: "deployment"; kind: Kind; namespace: string; name: string };

export function parseUsage(raw: unknown): Usage {
  const root = obj(raw);
  const summary = obj(root.summary);
  return {
    step: num(root.step),
    series: (Array.isArray(root.series) ? root.series.map(obj) : []).map((s) => ({
      label: `${str(s.namespace) ?? "?"}/${str(s.deployment) ?? "?"}`,
      points: (Array.isArray(s.points) ? s.points.map(obj) : [])
        .filter((p) => typeof p.time === "string" && !Number.isNaN(Date.parse(p.time)))
        .map((p) => ({
          time: new Date(p.time as string),
          cpuCores: num(p.cpuCores),
          memoryBytes: num(p.memoryBytes),
          processes: num(p.processes),
        })),
    })),
    summary: {
      averageCpuCores: num(summary.averageCpuCores),
      averageMemoryBytes: num(summary.averageMemoryBytes),
      averageProcesses: num(summary.averageProcesses),
    },
  };
}

/** Bytes in the unit people read (MiB, GiB), one decimal. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** The ranges the screen offers: their length in seconds and a bucket width that keeps charts to ~60 points. */
export const RANGES = { "15m": [900, "15s"], "1h": [3600, "1m"], "6h": [21600, "6m"], "24h": [86400, "24m"] } as const;
export type Range = keyof typeof RANGES;

export class UsageApi {
  constructor(private readonly client: Client) {}

  async usage(scope: UsageScope, range: Range, now: Date = new Date()): Promise<Usage> {
    const [seconds, step] = RANGES[range];
    const query = new URLSearchParams({
      start: new Date(now.getTime() - seconds * 1000).toISOString(),
      end: now.toISOString(),
      step,
    });
    const path =
      scope.scope === "all"
        ? `${API}/usage`
        : scope.scope === "namespace"
          ? `${API}/namespaces/${segment(scope.namespace)}/usage`
          : `${API}/namespaces/${segment(scope.namespace)}/${scope.kind}/${segment(scope.name)}/usage`;
    return parseUsage(await this.client.request<unknown>(`${path}?${query}`));
  }
}
