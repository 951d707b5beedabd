// The model catalog (`/model/metadata`): server-paged listing with the catalog query language, register and edit.
import { API, Client } from "./client";
import type { paths } from "./schema";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;
type ListOk = paths["/seldon-deploy/api/v1alpha1/model/metadata"]["get"] extends { responses: { 200: infer R } }
  ? Json<R>
  : never;

export type CatalogPage = ListOk;
export type CatalogModel = NonNullable<CatalogPage["models"]>[number];

const METADATA = `${API}/model/metadata`;

export const ARTIFACT_TYPES = [
  "UNKNOWN",
  "CUSTOM",
  "TENSORFLOW",
  "SKLEARN",
  "XGBOOST",
  "MLFLOW",
  "PYTORCH",
  "ONNX",
  "TENSORRT",
  "ALIBI_EXPLAIN",
] as const;

/** What the catalog model form edits; `tags`/`metrics` as `key=value` lines, the prediction schema as JSON text. */
export interface ModelForm {
  uri: string;
  name: string;
  version: string;
  artifactType: string;
  taskType: string;
  project: string;
  tags: string;
  metrics: string;
  predictionSchema: string;
}

export const EMPTY_FORM: ModelForm = {
  uri: "",
  name: "",
  version: "",
  artifactType: "UNKNOWN",
  taskType: "",
  project: "",
  tags: "",
  metrics: "",
  predictionSchema: "",
};

export interface ListRequest {
  query: string;
  pageSize: number;
  pageToken: string | null;
}

/** The query string of one page of the list: only the server's own paging parameters, no client-side slicing. */
export function listParams({ query, pageSize, pageToken }: ListRequest): URLSearchParams {
  const params = new URLSearchParams();
  if (query.trim()) params.set("query", query.trim());
  params.set("pageSize", String(pageSize));
  if (pageToken) params.set("pageToken", pageToken);
  params.set("orderBy", "name, version");
  return params;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function parseLines(text: string, what: string, errors: Record<string, string>): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.indexOf("=");
    if (at <= 0) {
      errors[what] = `line ${index + 1}: write key=value (got “${line}”)`;
      continue;
    }
    pairs.push([line.slice(0, at).trim(), line.slice(at + 1).trim()]);
  }
  return pairs;
}

const FEATURE_TYPES = ["REAL", "CATEGORICAL", "PROBA", "ONE_HOT", "TEXT", "TENSOR"];
const CATEGORICAL = ["CATEGORICAL", "PROBA", "ONE_HOT"];
const DATA_TYPES = ["FLOAT", "INT", "BOOL"];
const FEATURE_KEYS = ["name", "type", "dataType", "nCategories", "categoryMap", "schema", "shape"];

function featureErrors(feature: unknown, path: string): string[] {
  if (!isObj(feature)) return [`${path}: a feature is an object {"name", "type", ...}`];
  const errors: string[] = [];
  for (const key of Object.keys(feature)) {
    if (!FEATURE_KEYS.includes(key)) errors.push(`${path}.${key}: unknown field (allowed: ${FEATURE_KEYS.join(", ")})`);
  }
  if (typeof feature.name !== "string" || !feature.name) errors.push(`${path}.name: a non-empty string is required`);
  const type = feature.type;
  if (typeof type !== "string" || !FEATURE_TYPES.includes(type)) {
    errors.push(`${path}.type: one of ${FEATURE_TYPES.join(", ")}`);
  }
  if (feature.dataType !== undefined && !DATA_TYPES.includes(String(feature.dataType))) {
    errors.push(`${path}.dataType: one of ${DATA_TYPES.join(", ")}`);
  }
  const n = feature.nCategories;
  if (n !== undefined && (typeof n !== "number" || !Number.isInteger(n) || n < 1)) {
    errors.push(`${path}.nCategories: a positive integer`);
  }
  const categorical = typeof type === "string" && CATEGORICAL.includes(type);
  if (categorical && n === undefined && feature.categoryMap === undefined && feature.schema === undefined) {
    errors.push(`${path}.type: a ${String(type)} feature needs nCategories, categoryMap or schema to say its categories`);
  }
  if (!categorical && (n !== undefined || feature.categoryMap !== undefined)) {
    errors.push(`${path}: only categorical features (CATEGORICAL, ONE_HOT, PROBA) have nCategories or categoryMap`);
  }
  if (feature.categoryMap !== undefined) {
    if (!isObj(feature.categoryMap)) errors.push(`${path}.categoryMap: an object {"0": "name", ...}`);
    else
      for (const [key, value] of Object.entries(feature.categoryMap)) {
        if (!/^\d+$/.test(key)) errors.push(`${path}.categoryMap.${key}: keys are category indexes (0, 1, ...)`);
        else if (typeof n === "number" && Number(key) >= n)
          errors.push(`${path}.categoryMap.${key}: index out of range for nCategories=${n}`);
        if (typeof value !== "string") errors.push(`${path}.categoryMap.${key}: a string`);
      }
  }
  if (feature.schema !== undefined) {
    if (!Array.isArray(feature.schema)) errors.push(`${path}.schema: a list of {"name", "dataType"}`);
    else
      feature.schema.forEach((item: unknown, i) => {
        if (!isObj(item) || typeof item.name !== "string" || !item.name)
          errors.push(`${path}.schema[${i}].name: a non-empty string is required`);
      });
  }
  const shape = feature.shape;
  if (shape !== undefined) {
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || (d < 1 && d !== -1))) {
      errors.push(`${path}.shape: a list of positive integers (or -1 for a variable size)`);
    }
  } else if (type === "TENSOR") {
    errors.push(`${path}.shape: a TENSOR feature needs its shape, e.g. [28, 28, 1]`);
  }
  return errors;
}

