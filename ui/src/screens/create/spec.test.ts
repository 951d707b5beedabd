import { describe, expect, it } from "vitest";
import { prefill } from "./CreateWizard";
import { buildSpec, emptyWizard, stepErrors, stepOfError } from "./spec";

const base = { ...emptyWizard("seldon"), name: "iris", modelUri: "file:///models/iris" };

describe("buildSpec", () => {
  it("makes a SeldonDeployment with one default predictor", () => {
    expect(buildSpec(base)).toEqual({
      apiVersion: "machinelearning.seldon.io/v1",
      kind: "SeldonDeployment",
      metadata: { name: "iris", namespace: "seldon" },
      spec: {
        protocol: "seldon",
        predictors: [
          {
            name: "default",
            replicas: 1,
            traffic: 100,
            graph: { name: "classifier", implementation: "SKLEARN_SERVER", modelUri: "file:///models/iris" },
          },
        ],
      },
    });
  });

  it("adds resources, autoscaling and parameters", () => {
    const spec = buildSpec({
      ...base,
      cpuRequest: "500m",
      memoryLimit: "1Gi",
      minReplicas: "1",
      maxReplicas: "3",
      parameters: [{ name: "method", type: "STRING", value: "predict" }],
    }) as { spec: { predictors: Record<string, unknown>[] } };
    const p = spec.spec.predictors[0]!;
    expect(p.componentSpecs).toEqual([
      {
        spec: { containers: [{ name: "classifier", resources: { requests: { cpu: "500m" }, limits: { memory: "1Gi" } } }] },
        hpaSpec: { minReplicas: 1, maxReplicas: 3 },
      },
    ]);
    expect((p.graph as Record<string, unknown>).parameters).toEqual([{ name: "method", type: "STRING", value: "predict" }]);
  });

  it("makes an InferenceService with the server's model format", () => {
    const spec = buildSpec({ ...base, kind: "inferenceservices", implementation: "XGBOOST_SERVER", protocol: "v2" });
    expect(spec.spec).toEqual({
      predictor: { xgboost: { storageUri: "file:///models/iris", protocolVersion: "v2" }, minReplicas: 1, maxReplicas: 1 },
    });
  });
});

describe("stepErrors", () => {
  it("puts each problem on its step", () => {
    const errors = stepErrors({ ...emptyWizard("seldon"), name: "Bad_Name", cpuRequest: "lots", maxReplicas: "0" });
    expect([...errors.keys()].sort()).toEqual([0, 1, 3, 4]);
    expect(stepErrors(base).size).toBe(0);
  });
});

describe("stepOfError", () => {
  it("sends a server error to the step of its field", () => {
    expect(stepOfError("spec.predictors[0].graph.implementation: 'X' is not a model server")).toBe(1);
    expect(stepOfError("metadata.name: too long")).toBe(0);
    expect(stepOfError("maxReplicas below minReplicas")).toBe(4);
  });
});

describe("prefill", () => {
  it("takes the catalog model's URI, a DNS name and the server of its artifact type", () => {
    const form = prefill("seldon", new URLSearchParams({ modelUri: "file:///m/x", name: "Iris Model", artifactType: "XGBOOST" }));
    expect([form.modelUri, form.name, form.implementation]).toEqual(["file:///m/x", "iris-model", "XGBOOST_SERVER"]);
  });
});
