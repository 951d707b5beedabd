// Monitoring, predictions and load tests of one deployment: request metrics, feature distributions, detectors and
// their results, the explainer, predict / predictcurl and load test jobs. Typed from the public OpenAPI document
// where it types the answer; the forwarded routes (distributions, load tests) by the shapes their services document.
import { API, ApiError, Client, segment } from "./client";
import type { Kind } from "./deployments";
import type { components } from "./schema";

type Schemas = components["schemas"];
export type RequestMetrics = Schemas["RequestMetricsPublic"];
export type PredictorTraffic = Schemas["PredictorTraffic"];
export type Traffic = Schemas["Traffic"];
export type Detector = Schemas["DetectorPublic"];
/** What a create posts: the name and `config` (the deployment fields come from the path). */
export type DetectorData = Schemas["DetectorData"];
export type DriftTimeline = Schemas["DriftTimeline"];
export type DriftWindow = Schemas["TimelineWindow"];
export type AccuracyMetrics = Schemas["MetricsView"];

/** The three detector collections under `{deployment}/monitor/`. */
export type DetectorKind = "outlier-detector" | "drift-detector" | "metrics-server";
export const DETECTOR_LABEL: Record<DetectorKind, string> = {
  "outlier-detector": "Outlier detector",
  "drift-detector": "Drift detector",
  "metrics-server": "Metrics server",
};

export type FeatureType = "REAL" | "CATEGORICAL" | "PROBA" | "ONE_HOT";
export type Interaction = "request" | "response";

/** seldon-deploy-sdk `FeatureFilter` (snake_case on the wire). */
export interface FeatureFilter {
  feature?: string;
  interaction?: Interaction;
  category_name?: string;
  gt?: string;
  gte?: string;
  lt?: string;
  lte?: string;
  terms?: string[];
  is_outlier?: boolean;
  is_timestamp?: boolean;
}

/** seldon-deploy-sdk `DeploymentFeatureData`. */
export interface FeatureQuery {
  feature: string;
  interaction?: Interaction;
  filters?: FeatureFilter[];
  parameters?: { histogram_interval?: number; number_of_time_buckets?: number; minimum_bucket_count?: number };
  aggregate_over_time?: boolean;
  deployment_endpoint?: string;
  include_loadtest?: boolean;
}

export interface Bucket {
  key: string;
  count: number;
  distribution?: { buckets?: Bucket[] };
}

export interface FeatureDistribution {
  feature: string;
  type: FeatureType;
  interaction: Interaction;
  total_instances: number;
  distribution: { buckets?: Bucket[] };
}

export interface Stats {
  count?: number;
  min?: number | null;
  max?: number | null;
  avg?: number | null;
  most_frequent_category?: string | null;
  most_frequent_category_count?: number | null;
  buckets?: { key: string; stats: Stats }[];
}

export interface FeatureStatistics {
  feature: string;
  type: FeatureType;
  interaction: Interaction;
  total_instances: number;
  stats: Stats;
}

export interface LoadLatency {
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

export interface LoadEndpointResult {
  requests: number;
  succeeded: number;
  failed: number;
  latencyMs: LoadLatency;
  statusCodes: Record<string, number>;
  errors: Record<string, number>;
}

export interface LoadResult extends LoadEndpointResult {
  durationSeconds: number;
  throughput: number;
  endpoints?: Record<string, LoadEndpointResult>;
}

export interface LoadTestJob {
  jobName: string;
  status: string;
  connectionsNumber: number;
  requestsNumber: number | null;
  duration: number | null;
  path: string;
  createdBy: string | null;
  createdAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  reason: string | null;
  result: LoadResult | null;
}

/** What starts a load test: connections, and either a request count or a duration in seconds. */
export interface LoadTestRequest {
  jobName?: string;
  connectionsNumber: number;
  requestsNumber?: number;
  duration?: string;
  payload?: unknown;
}

/** The feature names a deployment's logged predictions carry, from its newest logged request. */
export interface LoggedFeatures {
  request: string[];
  response: string[];
}

export interface TimeRange {
  start: Date;
  end: Date;
  /** Window length in seconds; none: the server picks about 120 windows. */
  step?: number;
}

/** Has the answer this status? For "is there one" lookups (an explainer answers 404 when there is none). */
export function isStatus(error: unknown, status: number): boolean {
  return error instanceof ApiError && error.status === status;
}

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj => (typeof value === "object" && value !== null ? (value as Obj) : {});

/** Element names of a logged request document's part (`request` / `response`), in their logged order. */
export function loggedFeatures(search: unknown): LoggedFeatures {
  const hits = obj(search).requests;
  const first = obj(Array.isArray(hits) ? hits[0] : undefined);
  const names = (part: string) => Object.keys(obj(obj(first[part]).elements));
  return { request: names("request"), response: names("response") };
}

export class MonitorApi {
  private readonly base: string;

