import { describe, expect, it } from "vitest";
import { elementsOf, featureColumns, rowOf } from "./rows";

// A search hit as the request logger's `hit_view` answers it (services/request-logger/.../api/views.py).
const hit = {
  id: "r1-item-0",
  requestId: "r1",
  itemIndex: 0,
  endpoint: "canary",
  timestamp: "2026-12-05T10:00:00Z",
  request: { names: ["Age", "Workclass"], instance: [53, 4], elements: { Age: 53, Workclass: "Private" } },
  response: { instance: [0.3, 0.7], elements: { "Income proba": [0.3, 0.7] } },
  outlier: { isOutlier: true, instanceScore: 4.25 },
};

describe("rowOf", () => {
  it("flattens a logged instance: predictor, schema-named features, prediction and outlier score", () => {
    expect(rowOf(hit)).toEqual({
      id: "r1-item-0",
      requestId: "r1",
      item: 0,
      time: "2026-12-05T10:00:00Z",
      endpoint: "canary",
      features: { Age: 53, Workclass: "Private" },
      prediction: "[0.3,0.7]",
      outlierScore: 4.25,
      isOutlier: true,
    });
  });

  it("has no outlier score when no detector scored the instance", () => {
    const row = rowOf({ ...hit, outlier: undefined });
    expect([row.outlierScore, row.isOutlier]).toEqual([null, false]);
  });
});

describe("elementsOf", () => {
  it("names the raw row by the payload's names, else by position, when the schema named nothing", () => {
    expect(elementsOf({ names: ["a"], instance: [1, 2] })).toEqual({ a: 1, "1": 2 });
    expect(elementsOf({ instance: "some text" })).toEqual({ value: "some text" });
    expect(elementsOf(undefined)).toEqual({});
  });
});

describe("featureColumns", () => {
  it("lists every feature of the page once, in first-seen order", () => {
    const a = rowOf(hit);
    const b = { ...a, features: { Workclass: "x", Hours: 40 } };
    expect(featureColumns([a, b])).toEqual(["Age", "Workclass", "Hours"]);
  });
});