/** Problems of a prediction schema (protocols.md §7) as `path: message` lines; [] when it is valid or empty. */
export function predictionSchemaErrors(text: string): string[] {
  if (!text.trim()) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return [`not valid JSON: ${error instanceof Error ? error.message : String(error)}`];
  }
  if (!isObj(value)) return ['the prediction schema is an object {"requests": [...], "responses": [...]}'];
  const errors: string[] = [];
  for (const key of Object.keys(value)) {
    if (key !== "requests" && key !== "responses") errors.push(`${key}: unknown field (requests, responses)`);
  }
  for (const side of ["requests", "responses"] as const) {
    const list = value[side];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      errors.push(`${side}: a list of features`);
      continue;
    }
    const seen = new Set<string>();
    list.forEach((feature: unknown, i) => {
      errors.push(...featureErrors(feature, `${side}[${i}]`));
      const name = isObj(feature) ? feature.name : undefined;
      if (typeof name === "string") {
        if (seen.has(name)) errors.push(`${side}[${i}].name: duplicate feature name “${name}”`);
        seen.add(name);
      }
    });
  }
  return errors;
}

/** The request body for a form, or the errors per field (keys of ModelForm). */
export function modelBody(form: ModelForm): { body: Obj } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (!form.uri.trim()) errors.uri = "the model URI is required (e.g. gs://bucket/iris or file:///models/iris)";
  const tags = Object.fromEntries(parseLines(form.tags, "tags", errors));
  const metrics: Record<string, number> = {};
  for (const [key, value] of parseLines(form.metrics, "metrics", errors)) {
    const number = Number(value);
    if (value === "" || !Number.isFinite(number)) errors.metrics = `${key}: “${value}” is not a number`;
    else metrics[key] = number;
  }
  const schemaErrors = predictionSchemaErrors(form.predictionSchema);
  if (schemaErrors.length) errors.predictionSchema = schemaErrors.join("; ");
  if (Object.keys(errors).length) return { errors };
  const body: Obj = { URI: form.uri.trim(), artifactType: form.artifactType, tags, metrics };
  if (form.name.trim()) body.name = form.name.trim();
  if (form.version.trim()) body.version = form.version.trim();
  if (form.taskType.trim()) body.taskType = form.taskType.trim();
  if (form.project.trim()) body.project = form.project.trim();
  if (form.predictionSchema.trim()) body.predictionSchema = JSON.parse(form.predictionSchema) as unknown;
  return { body };
}

/** The form of an existing catalog entry (for editing). */
export function formOf(model: CatalogModel): ModelForm {
  const m = model as Obj;
  const lines = (v: unknown) =>
    isObj(v)
      ? Object.entries(v)
          .map(([k, x]) => `${k}=${String(x)}`)
          .join("\n")
      : "";
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  return {
    uri: text(m.URI),
    name: text(m.name),
    version: text(m.version),
    artifactType: text(m.artifactType) || "UNKNOWN",
    taskType: text(m.taskType),
    project: text(m.project),
    tags: lines(m.tags),
    metrics: lines(m.metrics),
    predictionSchema: isObj(m.predictionSchema) ? JSON.stringify(m.predictionSchema, null, 2) : "",
  };
}

export class CatalogApi {
  constructor(private readonly client: Client) {}

  async list(request: ListRequest, signal?: AbortSignal): Promise<CatalogPage> {
    return this.client.request<CatalogPage>(`${METADATA}?${listParams(request).toString()}`, signal ? { signal } : {});
  }

  async register(body: Obj): Promise<void> {
    await this.client.request<unknown>(METADATA, { method: "POST", body });
  }

  async update(body: Obj): Promise<void> {
    await this.client.request<unknown>(METADATA, { method: "PUT", body });
  }

  /** Removes the entry of `uri` (in `project`, when the entry has one); its deployments keep running. */
  async remove(uri: string, project: string | null): Promise<void> {
    const params = new URLSearchParams({ URI: uri });
    if (project) params.set("project", project);
    await this.client.request<unknown>(`${METADATA}?${params.toString()}`, { method: "DELETE" });
  }
}
