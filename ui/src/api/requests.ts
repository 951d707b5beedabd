// Logged requests and explanations of one deployment, typed from the public OpenAPI document.
import { API, ApiError, Client, segment } from "./client";
import type { paths } from "./schema";
import type { Kind } from "./deployments";

const SEARCH = "/seldon-deploy/api/v1alpha1/namespaces/{namespace}/seldondeployments/{name}/requests";
const EXPLANATION = "/seldon-deploy/api/v1alpha1/namespaces/{namespace}/seldondeployments/{name}/explanations/{explanation_id}";

type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 200: { content: { "application/json": infer B } } };
}
  ? B
  : never;

export type RequestPage = Ok<typeof SEARCH, "get">;
export type StoredExplanation = Ok<typeof EXPLANATION, "get">;
export type LoggedRequest = NonNullable<RequestPage["requests"]>[number];

export interface RequestQuery {
  pageSize: number;
  pageToken?: string | null;
  outliersOnly?: boolean;
  start?: string | null;
  end?: string | null;
}

/** The answer of `POST explain`: the explanation itself (200) or the id to poll while it runs (202). */
export type ExplainAnswer = { done: true; explanation: Record<string, unknown> } | { done: false; id: string };

export class RequestsApi {
  constructor(
    private readonly client: Client,
    private readonly kind: Kind,
    private readonly namespace: string,
    private readonly name: string,
  ) {}

  private base(): string {
    return `${API}/namespaces/${segment(this.namespace)}/${this.kind}/${segment(this.name)}`;
  }

  /** One page of logged instances, newest first; the server counts the total and hands the next page's token. */
  async page(query: RequestQuery, signal?: AbortSignal): Promise<RequestPage> {
    const params = new URLSearchParams({ pageSize: String(query.pageSize), sort: "desc" });
    if (query.pageToken) params.set("pageToken", query.pageToken);
    if (query.outliersOnly) params.set("outliersOnly", "true");
    if (query.start) params.set("start", query.start);
    if (query.end) params.set("end", query.end);
    return this.client.request<RequestPage>(`${this.base()}/requests?${params}`, { signal });
  }

  /** Feature names of the explainer's columns, when the deployment has an explainer that knows them. */
  async explainer(): Promise<Record<string, unknown> | null> {
    try {
      return await this.client.request<Record<string, unknown>>(`${this.base()}/explainer`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }

  async explain(requestId: string, instance: number): Promise<ExplainAnswer> {
    const params = new URLSearchParams({ requestId, instance: String(instance) });
    const body = await this.client.request<Record<string, unknown>>(`${this.base()}/explain?${params}`, {
      method: "POST",
    });
    return explainAnswerOf(body);
  }

  async explanation(id: string, signal?: AbortSignal): Promise<StoredExplanation> {
    return this.client.request<StoredExplanation>(`${this.base()}/explanations/${segment(id)}`, { signal });
  }

  /** Explanations already stored for a logged request (newest first), so "Explain" can show one again. */
  async explanationsOf(requestId: string): Promise<StoredExplanation[]> {
    const params = new URLSearchParams({ requestId });
    const list = await this.client.request<{ explanations?: StoredExplanation[] }>(
      `${this.base()}/explanations?${params}`,
    );
    return list.explanations ?? [];
  }
}

/** A running explanation answers `{id, status: "running"}`; anything else is alibi's explanation itself. */
export function explainAnswerOf(body: Record<string, unknown>): ExplainAnswer {
  if (body.status === "running" && typeof body.id === "string") return { done: false, id: body.id };
  return { done: true, explanation: body };
}
