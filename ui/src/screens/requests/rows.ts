// A logged instance (the request logger's search hit) flattened into one table row.
import type { LoggedRequest } from "../../api/requests";

export interface RequestRow {
  id: string;
  requestId: string;
  item: number;
  time: string;
  endpoint: string;
  features: Record<string, unknown>;
  prediction: string;
  outlierScore: number | null;
  isOutlier: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function show(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toPrecision(4);
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Name -> value of a part: the elements named by the prediction schema, else the raw row by position. */
export function elementsOf(part: unknown): Record<string, unknown> {
  if (!isObj(part)) return {};
  if (isObj(part.elements) && Object.keys(part.elements).length > 0) return part.elements;
  const row = part.instance;
  const names = Array.isArray(part.names) ? part.names.map(String) : [];
  if (Array.isArray(row)) return Object.fromEntries(row.map((v, i) => [names[i] ?? `${i}`, v]));
  return row === undefined ? {} : { value: row };
}

export function rowOf(hit: LoggedRequest): RequestRow {
  const outlier = isObj(hit.outlier) ? hit.outlier : {};
  const score = typeof outlier.instanceScore === "number" ? outlier.instanceScore : null;
  const response = elementsOf(hit.response);
  return {
    id: String(hit.id ?? `${hit.requestId}-${hit.itemIndex}`),
    requestId: String(hit.requestId ?? ""),
    item: typeof hit.itemIndex === "number" ? hit.itemIndex : 0,
    time: String(hit.timestamp ?? ""),
    endpoint: String(hit.endpoint ?? ""),
    features: elementsOf(hit.request),
    prediction: Object.entries(response)
      .map(([k, v]) => (Object.keys(response).length === 1 ? show(v) : `${k}: ${show(v)}`))
      .join(", "),
    outlierScore: score,
    isOutlier: outlier.isOutlier === true,
  };
}

/** The feature columns of a page, in first-seen order (the schema's order when elements are named by it). */
export function featureColumns(rows: RequestRow[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const name of Object.keys(row.features)) seen.add(name);
  return [...seen];
}

export { show };
