import { describe, expect, it, vi } from "vitest";
import { Client } from "./client";
import { explainAnswerOf, RequestsApi } from "./requests";

function api(answer: unknown, status = 200) {
  const fetcher = vi.fn(async () => new Response(JSON.stringify(answer), { status }));
  return { fetcher, requests: new RequestsApi(new Client(() => "t", () => {}, fetcher), "seldondeployments", "a b", "in/come") };
}

describe("RequestsApi", () => {
  it("asks for one page with its token and filters, names quoted as path segments", async () => {
    const { fetcher, requests } = api({ requests: [], total: 0, nextPageToken: null });
    await requests.page({ pageSize: 25, pageToken: "tok&x", outliersOnly: true, start: "2026-12-05T10:00:00.000Z" });
    const [url] = fetcher.mock.calls[0] as unknown as [string];
    const [path, query] = url.split("?");
    expect(path).toBe("/seldon-deploy/api/v1alpha1/namespaces/a%20b/seldondeployments/in%2Fcome/requests");
    expect(Object.fromEntries(new URLSearchParams(query))).toEqual({
      pageSize: "25",
      sort: "desc",
      pageToken: "tok&x",
      outliersOnly: "true",
      start: "2026-12-05T10:00:00.000Z",
    });
  });

  it("explains a logged request by id and instance", async () => {
    const { fetcher, requests } = api({ id: "e1", status: "running" }, 202);
    expect(await requests.explain("r 1", 2)).toEqual({ done: false, id: "e1" });
    const [url, init] = fetcher.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/seldon-deploy/api/v1alpha1/namespaces/a%20b/seldondeployments/in%2Fcome/explain?requestId=r+1&instance=2");
    expect(init.method).toBe("POST");
  });

  it("has no explainer on a 404 but fails on other errors", async () => {
    expect(await api({ code: 404, message: "no explainer" }, 404).requests.explainer()).toBeNull();
    await expect(api({ code: 500, message: "down" }, 500).requests.explainer()).rejects.toThrow("down");
  });
});

describe("explainAnswerOf", () => {
  it("tells a running explanation from a finished one", () => {
    expect(explainAnswerOf({ id: "e1", status: "running" })).toEqual({ done: false, id: "e1" });
    const done = { meta: { name: "AnchorTabular" }, data: { anchor: [] } };
    expect(explainAnswerOf(done)).toEqual({ done: true, explanation: done });
  });
});
