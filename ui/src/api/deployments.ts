// Namespaces and deployments (SeldonDeployments and InferenceServices), typed from the public OpenAPI document.
import { API, Client, segment } from "./client";
import type { paths } from "./schema";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;
type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: { 200: infer R } }
  ? Json<R>
  : never;

const NAMESPACES = "/seldon-deploy/api/v1alpha1/namespaces";
const SDEPS = "/seldon-deploy/api/v1alpha1/namespaces/{namespace}/seldondeployments";
const ISVCS = "/seldon-deploy/api/v1alpha1/namespaces/{namespace}/inferenceservices";
const SDEP = "/seldon-deploy/api/v1alpha1/namespaces/{namespace}/seldondeployments/{name}";
const ISVC = "/seldon-deploy/api/v1alpha1/namespaces/{namespace}/inferenceservices/{name}";

export type Namespace = Ok<typeof NAMESPACES, "get">[number];
export type SeldonDeploymentList = Ok<typeof SDEPS, "get">;
export type InferenceServiceList = Ok<typeof ISVCS, "get">;
export type SeldonDeployment = Ok<typeof SDEP, "get">;
export type InferenceService = Ok<typeof ISVC, "get">;

export type Kind = "seldondeployments" | "inferenceservices";
export const KIND_LABEL: Record<Kind, string> = {
  seldondeployments: "SeldonDeployment",
  inferenceservices: "InferenceService",
};

/** What the overview and the dashboard show of any deployment, whatever its kind. */
export interface Deployment {
  kind: Kind;
  namespace: string;
  name: string;
  status: string;
  statusDetail: string | null;
  predictors: Predictor[];
  raw: unknown;
}

export type Role = "default" | "canary" | "shadow";

export interface Predictor {
  name: string;
  role: Role;
  traffic: number; // percent of the live traffic (a shadow gets a copy of it: 0 here)
  model: string | null; // model URI or implementation, for people
}

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj => (typeof value === "object" && value !== null ? (value as Obj) : {});
const str = (value: unknown): string | null => (typeof value === "string" ? value : null);

function seldonPredictors(spec: Obj): Predictor[] {
  const list = Array.isArray(spec.predictors) ? spec.predictors.map(obj) : [];
  const live = list.filter((p) => p.shadow !== true);
  return list.map((p) => {
    const graph = obj(p.graph);
    const shadow = p.shadow === true;
    const traffic = shadow ? 0 : typeof p.traffic === "number" ? p.traffic : live.length === 1 ? 100 : 0;
    return {
      name: str(p.name) ?? "(unnamed)",
      role: shadow ? "shadow" : live.indexOf(p) === 0 ? "default" : "canary",
      traffic,
      model: str(graph.modelUri) ?? str(graph.implementation) ?? str(graph.name),
    };
  });
}

function storageUri(predictor: Obj): string | null {
  for (const value of Object.values(predictor)) {
    const uri = str(obj(value).storageUri);
    if (uri) return uri;
  }
  return null;
}

function isvcPredictors(spec: Obj): Predictor[] {
  const predictor = obj(spec.predictor);
  const percent = typeof predictor.canaryTrafficPercent === "number" ? predictor.canaryTrafficPercent : null;
  const model = storageUri(predictor);
  if (percent === null || percent >= 100) return [{ name: "predictor", role: "default", traffic: 100, model }];
  return [
    { name: "previous revision", role: "default", traffic: 100 - percent, model: null },
    { name: "predictor", role: "canary", traffic: percent, model },
  ];
}

function seldonStatus(status: Obj): [string, string | null] {
  return [str(status.state) ?? "Unknown", str(status.description) ?? str(status.reason)];
}

function isvcStatus(status: Obj): [string, string | null] {
  const conditions = Array.isArray(status.conditions) ? status.conditions.map(obj) : [];
  const ready = conditions.find((c) => c.type === "Ready");
  if (!ready) return ["Unknown", null];
  const detail = str(ready.message) ?? str(ready.reason);
  return [ready.status === "True" ? "Ready" : "Not ready", detail];
}

/** The kind-independent view of a deployment object as the API answers it. */
export function deploymentOf(kind: Kind, raw: unknown): Deployment {
  const o = obj(raw);
  const metadata = obj(o.metadata);
  const spec = obj(o.spec);
  const [status, statusDetail] = kind === "seldondeployments" ? seldonStatus(obj(o.status)) : isvcStatus(obj(o.status));
  return {
    kind,
    namespace: str(metadata.namespace) ?? "",
    name: str(metadata.name) ?? "(unnamed)",
    status,
    statusDetail,
    predictors: kind === "seldondeployments" ? seldonPredictors(spec) : isvcPredictors(spec),
    raw,
  };
}

export function hasCanary(deployment: Deployment): boolean {
  return deployment.predictors.some((p) => p.role === "canary");
}

/** Deployments whose name, kind, status or model contains every word of `query` (case-insensitive). */
export function matches(deployment: Deployment, query: string): boolean {
  const haystack = [
    deployment.name,
    KIND_LABEL[deployment.kind],
    deployment.status,
    ...deployment.predictors.flatMap((p) => [p.name, p.model ?? ""]),
  ]
    .join(" ")
    .toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

export function statusColor(status: string): "success" | "warning" | "error" | "default" {
  if (status === "Available" || status === "Ready") return "success";
  if (status === "Creating" || status === "Unknown") return "warning";
  if (status === "Failed" || status === "Not ready") return "error";
  return "default";
}

function deploymentPath(kind: Kind, namespace: string, name: string): string {
  return `${API}/namespaces/${segment(namespace)}/${kind}/${segment(name)}`;
}

export class WardenApi {
  constructor(private readonly client: Client) {}

  async namespaces(): Promise<Namespace[]> {
    return this.client.request<Namespace[]>(`${API}/namespaces`);
  }

  async deployments(namespace: string): Promise<Deployment[]> {
    const ns = segment(namespace);
    const [sdeps, isvcs] = await Promise.all([
      this.client.request<SeldonDeploymentList>(`${API}/namespaces/${ns}/seldondeployments`),
      this.client.request<InferenceServiceList>(`${API}/namespaces/${ns}/inferenceservices`),
    ]);
    return [
      ...(sdeps.items ?? []).map((item) => deploymentOf("seldondeployments", item)),
      ...(isvcs.items ?? []).map((item) => deploymentOf("inferenceservices", item)),
    ].sort((a, b) => a.name.localeCompare(b.name));
  }

  async deployment(kind: Kind, namespace: string, name: string): Promise<Deployment> {
    const raw = await this.client.request<SeldonDeployment | InferenceService>(deploymentPath(kind, namespace, name));
    return deploymentOf(kind, raw);
  }

  async promoteCanary(kind: Kind, namespace: string, name: string): Promise<Deployment> {
    const path = `${deploymentPath(kind, namespace, name)}/canary/promote`;
    return deploymentOf(kind, await this.client.request<unknown>(path, { method: "POST" }));
  }

  async removeCanary(kind: Kind, namespace: string, name: string): Promise<Deployment> {
    const path = `${deploymentPath(kind, namespace, name)}/canary`;
    return deploymentOf(kind, await this.client.request<unknown>(path, { method: "DELETE" }));
  }

  async remove(kind: Kind, namespace: string, name: string): Promise<void> {
    await this.client.request<unknown>(deploymentPath(kind, namespace, name), { method: "DELETE" });
  }
}
