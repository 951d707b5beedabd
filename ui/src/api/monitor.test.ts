import { describe, expect, it, vi } from "vitest";
import { ApiError, Client } from "./client";
import { loggedFeatures, MonitorApi } from "./monitor";

const BASE = "/seldon-deploy/api/v1alpha1/namespaces/my%20ns/seldondeployments/a%2Fb";

function fake(status: number, body: unknown) {
  const fetcher = vi.fn(async (_input: string, _init: RequestInit) =>
    new Response(body === undefined ? null : JSON.stringify(body), { status }),
  );
  return { fetcher, api: new MonitorApi(new Client(() => "t", () => {}, fetcher), "seldondeployments", "my ns", "a/b") };
}

describe("MonitorApi", () => {
  it("asks for request metrics of the quoted deployment with the range and step as query parameters", async () => {
    const { fetcher, api } = fake(200, { predictors: [] });
    const start = new Date("2026-01-05T10:00:00Z");
    const end = new Date("2026-01-05T10:30:00Z");
    await api.requestMetrics({ start, end, step: 60 });
    const [url] = fetcher.mock.calls[0]!;
    const [path, query] = url.split("?");
    expect(path).toBe(`${BASE}/monitor/requests`);
    expect(Object.fromEntries(new URLSearchParams(query))).toEqual({
      start: "2026-01-05T10:00:00.000Z",
      end: "2026-01-05T10:30:00.000Z",
      step: "60",
    });
  });

  it("posts feature queries as JSON bodies", async () => {
    const { fetcher, api } = fake(200, { feature: "0" });
    await api.featureDistribution({ feature: "0", interaction: "request", aggregate_over_time: true });
    const [url, init] = fetcher.mock.calls[0]!;
    expect([url, init.method]).toEqual([`${BASE}/monitor/featuredistributions`, "POST"]);
    expect(JSON.parse(String(init.body))).toEqual({ feature: "0", interaction: "request", aggregate_over_time: true });
  });

  it("quotes detector and job names in the path", async () => {
    const { fetcher, api } = fake(200, { windows: [] });
    await api.driftTimeline("d?x");
    await api.deleteLoadTest("job/1");
    expect(fetcher.mock.calls[0]![0]).toBe(`${BASE}/monitor/drift-detector/d%3Fx/timeline?pageSize=500`);
    expect(fetcher.mock.calls[1]![0]).toBe(`${BASE}/loadtestjobs/job%2F1`);
    expect(fetcher.mock.calls[1]![1].method).toBe("DELETE");
  });

  it("creates a detector of each kind by posting its DetectorData to the kind's collection", async () => {
    const body = { name: "iris-drift", config: { basic: { reference_uri: "/data/ref.npy", drift_batch_size: 20 } } };
    for (const kind of ["outlier-detector", "drift-detector", "metrics-server"] as const) {
      const { fetcher, api } = fake(200, { ...body, status: { state: "Loading" } });
      const created = await api.createDetector(kind, body);
      const [url, init] = fetcher.mock.calls[0]!;
      expect([url, init.method]).toEqual([`${BASE}/monitor/${kind}`, "POST"]);
      expect(JSON.parse(String(init.body))).toEqual(body);
      expect(created.status.state).toBe("Loading");
    }
  });

  it("removes a detector by its quoted name and passes the server's error on in words", async () => {
    const { fetcher, api } = fake(200, {});
    await api.deleteDetector("metrics-server", "m/1");
    expect(fetcher.mock.calls[0]![0]).toBe(`${BASE}/monitor/metrics-server/m%2F1`);
    expect(fetcher.mock.calls[0]![1].method).toBe("DELETE");
    const missing = fake(404, { code: 404, reason: "not_found", message: "no drift detector x" }).api;
    await expect(missing.deleteDetector("drift-detector", "x")).rejects.toThrow("no drift detector x");
    const bad = fake(422, { code: 422, reason: "unprocessable", message: "invalid metrics server config: x" }).api;
    await expect(bad.createDetector("metrics-server", { name: "m" })).rejects.toThrow("invalid metrics server config: x");
  });

  it("sends detectors of an InferenceService to its own path", async () => {
    const fetcher = vi.fn(async (_input: string, _init: RequestInit) => new Response("[]", { status: 200 }));
    const api = new MonitorApi(new Client(() => "t", () => {}, fetcher), "inferenceservices", "ns", "flowers");
    await api.createDetector("outlier-detector", { name: "o" });
    expect(fetcher.mock.calls[0]![0]).toBe(
      "/seldon-deploy/api/v1alpha1/namespaces/ns/inferenceservices/flowers/monitor/outlier-detector",
    );
  });

  it("says there is no explainer on a 404, and passes other errors on", async () => {
    expect(await fake(404, { code: 404, message: "no explainer" }).api.explainer()).toBeNull();
    await expect(fake(503, { code: 503, message: "detectors down" }).api.explainer()).rejects.toThrow(ApiError);
    expect(await fake(200, { type: "AnchorTabular" }).api.explainer()).toEqual({ type: "AnchorTabular" });
  });

  it("reads the jobs and the started job out of the load test answers", async () => {
    expect(await fake(200, { code: 200, message: "m", jobs: [{ jobName: "a" }] }).api.loadTests()).toEqual([
      { jobName: "a" },
    ]);
    expect(await fake(200, { code: 200, message: "none" }).api.loadTests()).toEqual([]);
    const { fetcher, api } = fake(201, { code: 201, job: { jobName: "b", status: "Pending" } });
    expect(await api.startLoadTest({ connectionsNumber: 2, requestsNumber: 10, payload: { data: {} } })).toEqual({
      jobName: "b",
      status: "Pending",
    });
    expect(JSON.parse(String(fetcher.mock.calls[0]![1].body))).toEqual({
      connectionsNumber: 2,
      requestsNumber: 10,
      payload: { data: {} },
    });
  });

  it("turns a refused prediction into an error in words", async () => {
    const { api } = fake(400, { code: 400, reason: "bad_request", message: "the prediction payload is not JSON" });
    await expect(api.predict({})).rejects.toThrow("the prediction payload is not JSON");
  });

  it("answers the curl command as the text the API gives", async () => {
    const { fetcher, api } = fake(200, "curl -s -X POST http://h/x");
    expect(await api.predictCurl({ data: {} })).toBe("curl -s -X POST http://h/x");
    expect(fetcher.mock.calls[0]![1].method).toBe("PUT");
  });
});

describe("loggedFeatures", () => {
  it("lists the element names of the newest logged request and response", () => {
    const search = {
      requests: [{ request: { elements: { "0": 5.1, "1": 3.5 } }, response: { elements: { "t:0": 0.9 } } }],
    };
    expect(loggedFeatures(search)).toEqual({ request: ["0", "1"], response: ["t:0"] });
  });

  it("is empty without logged requests or with an unexpected answer", () => {
    expect(loggedFeatures({ requests: [] })).toEqual({ request: [], response: [] });
    expect(loggedFeatures("nonsense")).toEqual({ request: [], response: [] });
  });
});
