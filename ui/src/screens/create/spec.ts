// The Create wizard's answers and the deployment object they make (SeldonDeployment or InferenceService).
import { API, Client, segment } from "../../api/client";
import type { Kind } from "../../api/deployments";
import { explainerBody, type ExplainerForm } from "../explainer/form";

/** The model servers Warden's runtime accepts (libs/common warden_common/model_servers.py), by kind. */
export const SELDON_SERVERS = ["SKLEARN_SERVER", "XGBOOST_SERVER"] as const;
export const KSERVE_FORMATS: Record<string, string> = { SKLEARN_SERVER: "sklearn", XGBOOST_SERVER: "xgboost" };
/** Catalog artifact type -> the server that runs it, to prefill "Deploy from catalog". */
export const SERVER_OF_ARTIFACT: Record<string, string> = { SKLEARN: "SKLEARN_SERVER", XGBOOST: "XGBOOST_SERVER" };

export type Protocol = "seldon" | "v2" | "tensorflow";

export interface Parameter {
  name: string;
  type: "STRING" | "INT" | "FLOAT" | "DOUBLE" | "BOOL";
  value: string;
}

export interface WizardForm {
  name: string;
  namespace: string;
  kind: Kind;
  protocol: Protocol;
  implementation: string;
  modelUri: string;
  project: string;
  storageSecret: string;
  parameters: Parameter[];
  cpuRequest: string;
  memoryRequest: string;
  cpuLimit: string;
  memoryLimit: string;
  minReplicas: string;
  maxReplicas: string;
  transformerImage: string;
  /** The optional explainer, set in the deployment's spec; null for none. */
  explainer: ExplainerForm | null;
  comment: string;
}

export function emptyWizard(namespace: string): WizardForm {
  return {
    name: "",
    namespace,
    kind: "seldondeployments",
    protocol: "seldon",
    implementation: "SKLEARN_SERVER",
    modelUri: "",
    project: "",
    storageSecret: "",
    parameters: [],
    cpuRequest: "",
    memoryRequest: "",
    cpuLimit: "",
    memoryLimit: "",
    minReplicas: "1",
    maxReplicas: "1",
    transformerImage: "",
    explainer: null,
    comment: "",
  };
}

/** The wizard's steps in order; each field belongs to one, so a server error can send the user to its step. */
export const STEPS = [
  "Details",
  "Default predictor",
  "Parameters",
  "Resources",
  "Autoscaling",
  "Transformer",
  "Explainer",
  "Version comment",
  "Review",
] as const;

export const EXPLAINER_STEP = STEPS.indexOf("Explainer");

/** The explainer section of the spec: a SeldonDeployment predictor's `explainer` ({type, modelUri | referenceUri,
 * config}); an InferenceService's `spec.explainer.alibi`, where a saved explainer is KServe's `storageUri`. Warden's
 * detectors service runs the explainer it finds there, so no second call after the create is needed. */
