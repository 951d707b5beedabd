import { describe, expect, it, vi } from "vitest";
import { Client } from "./client";
import { deploymentOf, hasCanary, matches, WardenApi } from "./deployments";

const withCanary = {
  kind: "SeldonDeployment",
  metadata: { name: "iris", namespace: "seldon" },
  spec: {
    predictors: [
      { name: "default", traffic: 75, graph: { name: "c", implementation: "SKLEARN_SERVER", modelUri: "file:///m/v1" } },
      { name: "canary", traffic: 25, graph: { name: "c", implementation: "SKLEARN_SERVER", modelUri: "file:///m/v2" } },
      { name: "shadow", shadow: true, graph: { name: "c", modelUri: "file:///m/v3" } },
    ],
  },
  status: { state: "Available" },
};

describe("deploymentOf", () => {
  it("tells default, canary and shadow of a SeldonDeployment with their traffic", () => {
    const d = deploymentOf("seldondeployments", withCanary);
    expect(d.predictors).toEqual([
      { name: "default", role: "default", traffic: 75, model: "file:///m/v1" },
      { name: "canary", role: "canary", traffic: 25, model: "file:///m/v2" },
      { name: "shadow", role: "shadow", traffic: 0, model: "file:///m/v3" },
    ]);
    expect([d.name, d.namespace, d.status, hasCanary(d)]).toEqual(["iris", "seldon", "Available", true]);
  });

  it("gives a lone predictor without traffic all of it", () => {
    const d = deploymentOf("seldondeployments", { metadata: { name: "a" }, spec: { predictors: [{ name: "p" }] } });
    expect(d.predictors[0]).toMatchObject({ role: "default", traffic: 100 });
    expect(d.status).toBe("Unknown");
    expect(hasCanary(d)).toBe(false);
  });

  it("reads an InferenceService's canary percent and readiness", () => {
    const d = deploymentOf("inferenceservices", {
      metadata: { name: "income", namespace: "seldon" },
      spec: { predictor: { canaryTrafficPercent: 10, sklearn: { storageUri: "s3://b/v2" } } },
      status: { conditions: [{ type: "Ready", status: "False", message: "loading" }] },
    });
    expect(d.predictors.map((p) => [p.role, p.traffic])).toEqual([
      ["default", 90],
      ["canary", 10],
    ]);
    expect([d.status, d.statusDetail]).toEqual(["Not ready", "loading"]);
  });

  it("survives objects missing everything", () => {
    expect(deploymentOf("inferenceservices", null)).toMatchObject({ name: "(unnamed)", status: "Unknown" });
  });
});

it("searches by every word", () => {
  const d = deploymentOf("seldondeployments", withCanary);
  expect(matches(d, "")).toBe(true);
  expect(matches(d, "IRIS available")).toBe(true);
  expect(matches(d, "v2")).toBe(true);
  expect(matches(d, "iris income")).toBe(false);
});

describe("WardenApi", () => {
  it("lists both kinds, sorted, with quoted path segments", async () => {
    const seen: string[] = [];
    const fetcher = vi.fn(async (path: string) => {
      seen.push(path);
      const items = path.endsWith("/seldondeployments") ? [withCanary] : [{ metadata: { name: "a-isvc" }, spec: {} }];
      return new Response(JSON.stringify({ items }), { status: 200 });
    });
    const list = await new WardenApi(new Client(() => "t", () => {}, fetcher)).deployments("my ns");
    expect(list.map((d) => d.name)).toEqual(["a-isvc", "iris"]);
    expect(seen.sort()).toEqual([
      "/seldon-deploy/api/v1alpha1/namespaces/my%20ns/inferenceservices",
      "/seldon-deploy/api/v1alpha1/namespaces/my%20ns/seldondeployments",
    ]);
  });

  it("promotes with the rollout route", async () => {
    const fetcher = vi.fn(
      async (_path: string, _init: RequestInit) =>
        new Response(JSON.stringify({ ...withCanary, spec: { predictors: [withCanary.spec.predictors[1]] } }), {
          status: 200,
        }),
    );
    const d = await new WardenApi(new Client(() => "t", () => {}, fetcher)).promoteCanary("seldondeployments", "seldon", "iris");
    expect(fetcher).toHaveBeenCalledWith(
      "/seldon-deploy/api/v1alpha1/namespaces/seldon/seldondeployments/iris/canary/promote",
      expect.objectContaining({ method: "POST" }),
    );
    expect(hasCanary(d)).toBe(false);
  });
});
