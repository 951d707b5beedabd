// Batch jobs of one deployment (seed demo §5.1.9, protocols.md §8): list with progress, create, detail, cancel.
import { API, Client, segment } from "./client";
import type { Kind } from "./deployments";
import type { components } from "./schema";

export type BatchJob = components["schemas"]["BatchJobDescription"];
export type BatchJobDetail = components["schemas"]["BatchJobGetResponse"];
type ListResponse = components["schemas"]["BatchJobsListResponse"];
type PostResponse = components["schemas"]["BatchJobPostResponse"];

export interface BatchForm {
  inputData: string;
  outputData: string;
  batchDataType: string;
  batchPayloadType: string;
  batchMethod: string;
  batchSize: string;
  batchWorkers: string;
  batchRetries: string;
  batchInterval: string;
  stopOnFailure: boolean;
}

export const DEFAULT_FORM: BatchForm = {
  inputData: "",
  outputData: "",
  batchDataType: "data",
  batchPayloadType: "ndarray",
  batchMethod: "predict",
  batchSize: "1",
  batchWorkers: "1",
  batchRetries: "3",
  batchInterval: "0",
  stopOnFailure: false,
};

export const DATA_TYPES = ["data", "json", "str", "raw"];
export const PAYLOAD_TYPES = ["ndarray", "tensor"];
export const METHODS = ["predict", "feedback"];

export type BatchErrors = Partial<Record<keyof BatchForm, string>>;
const LOCATION = /^(\/|file:\/\/|s3:\/\/)\S*$/;

function whole(value: string, min: number): number | null {
  const n = Number(value.trim());
  return value.trim() !== "" && Number.isInteger(n) && n >= min ? n : null;
}

/** The BatchJobDefinition of the form, or what is wrong with each field. */
export function batchDefinition(form: BatchForm): { body: Record<string, unknown> } | { errors: BatchErrors } {
  const errors: BatchErrors = {};
  for (const key of ["inputData", "outputData"] as const) {
    const value = form[key].trim();
    if (!value) errors[key] = "Required.";
    else if (!LOCATION.test(value)) errors[key] = "An absolute local path, or a file:// or s3:// URI.";
  }
  if (!errors.outputData && form.outputData.trim() === form.inputData.trim())
    errors.outputData = "The output must not overwrite the input.";
  if (!DATA_TYPES.includes(form.batchDataType)) errors.batchDataType = `One of ${DATA_TYPES.join(", ")}.`;
  if (!PAYLOAD_TYPES.includes(form.batchPayloadType)) errors.batchPayloadType = `One of ${PAYLOAD_TYPES.join(", ")}.`;
  if (!METHODS.includes(form.batchMethod)) errors.batchMethod = `One of ${METHODS.join(", ")}.`;
  const size = whole(form.batchSize, 1);
  const workers = whole(form.batchWorkers, 1);
  const retries = whole(form.batchRetries, 0);
  const interval = Number(form.batchInterval.trim());
  if (size === null) errors.batchSize = "A whole number, 1 or more.";
  if (workers === null) errors.batchWorkers = "A whole number, 1 or more.";
  if (retries === null) errors.batchRetries = "A whole number, 0 or more.";
  if (form.batchInterval.trim() === "" || !Number.isFinite(interval) || interval < 0)
    errors.batchInterval = "Seconds, 0 or more.";
  if (Object.keys(errors).length > 0) return { errors };
  return {
    body: {
      inputData: form.inputData.trim(),
      outputData: form.outputData.trim(),
      batchDataType: form.batchDataType,
      batchPayloadType: form.batchPayloadType,
      batchMethod: form.batchMethod,
      batchTransportProtocol: "rest",
      batchSize: size,
      batchWorkers: workers,
      batchRetries: retries,
      batchInterval: interval,
      stopOnFailure: form.stopOnFailure,
    },
  };
}

/** "12 / 150 lines (1 failed)", the rate and the time left, for people. */
export function describeProgress(p: BatchJob["progress"]): { lines: string; rate: string; eta: string; percent: number | null } {
  const failed = p.linesFailed ? ` (${p.linesFailed} failed)` : "";
  const total = p.linesTotal ?? null;
  return {
    lines: `${p.linesDone} / ${total ?? "?"} lines${failed}`,
    rate: p.linesPerSecond === null ? "—" : `${p.linesPerSecond.toFixed(1)} lines/s`,
    eta: p.etaSeconds === null ? "—" : formatDuration(p.etaSeconds),
    percent: total ? Math.min(100, (100 * p.linesDone) / total) : null,
  };
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export class BatchApi {
  constructor(private readonly client: Client) {}

  private base(kind: Kind, namespace: string, name: string): string {
    return `${API}/namespaces/${segment(namespace)}/${kind}/${segment(name)}/batchjobs`;
  }

  async list(kind: Kind, namespace: string, name: string): Promise<BatchJob[]> {
    const query = new URLSearchParams({ limit: "50", page: "1" });
    return (await this.client.request<ListResponse>(`${this.base(kind, namespace, name)}?${query}`)).batchJobs ?? [];
  }

  async get(kind: Kind, namespace: string, name: string, job: string): Promise<BatchJobDetail> {
    return this.client.request<BatchJobDetail>(`${this.base(kind, namespace, name)}/${segment(job)}`);
  }

  async create(kind: Kind, namespace: string, name: string, body: Record<string, unknown>): Promise<PostResponse> {
    return this.client.request<PostResponse>(this.base(kind, namespace, name), { method: "POST", body });
  }

  async cancel(kind: Kind, namespace: string, name: string, job: string): Promise<void> {
    await this.client.request<unknown>(`${this.base(kind, namespace, name)}/${segment(job)}`, { method: "DELETE" });
  }
}
