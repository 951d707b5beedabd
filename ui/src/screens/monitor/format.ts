// The logic of the monitoring, predict and load test screens that needs no React: time ranges, number formats,
// cohort filters, chart data from distribution buckets, sample payloads and JSON validation.
import type { Bucket, FeatureFilter, Interaction, TimeRange } from "../../api/monitor";

export interface RangeChoice {
  label: string;
  minutes: number;
}

export const RANGES: RangeChoice[] = [
  { label: "Last 5 minutes", minutes: 5 },
  { label: "Last 15 minutes", minutes: 15 },
  { label: "Last hour", minutes: 60 },
  { label: "Last 6 hours", minutes: 360 },
  { label: "Last 24 hours", minutes: 1440 },
  { label: "Last 7 days", minutes: 10080 },
];

/** Steps the request metrics take (the server's windows are 10 s; at most 1100 points per range). */
export const STEPS = [10, 30, 60, 300, 900, 3600];

/** The range ending `now`; `step` only if it gives 1..1100 windows (else the server's default is used). */
export function rangeOf(minutes: number, now: Date, step?: number): TimeRange {
  const start = new Date(now.getTime() - minutes * 60_000);
  const windows = (minutes * 60) / (step ?? 1);
  return step !== undefined && windows >= 1 && windows <= 1100 ? { start, end: now, step } : { start, end: now };
}

export function formatNumber(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  return value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

/** Seconds as milliseconds for people ("3.1 ms"), or a dash when there is no value. */
export function formatSeconds(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return `${formatNumber(value * 1000, 1)} ms`;
}

export function formatMs(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : `${formatNumber(value, 1)} ms`;
}

export function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : `${formatNumber(value * 100, 1)} %`;
}

/** A cohort condition as the user enters it: a numeric range or a set of categories of one feature. */
export interface Cohort {
  feature: string; // "request:Age" / "response:t:0": the part, then the name
  kind: "range" | "categories";
  min: string;
  max: string;
  categories: string;
}

/** "request:0" -> ["request", "0"]: feature options carry their part (a name may be in both). */
export function splitFeature(value: string): [Interaction, string] {
  const at = value.indexOf(":");
  const part = value.slice(0, at);
  return [part === "response" ? "response" : "request", value.slice(at + 1)];
}

/** The SDK's filters for a time range and cohort conditions; an error naming what is wrong in a condition. */
export function buildFilters(range: TimeRange, cohorts: Cohort[]): FeatureFilter[] {
  const filters: FeatureFilter[] = [
    { is_timestamp: true, gte: range.start.toISOString(), lt: range.end.toISOString() },
  ];
  for (const [i, cohort] of cohorts.entries()) {
    const where = `Cohort condition ${i + 1}`;
    if (!cohort.feature) throw new Error(`${where}: choose a feature`);
    const [interaction, feature] = splitFeature(cohort.feature);
    if (cohort.kind === "range") {
      const filter: FeatureFilter = { feature, interaction };
      for (const [key, text] of [
        ["gte", cohort.min],
        ["lte", cohort.max],
      ] as const) {
        if (!text.trim()) continue;
        if (!Number.isFinite(Number(text))) throw new Error(`${where}: "${text}" is not a number`);
        filter[key] = text.trim();
      }
      if (filter.gte === undefined && filter.lte === undefined) throw new Error(`${where}: give a minimum or a maximum`);
      if (filter.gte !== undefined && filter.lte !== undefined && Number(filter.gte) > Number(filter.lte)) {
        throw new Error(`${where}: the minimum ${filter.gte} is above the maximum ${filter.lte}`);
      }
      filters.push(filter);
    } else {
      const terms = cohort.categories
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean);
      if (terms.length === 0) throw new Error(`${where}: list one or more categories, separated by commas`);
      filters.push({ feature, interaction, terms });
    }
  }
  return filters;
}

export interface BarData {
  labels: string[];
  counts: number[];
}

/** Bars of a distribution's buckets: histogram buckets (numeric keys) in numeric order, categories as given. */
export function barsOf(buckets: Bucket[] | undefined): BarData {
  const list = [...(buckets ?? [])];
  if (list.length > 0 && list.every((b) => b.key !== "" && Number.isFinite(Number(b.key)))) {
    list.sort((a, b) => Number(a.key) - Number(b.key));
  }
  return { labels: list.map((b) => b.key), counts: list.map((b) => b.count) };
}

/** A histogram bucket's label: "5 – 5.5" for the bucket starting at 5 of width 0.5. */
export function histogramLabel(key: string, interval: number | undefined): string {
  const low = Number(key);
  if (!interval || !Number.isFinite(low)) return key;
  const high = Math.round((low + interval) * 1e9) / 1e9;
  return `${key} – ${high}`;
}

export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

/** The text as JSON, or why it is not (with the position the browser reports). */
export function parseJson(text: string, what = "The payload"): Parsed {
  if (!text.trim()) return { ok: false, error: `${what} is empty: enter a JSON object` };
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return { ok: false, error: `${what} must be a JSON object, like {"data": {...}}` };
    }
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: `${what} is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj => (typeof value === "object" && value !== null ? (value as Obj) : {});

/** The protocol a deployment's predictions use: seldon, v2 or tensorflow (from its spec, as the gateway reads it). */
export function protocolOf(raw: unknown): "seldon" | "v2" | "tensorflow" {
  const o = obj(raw);
  const spec = obj(o.spec);
  if (o.kind === "InferenceService") {
    const versions = Object.values(obj(spec.predictor)).map((v) => obj(v).protocolVersion);
    return versions.includes("v2") ? "v2" : "tensorflow";
  }
  const protocol = String(spec.protocol ?? "seldon").toLowerCase();
  if (protocol === "tensorflow") return "tensorflow";
  if (protocol === "v2" || protocol === "kfserving") return "v2";
  return "seldon";
}

/** A sample prediction in the deployment's protocol (one row of four numbers, as the seed's iris examples). */
export function samplePayload(raw: unknown): unknown {
  const row = [5.1, 3.5, 1.4, 0.2];
  switch (protocolOf(raw)) {
    case "v2":
      return { inputs: [{ name: "predict", shape: [1, row.length], datatype: "FP64", data: row }] };
    case "tensorflow":
      return { instances: [row] };
    default:
      return { data: { ndarray: [row] } };
  }
}

/** The payload of the newest logged request (a real one this deployment answered), if any. */
export function loggedPayload(search: unknown): unknown {
  const hits = obj(search).requests;
  const first = obj(Array.isArray(hits) ? hits[0] : undefined);
  const payload = obj(obj(obj(first.payloads).request).payload);
  return Object.keys(payload).length > 0 ? payload : null;
}

export const ACTIVE_JOB = new Set(["Pending", "Running"]);