  constructor(
    private readonly client: Client,
    kind: Kind,
    namespace: string,
    name: string,
  ) {
    this.base = `${API}/namespaces/${segment(namespace)}/${kind}/${segment(name)}`;
  }

  async requestMetrics(range: TimeRange, signal?: AbortSignal): Promise<RequestMetrics> {
    const query = new URLSearchParams({ start: range.start.toISOString(), end: range.end.toISOString() });
    if (range.step !== undefined) query.set("step", String(range.step));
    return this.client.request<RequestMetrics>(`${this.base}/monitor/requests?${query}`, { signal });
  }

  async featureDistribution(query: FeatureQuery): Promise<FeatureDistribution> {
    return this.client.request(`${this.base}/monitor/featuredistributions`, { method: "POST", body: query });
  }

  async featureStatistics(query: FeatureQuery): Promise<FeatureStatistics> {
    return this.client.request(`${this.base}/monitor/featurestatistics`, { method: "POST", body: query });
  }

  /** The newest logged request (the search answer, one hit at most): its features and payload. */
  async newestLogged(): Promise<unknown> {
    return this.client.request<unknown>(`${this.base}/requests?pageSize=1`);
  }

  async detectors(kind: DetectorKind): Promise<Detector[]> {
    return this.client.request<Detector[]>(`${this.base}/monitor/${kind}`);
  }

  /** Creates a detector of `kind` on the deployment; the answer is the stored detector (state Loading at first). */
  async createDetector(kind: DetectorKind, body: DetectorData): Promise<Detector> {
    return this.client.request<Detector>(`${this.base}/monitor/${kind}`, { method: "POST", body });
  }

  async deleteDetector(kind: DetectorKind, name: string): Promise<void> {
    await this.client.request<unknown>(`${this.base}/monitor/${kind}/${segment(name)}`, { method: "DELETE" });
  }

  async driftTimeline(detector: string, range?: TimeRange): Promise<DriftTimeline> {
    const query = new URLSearchParams({ pageSize: "500" });
    if (range) {
      query.set("start", range.start.toISOString());
      query.set("end", range.end.toISOString());
    }
    return this.client.request(`${this.base}/monitor/drift-detector/${segment(detector)}/timeline?${query}`);
  }

  async accuracy(detector: string, range?: TimeRange): Promise<AccuracyMetrics> {
    const query = new URLSearchParams();
    if (range) {
      query.set("start", range.start.toISOString());
      query.set("end", range.end.toISOString());
    }
    const tail = query.size ? `?${query}` : "";
    return this.client.request(`${this.base}/monitor/metrics-server/${segment(detector)}/metrics${tail}`);
  }

  /** The explainer, or null when the deployment has none (the route answers 404 then). */
  async explainer(): Promise<Obj | null> {
    try {
      return await this.client.request<Obj>(`${this.base}/explainer`);
    } catch (error) {
      if (isStatus(error, 404)) return null;
      throw error;
    }
  }

  async predict(payload: unknown): Promise<unknown> {
    return this.client.request<unknown>(`${this.base}/predict`, { method: "POST", body: payload });
  }

  async predictCurl(payload: unknown): Promise<string> {
    return this.client.request<string>(`${this.base}/predictcurl`, { method: "PUT", body: payload });
  }

  async loadTests(): Promise<LoadTestJob[]> {
    const answer = await this.client.request<{ jobs?: LoadTestJob[] }>(`${this.base}/loadtestjobs`);
    return answer.jobs ?? [];
  }

  async startLoadTest(request: LoadTestRequest): Promise<LoadTestJob> {
    const answer = await this.client.request<{ job: LoadTestJob }>(`${this.base}/loadtestjobs`, {
      method: "POST",
      body: request,
    });
    return answer.job;
  }

  async deleteLoadTest(job: string): Promise<void> {
    await this.client.request<unknown>(`${this.base}/loadtestjobs/${segment(job)}`, { method: "DELETE" });
  }
}
