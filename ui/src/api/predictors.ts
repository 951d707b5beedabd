// Add a canary or a shadow predictor to a deployment, and promote or remove a shadow. The form's input is checked
// here first so the dialog can say what is wrong before anything is sent; the API checks it again.
import { API, Client, segment } from "./client";
import { deploymentOf, type Deployment, type Kind } from "./deployments";

/** The model servers Warden runs, by how each kind names them (warden_common.model_servers). */
export const IMPLEMENTATIONS: Record<Kind, string[]> = {
  seldondeployments: ["SKLEARN_SERVER", "XGBOOST_SERVER"],
  inferenceservices: ["sklearn", "xgboost"],
};

export interface PredictorForm {
  modelUri: string;
  implementation: string; // "" keeps the current predictor's
  traffic: string; // canary only, percent
  comment: string;
}

export type PredictorRole = "canary" | "shadow";
export type FormErrors = Partial<Record<keyof PredictorForm, string>>;

const URI = /^(file|s3|gs|https?):\/\/\S+$/;
const CUSTOM_CLASS = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;

/** The request body for the form, or what is wrong with each field. */
export function predictorRequest(
  kind: Kind,
  role: PredictorRole,
  form: PredictorForm,
): { body: Record<string, unknown> } | { errors: FormErrors } {
  const errors: FormErrors = {};
  const modelUri = form.modelUri.trim();
  if (!modelUri) errors.modelUri = "The model URI is required.";
  else if (!URI.test(modelUri) && !modelUri.startsWith("/"))
    errors.modelUri = "Use an absolute local path or a file://, s3://, gs:// or http(s):// URI.";
  const implementation = form.implementation.trim();
  if (implementation && !IMPLEMENTATIONS[kind].includes(implementation) && !CUSTOM_CLASS.test(implementation))
    errors.implementation = `Use ${IMPLEMENTATIONS[kind].join(" or ")}, a custom module.Class, or leave it empty.`;
  let traffic: number | null = null;
  if (role === "canary") {
    traffic = Number(form.traffic.trim());
    if (form.traffic.trim() === "" || !Number.isInteger(traffic) || traffic < 1 || traffic > 99)
      errors.traffic = "The canary's traffic is a whole percentage from 1 to 99.";
  }
  if (Object.keys(errors).length > 0) return { errors };
  const body: Record<string, unknown> = { modelUri };
  if (implementation) body.implementation = implementation;
  if (traffic !== null) body.traffic = traffic;
  if (form.comment.trim()) body.comment = form.comment.trim();
  return { body };
}

export class PredictorsApi {
  constructor(private readonly client: Client) {}

  private path(kind: Kind, namespace: string, name: string, rest: string): string {
    return `${API}/namespaces/${segment(namespace)}/${kind}/${segment(name)}/${rest}`;
  }

  async add(kind: Kind, namespace: string, name: string, role: PredictorRole, body: Record<string, unknown>): Promise<Deployment> {
    const answer = await this.client.request<unknown>(this.path(kind, namespace, name, role), { method: "POST", body });
    return deploymentOf(kind, answer);
  }

  async promoteShadow(kind: Kind, namespace: string, name: string): Promise<Deployment> {
    return deploymentOf(kind, await this.client.request<unknown>(this.path(kind, namespace, name, "shadow/promote"), { method: "POST" }));
  }

  async removeShadow(kind: Kind, namespace: string, name: string): Promise<Deployment> {
    return deploymentOf(kind, await this.client.request<unknown>(this.path(kind, namespace, name, "shadow"), { method: "DELETE" }));
  }
}
