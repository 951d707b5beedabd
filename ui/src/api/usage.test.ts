import { describe, expect, it, vi } from "vitest";
import { Client } from "./client";
import { formatBytes, parseUsage, UsageApi } from "./usage";

const answer = {
  step: 60,
  series: [
    {
      namespace: "seldon",
      deployment: "iris",
      kind: "seldondeployments",
      points: [
        { time: "2026-01-05T10:00:00Z", cpuCores: 0.012, memoryBytes: 301465600, processes: 2 },
        { time: "not a time", cpuCores: 1 },
        { time: "2026-01-05T10:01:00Z", cpuCores: null, processes: 2 },
      ],
    },
  ],
  summary: { averageCpuCores: 0.031, averageMemoryBytes: 301989888, averageProcesses: 2 },
};

describe("parseUsage", () => {
  it("labels each series and keeps only points with a real time; missing figures stay null", () => {
    const u = parseUsage(answer);
    expect(u.series.map((s) => s.label)).toEqual(["seldon/iris"]);
    expect(u.series[0]!.points).toEqual([
      { time: new Date("2026-01-05T10:00:00Z"), cpuCores: 0.012, memoryBytes: 301465600, processes: 2 },
      { time: new Date("2026-01-05T10:01:00Z"), cpuCores: null, memoryBytes: null, processes: 2 },
    ]);
    expect(u.summary.averageProcesses).toBe(2);
    expect(parseUsage(undefined)).toEqual({
      step: null,
      series: [],
      summary: { averageCpuCores: null, averageMemoryBytes: null, averageProcesses: null },
    });
  });
});

describe("formatBytes", () => {
  it("uses binary units", () => {
    expect([formatBytes(512), formatBytes(301465600), formatBytes(3 * 1024 ** 3), formatBytes(null)]).toEqual([
      "512 B",
      "287.5 MiB",
      "3.0 GiB",
      "—",
    ]);
  });
});

describe("UsageApi", () => {
  it("asks each scope's route for the chosen range with a matching bucket width", async () => {
    const fetcher = vi.fn(async (_path: string, _init: RequestInit) => new Response(JSON.stringify(answer), { status: 200 }));
    const api = new UsageApi(new Client(() => "t", () => {}, fetcher));
    const now = new Date("2026-01-05T11:00:00Z");
    await api.usage({ scope: "all" }, "1h", now);
    await api.usage({ scope: "namespace", namespace: "a b" }, "15m", now);
    await api.usage({ scope: "deployment", kind: "inferenceservices", namespace: "seldon", name: "iris" }, "24h", now);
    const urls = fetcher.mock.calls.map(([path]) => new URL(path, "http://x"));
    expect(urls.map((u) => u.pathname)).toEqual([
      "/seldon-deploy/api/v1alpha1/usage",
      "/seldon-deploy/api/v1alpha1/namespaces/a%20b/usage",
      "/seldon-deploy/api/v1alpha1/namespaces/seldon/inferenceservices/iris/usage",
    ]);
    expect([urls[0]!.searchParams.get("start"), urls[0]!.searchParams.get("end"), urls[0]!.searchParams.get("step")]).toEqual([
      "2026-01-05T10:00:00.000Z",
      "2026-01-05T11:00:00.000Z",
      "1m",
    ]);
    expect(urls[1]!.searchParams.get("step")).toBe("15s");
  });
});
