import { describe, expect, it, vi } from "vitest";
import { ApiError, Client } from "./client";
import { ExplainersApi } from "./explainers";

const PATH = "/seldon-deploy/api/v1alpha1/namespaces/my%20ns/inferenceservices/a%2Fb/explainer";

function fake(status: number, body: unknown) {
  const fetcher = vi.fn(async (_input: string, _init: RequestInit) =>
    new Response(body === undefined ? null : JSON.stringify(body), { status }),
  );
  return { fetcher, api: new ExplainersApi(new Client(() => "t", () => {}, fetcher), "inferenceservices", "my ns", "a/b") };
}

describe("ExplainersApi", () => {
  it("reads the explainer of the quoted deployment", async () => {
    const stored = { type: "AnchorTabular", referenceUri: "s3://b/ref.npy", source: "api", segmentSize: 2, backgroundRows: 100 };
    const { fetcher, api } = fake(200, stored);
    expect(await api.get()).toEqual(stored);
    const [url, init] = fetcher.mock.calls[0]!;
    expect([url, init.method]).toEqual([PATH, "GET"]);
  });

  it("answers null when the deployment has no explainer (404)", async () => {
    const { api } = fake(404, { code: 404, reason: "not_found", message: "no explainer" });
    expect(await api.get()).toBeNull();
  });

  it("lets other errors through with the server's words", async () => {
    const { api } = fake(503, { code: 503, reason: "unavailable", message: "the detectors service is down" });
    await expect(api.get()).rejects.toEqual(new ApiError(503, "unavailable", "the detectors service is down"));
  });

  it("PUTs the body as JSON and DELETEs to remove", async () => {
    const body = { type: "AnchorText" as const, config: { threshold: "0.9" } };
    const { fetcher, api } = fake(200, { ...body, source: "api" });
    await api.put(body);
    await api.remove();
    const [[putUrl, put], [delUrl, del]] = fetcher.mock.calls as unknown as [[string, RequestInit], [string, RequestInit]];
    expect([putUrl, put.method, JSON.parse(String(put.body))]).toEqual([PATH, "PUT", body]);
    expect([delUrl, del.method, del.body]).toEqual([PATH, "DELETE", undefined]);
  });

  it("turns a refused PUT into the server's message", async () => {
    const { api } = fake(422, { code: 422, reason: "invalid", message: "config.foo is not a parameter of AnchorText" });
    await expect(api.put({ type: "AnchorText" })).rejects.toThrow("config.foo is not a parameter of AnchorText");
  });
});
