import { describe, expect, it, vi } from "vitest";
import { BatchApi, batchDefinition, DEFAULT_FORM, describeProgress, formatDuration } from "./batch";
import { Client } from "./client";

describe("batchDefinition", () => {
  it("builds a BatchJobDefinition with numbers, not strings", () => {
    const result = batchDefinition({ ...DEFAULT_FORM, inputData: " /tmp/in.txt ", outputData: "file:///tmp/out.txt", batchSize: "5", batchInterval: "0.5" });
    expect(result).toEqual({
      body: {
        inputData: "/tmp/in.txt",
        outputData: "file:///tmp/out.txt",
        batchDataType: "data",
        batchPayloadType: "ndarray",
        batchMethod: "predict",
        batchTransportProtocol: "rest",
        batchSize: 5,
        batchWorkers: 1,
        batchRetries: 3,
        batchInterval: 0.5,
        stopOnFailure: false,
      },
    });
  });

  it("names each bad field", () => {
    const result = batchDefinition({ ...DEFAULT_FORM, inputData: "relative.txt", outputData: "", batchSize: "0", batchWorkers: "1.5", batchRetries: "-1", batchInterval: "soon", batchMethod: "explain" });
    expect("errors" in result && result.errors).toEqual({
      inputData: "An absolute local path, or a file:// or s3:// URI.",
      outputData: "Required.",
      batchMethod: "One of predict, feedback.",
      batchSize: "A whole number, 1 or more.",
      batchWorkers: "A whole number, 1 or more.",
      batchRetries: "A whole number, 0 or more.",
      batchInterval: "Seconds, 0 or more.",
    });
    const same = batchDefinition({ ...DEFAULT_FORM, inputData: "/tmp/a", outputData: "/tmp/a" });
    expect("errors" in same && same.errors.outputData).toBe("The output must not overwrite the input.");
  });
});

describe("describeProgress", () => {
  it("says lines done of total, failures, rate and time left", () => {
    expect(describeProgress({ linesDone: 30, linesTotal: 120, linesFailed: 2, linesPerSecond: 4.25, etaSeconds: 22.4 })).toEqual({
      lines: "30 / 120 lines (2 failed)",
      rate: "4.3 lines/s",
      eta: "22 s",
      percent: 25,
    });
    expect(describeProgress({ linesDone: 0, linesTotal: null, linesFailed: 0, linesPerSecond: null, etaSeconds: null })).toEqual({
      lines: "0 / ? lines",
      rate: "—",
      eta: "—",
      percent: null,
    });
    expect([formatDuration(125), formatDuration(7300)]).toEqual(["2 min 5 s", "2 h 1 min"]);
  });
});

describe("BatchApi", () => {
  it("lists, creates and cancels on the deployment's batchjobs route", async () => {
    const fetcher = vi.fn(async (path: string, init: RequestInit) => {
      if (init.method === "POST") return new Response(JSON.stringify({ workflowName: "job-1", workflowUID: "u" }), { status: 200 });
      if (init.method === "DELETE") return new Response(null, { status: 204 });
      return new Response(JSON.stringify({ batchJobs: [], limit: 50, page: 1, pagesCount: 0 }), { status: 200, headers: { path } });
    });
    const api = new BatchApi(new Client(() => "t", () => {}, fetcher));
    expect(await api.list("seldondeployments", "seldon", "iris")).toEqual([]);
    expect((await api.create("seldondeployments", "seldon", "iris", { inputData: "/a" })).workflowName).toBe("job-1");
    await api.cancel("seldondeployments", "seldon", "iris", "job/1");
    expect(fetcher.mock.calls.map(([path, init]) => `${init.method} ${path}`)).toEqual([
      "GET /seldon-deploy/api/v1alpha1/namespaces/seldon/seldondeployments/iris/batchjobs?limit=50&page=1",
      "POST /seldon-deploy/api/v1alpha1/namespaces/seldon/seldondeployments/iris/batchjobs",
      "DELETE /seldon-deploy/api/v1alpha1/namespaces/seldon/seldondeployments/iris/batchjobs/job%2F1",
    ]);
  });
});