function explainerSection(form: WizardForm): Record<string, unknown> | null {
  if (!form.explainer) return null;
  const checked = explainerBody(form.explainer);
  if (!checked.ok) return null;
  return { ...checked.body };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY = /^\d+(\.\d+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$/;

/** Client-side checks per step index (the server's validate call has the last word). */
export function stepErrors(form: WizardForm): Map<number, string[]> {
  const errors = new Map<number, string[]>();
  const add = (step: number, message: string) => errors.set(step, [...(errors.get(step) ?? []), message]);
  if (!form.name) add(0, "the name is required");
  else if (!DNS_LABEL.test(form.name) || form.name.length > 63)
    add(0, "the name is a DNS-1123 label: lower case letters, digits and '-', at most 63");
  if (!form.modelUri.trim()) add(1, "the model URI is required");
  if (!form.implementation.trim()) add(1, "the model server is required");
  form.parameters.forEach((p, i) => {
    if (!p.name.trim()) add(2, `parameter ${i + 1}: the name is required`);
    if ((p.type === "INT" && !/^-?\d+$/.test(p.value)) || (["FLOAT", "DOUBLE"].includes(p.type) && !Number.isFinite(Number(p.value)) ) || p.value.trim() === "" && p.type !== "STRING")
      add(2, `parameter ${p.name || i + 1}: “${p.value}” is not a ${p.type}`);
    if (p.type === "BOOL" && !["true", "false"].includes(p.value)) add(2, `parameter ${p.name || i + 1}: true or false`);
  });
  for (const [label, value] of [
    ["CPU request", form.cpuRequest],
    ["memory request", form.memoryRequest],
    ["CPU limit", form.cpuLimit],
    ["memory limit", form.memoryLimit],
  ] as const) {
    if (value && !QUANTITY.test(value)) add(3, `${label}: “${value}” is not a quantity (e.g. 500m, 1, 512Mi, 2Gi)`);
  }
  const min = Number(form.minReplicas);
  const max = Number(form.maxReplicas);
  if (!Number.isInteger(min) || min < 1) add(4, "minimum replicas: a whole number of at least 1");
  if (!Number.isInteger(max) || max < 1) add(4, "maximum replicas: a whole number of at least 1");
  else if (Number.isInteger(min) && max < min) add(4, "maximum replicas must not be below the minimum");
  if (form.explainer) {
    const checked = explainerBody(form.explainer);
    if (!checked.ok) checked.problems.forEach((p) => add(EXPLAINER_STEP, `explainer: ${p}`));
  }
  return errors;
}

function resources(form: WizardForm): Record<string, Record<string, string>> | null {
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  if (form.cpuRequest) requests.cpu = form.cpuRequest;
  if (form.memoryRequest) requests.memory = form.memoryRequest;
  if (form.cpuLimit) limits.cpu = form.cpuLimit;
  if (form.memoryLimit) limits.memory = form.memoryLimit;
  const out: Record<string, Record<string, string>> = {};
  if (Object.keys(requests).length) out.requests = requests;
  if (Object.keys(limits).length) out.limits = limits;
  return Object.keys(out).length ? out : null;
}

/** The deployment object the wizard launches. */
export function buildSpec(form: WizardForm): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name: form.name, namespace: form.namespace };
  if (form.project.trim()) metadata.labels = { "seldon.io/project": form.project.trim() };
  const min = Number(form.minReplicas);
  const max = Number(form.maxReplicas);
  const res = resources(form);
  if (form.kind === "seldondeployments") {
    const graph: Record<string, unknown> = {
      name: "classifier",
      implementation: form.implementation,
      modelUri: form.modelUri.trim(),
    };
    if (form.storageSecret.trim()) graph.envSecretRefName = form.storageSecret.trim();
    if (form.parameters.length) graph.parameters = form.parameters.map((p) => ({ ...p }));
    const predictor: Record<string, unknown> = { name: "default", replicas: min, traffic: 100, graph };
    const explainer = explainerSection(form);
    if (explainer) predictor.explainer = explainer;
    const componentSpec: Record<string, unknown> = {};
    if (res) componentSpec.spec = { containers: [{ name: "classifier", resources: res }] };
    if (max > min) componentSpec.hpaSpec = { minReplicas: min, maxReplicas: max };
    if (Object.keys(componentSpec).length) predictor.componentSpecs = [componentSpec];
    if (form.transformerImage.trim()) {
      predictor.graph = { name: "transformer", type: "TRANSFORMER", children: [graph] };
      const transformer = { spec: { containers: [{ name: "transformer", image: form.transformerImage.trim() }] } };
      predictor.componentSpecs = [...((predictor.componentSpecs as unknown[]) ?? []), transformer];
    }
    return {
      apiVersion: "machinelearning.seldon.io/v1",
      kind: "SeldonDeployment",
      metadata,
      spec: { protocol: form.protocol, predictors: [predictor] },
    };
  }
  const framework = KSERVE_FORMATS[form.implementation] ?? form.implementation;
  const model: Record<string, unknown> = {
    storageUri: form.modelUri.trim(),
    protocolVersion: form.protocol === "v2" ? "v2" : "v1",
  };
  if (res) model.resources = res;
  const predictor: Record<string, unknown> = { [framework]: model, minReplicas: min, maxReplicas: max };
  if (form.storageSecret.trim()) predictor.serviceAccountName = form.storageSecret.trim();
  const spec: Record<string, unknown> = { predictor };
  if (form.transformerImage.trim()) {
    spec.transformer = { containers: [{ name: "transformer", image: form.transformerImage.trim() }] };
  }
  const explainer = explainerSection(form);
  if (explainer) {
    const { modelUri, ...alibi } = explainer;
    spec.explainer = { alibi: modelUri ? { ...alibi, storageUri: modelUri } : alibi };
  }
  return { apiVersion: "serving.kserve.io/v1beta1", kind: "InferenceService", metadata, spec };
}

/** Which step a server error (its field path or words) belongs to, so the wizard can send the user there. */
export function stepOfError(text: string): number {
  const t = text.toLowerCase();
  if (/explainer/.test(t)) return EXPLAINER_STEP;
  if (/metadata|name/.test(t) && !/modeluri|implementation|storageuri|parameters/.test(t)) return 0;
  if (/parameters/.test(t)) return 2;
  if (/resources|cpu|memory/.test(t)) return 3;
  if (/replicas|hpa/.test(t)) return 4;
  if (/transformer/.test(t)) return 5;
  return 1;
}

export class CreateApi {
  constructor(private readonly client: Client) {}

  private base(form: WizardForm): string {
    return `${API}/namespaces/${segment(form.namespace)}/${form.kind}`;
  }

  /** The server's verdict on the object, without creating it (throws an ApiError with its problems). */
  async validate(form: WizardForm): Promise<void> {
    await this.client.request<unknown>(`${this.base(form)}/validate`, { method: "POST", body: buildSpec(form) });
  }

  async launch(form: WizardForm): Promise<void> {
    const query = form.comment.trim() ? `?${new URLSearchParams({ message: form.comment.trim() }).toString()}` : "";
    await this.client.request<unknown>(`${this.base(form)}${query}`, { method: "POST", body: buildSpec(form) });
  }
}
