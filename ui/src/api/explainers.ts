// A deployment's explainer (GET / PUT / DELETE {deployment}/explainer), typed from the public OpenAPI document.
import { API, ApiError, Client, segment } from "./client";
import type { Kind } from "./deployments";
import type { paths } from "./schema";

const EXPLAINER = "/seldon-deploy/api/v1alpha1/namespaces/{namespace}/seldondeployments/{name}/explainer";

/** What `PUT explainer` takes. */
export type ExplainerBody = paths[typeof EXPLAINER]["put"]["requestBody"]["content"]["application/json"];
/** What `GET explainer` answers: the body as stored, with `source` ("api" or the deployment spec) and `updatedAt`. */
export type StoredExplainer = paths[typeof EXPLAINER]["get"]["responses"][200]["content"]["application/json"];
export type ExplainerType = ExplainerBody["type"];

/** The types the API accepts (the schema's enum), in the order the dialog lists them. */
export const EXPLAINER_TYPES: readonly ExplainerType[] = ["AnchorTabular", "AnchorText", "AnchorImage", "KernelShap"];

export class ExplainersApi {
  constructor(
    private readonly client: Client,
    private readonly kind: Kind,
    private readonly namespace: string,
    private readonly name: string,
  ) {}

  private path(): string {
    return `${API}/namespaces/${segment(this.namespace)}/${this.kind}/${segment(this.name)}/explainer`;
  }

  /** The explainer, or null when the deployment has none (the route answers 404 then). */
  async get(signal?: AbortSignal): Promise<StoredExplainer | null> {
    try {
      return await this.client.request<StoredExplainer>(this.path(), { signal });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }

  /** Adds the explainer, or replaces the one there is; answers it as stored. */
  async put(body: ExplainerBody): Promise<StoredExplainer> {
    return this.client.request<StoredExplainer>(this.path(), { method: "PUT", body });
  }

  async remove(): Promise<void> {
    await this.client.request<unknown>(this.path(), { method: "DELETE" });
  }
}
