import { describe, expect, it, vi } from "vitest";
import { Client } from "../../api/client";
import { prefill } from "./CreateWizard";
import { buildSpec, CreateApi, emptyWizard, stepErrors, stepOfError, STEPS } from "./spec";

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

describe("the Explainer step", () => {
  const anchors = {
    type: "AnchorTabular" as const,
    source: "reference" as const,
    uri: "file:///data/income.npy",
    config: '{"coverage_samples": "500"}',
    imageShape: "",
    catalogModelUri: "",
  };

  it("sends no explainer unless one is asked for", () => {
    const spec = buildSpec(base) as { spec: { predictors: Record<string, unknown>[] } };
    expect(spec.spec.predictors[0]!).not.toHaveProperty("explainer");
    expect(buildSpec({ ...base, kind: "inferenceservices" }).spec).not.toHaveProperty("explainer");
  });

  it("puts the explainer in the SeldonDeployment predictor, as the seed's explainer section", () => {
    const spec = buildSpec({ ...base, explainer: anchors }) as { spec: { predictors: Record<string, unknown>[] } };
    expect(spec.spec.predictors[0]!.explainer).toEqual({
      type: "AnchorTabular",
      referenceUri: "file:///data/income.npy",
      config: { coverage_samples: "500" },
    });
  });

  it("puts it in an InferenceService's spec.explainer.alibi, a saved explainer as storageUri", () => {
    const saved = { ...anchors, source: "model" as const, uri: "s3://b/explainer", config: "" };
    expect(buildSpec({ ...base, kind: "inferenceservices", explainer: saved }).spec).toMatchObject({
      explainer: { alibi: { type: "AnchorTabular", storageUri: "s3://b/explainer" } },
    });
    expect(buildSpec({ ...base, kind: "inferenceservices", explainer: anchors }).spec).toMatchObject({
      explainer: { alibi: { type: "AnchorTabular", referenceUri: "file:///data/income.npy", config: { coverage_samples: "500" } } },
    });
  });

  it("holds the explainer's problems on its step, and sends the server's explainer errors there", () => {
    const step = STEPS.indexOf("Explainer");
    const errors = stepErrors({ ...base, explainer: { ...anchors, uri: "", config: "{" } });
    expect([...errors.keys()]).toEqual([step]);
    expect(errors.get(step)![0]).toBe("explainer: AnchorTabular needs the URI of the rows to fit it on (.npy or headerless .csv)");
    expect(errors.get(step)![1]).toMatch(/^explainer: config is not valid JSON/);
    expect(stepOfError("spec.predictors[0].explainer.config: threshold must be a finite number")).toBe(step);
    expect(stepOfError("spec.explainer.alibi.storageUri: not a storage URI")).toBe(step);
  });
});

it("launch POSTs the spec with the explainer to the namespace's deployments", async () => {
  const fetcher = vi.fn(async (_input: string, _init: RequestInit) => new Response("{}", { status: 201 }));
  const api = new CreateApi(new Client(() => "t", () => {}, fetcher));
  const explainer = { type: "AnchorText" as const, source: "reference" as const, uri: "", config: "", imageShape: "", catalogModelUri: "" };
  await api.launch({ ...base, explainer });
  const [url, init] = fetcher.mock.calls[0]!;
  expect([url, init.method]).toEqual(["/seldon-deploy/api/v1alpha1/namespaces/seldon/seldondeployments", "POST"]);
  expect(JSON.parse(String(init.body)).spec.predictors[0].explainer).toEqual({ type: "AnchorText" });
});
