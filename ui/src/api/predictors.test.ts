import { describe, expect, it, vi } from "vitest";
import { Client } from "./client";
import { predictorRequest, PredictorsApi } from "./predictors";

const form = { modelUri: "file:///models/iris-xgb", implementation: "XGBOOST_SERVER", traffic: "25", comment: " try xgb " };

describe("predictorRequest", () => {
  it("builds a canary body with traffic and a trimmed comment", () => {
    expect(predictorRequest("seldondeployments", "canary", form)).toEqual({
      body: { modelUri: "file:///models/iris-xgb", implementation: "XGBOOST_SERVER", traffic: 25, comment: "try xgb" },
    });
  });

  it("sends no traffic for a shadow and no implementation when it is left empty", () => {
    expect(predictorRequest("inferenceservices", "shadow", { ...form, implementation: "", traffic: "oops" })).toEqual({
      body: { modelUri: "file:///models/iris-xgb", comment: "try xgb" },
    });
  });

  it("names every bad field", () => {
    const result = predictorRequest("inferenceservices", "canary", { modelUri: "models/x", implementation: "XGBOOST_SERVER", traffic: "100", comment: "" });
    expect("errors" in result && Object.keys(result.errors).sort()).toEqual(["implementation", "modelUri", "traffic"]);
    const empty = predictorRequest("seldondeployments", "canary", { modelUri: " ", implementation: "my_model.Model", traffic: "2.5", comment: "" });
    expect("errors" in empty && empty.errors).toEqual({
      modelUri: "The model URI is required.",
      traffic: "The canary's traffic is a whole percentage from 1 to 99.",
    });
  });
});

describe("PredictorsApi", () => {
  it("posts the body to the role's route and reads the deployment back", async () => {
    const sdep = { metadata: { name: "iris" }, spec: { predictors: [{ name: "default", traffic: 75 }, { name: "canary", traffic: 25 }] } };
    const fetcher = vi.fn(async (_path: string, _init: RequestInit) => new Response(JSON.stringify(sdep), { status: 200 }));
    const d = await new PredictorsApi(new Client(() => "t", () => {}, fetcher)).add("seldondeployments", "my ns", "iris", "canary", { modelUri: "/m" });
    const [path, init] = fetcher.mock.calls[0]!;
    expect(path).toBe("/seldon-deploy/api/v1alpha1/namespaces/my%20ns/seldondeployments/iris/canary");
    expect(init.method).toBe("POST");
    expect(JSON.parse(String(init.body))).toEqual({ modelUri: "/m" });
    expect(d.predictors.map((p) => p.role)).toEqual(["default", "canary"]);
  });
});
