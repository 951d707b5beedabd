import { describe, expect, it } from "vitest";
import {
  barsOf,
  buildFilters,
  formatSeconds,
  histogramLabel,
  loggedPayload,
  parseJson,
  protocolOf,
  rangeOf,
  samplePayload,
  splitFeature,
  type Cohort,
} from "./format";

const now = new Date("2026-01-05T10:30:00Z");
const range = { start: new Date("2026-01-05T10:00:00Z"), end: now };
const cohort = (c: Partial<Cohort>): Cohort => ({ feature: "request:Age", kind: "range", min: "", max: "", categories: "", ...c });

describe("rangeOf", () => {
  it("ends now and keeps a step giving 1..1100 windows", () => {
    expect(rangeOf(30, now, 60)).toEqual({ ...range, step: 60 });
  });

  it("leaves the step to the server when it gives too many windows or none", () => {
    expect(rangeOf(10080, now, 10).step).toBeUndefined(); // 60480 windows
    expect(rangeOf(5, now, 3600).step).toBeUndefined(); // less than one window
  });
});

describe("buildFilters", () => {
  it("starts with the time range and adds numeric ranges and category sets per feature and part", () => {
    const filters = buildFilters(range, [
      cohort({ min: "25", max: "50" }),
      cohort({ feature: "response:Income", kind: "categories", categories: " <=50K , >50K ,," }),
      cohort({ feature: "request:Hours:per:week", max: "40" }),
    ]);
    expect(filters).toEqual([
      { is_timestamp: true, gte: "2026-01-05T10:00:00.000Z", lt: "2026-01-05T10:30:00.000Z" },
      { feature: "Age", interaction: "request", gte: "25", lte: "50" },
      { feature: "Income", interaction: "response", terms: ["<=50K", ">50K"] },
      { feature: "Hours:per:week", interaction: "request", lte: "40" },
    ]);
  });

  it("names the condition and what is wrong with it", () => {
    expect(() => buildFilters(range, [cohort({ min: "abc" })])).toThrow('Cohort condition 1: "abc" is not a number');
    expect(() => buildFilters(range, [cohort({})])).toThrow("Cohort condition 1: give a minimum or a maximum");
    expect(() => buildFilters(range, [cohort({ min: "1" }), cohort({ min: "9", max: "2" })])).toThrow(
      "Cohort condition 2: the minimum 9 is above the maximum 2",
    );
    expect(() => buildFilters(range, [cohort({ kind: "categories", categories: " , " })])).toThrow("list one or more");
    expect(() => buildFilters(range, [cohort({ feature: "" })])).toThrow("choose a feature");
  });
});

describe("splitFeature", () => {
  it("splits at the first colon only (names may hold colons)", () => {
    expect(splitFeature("response:t:0")).toEqual(["response", "t:0"]);
    expect(splitFeature("request:0")).toEqual(["request", "0"]);
  });
});

describe("barsOf", () => {
  it("orders histogram buckets by number and keeps categories in the given order", () => {
    const histogram = [
      { key: "10", count: 1 },
      { key: "2.5", count: 3 },
      { key: "-1", count: 2 },
    ];
    expect(barsOf(histogram)).toEqual({ labels: ["-1", "2.5", "10"], counts: [2, 3, 1] });
    const categories = [
      { key: "b", count: 1 },
      { key: "a", count: 2 },
    ];
    expect(barsOf(categories)).toEqual({ labels: ["b", "a"], counts: [1, 2] });
    expect(barsOf(undefined)).toEqual({ labels: [], counts: [] });
  });

  it("labels a histogram bucket with its bounds", () => {
    expect(histogramLabel("0.1", 0.2)).toBe("0.1 – 0.3");
    expect(histogramLabel("5", undefined)).toBe("5");
  });
});

describe("parseJson", () => {
  it("accepts a JSON object and says why anything else is refused", () => {
    expect(parseJson('{"data": {"ndarray": [[1]]}}')).toEqual({ ok: true, value: { data: { ndarray: [[1]] } } });
    expect(parseJson("  ")).toEqual({ ok: false, error: "The payload is empty: enter a JSON object" });
    expect(parseJson("[1, 2]")).toMatchObject({ ok: false, error: expect.stringContaining("must be a JSON object") });
    expect(parseJson('{"data": ')).toMatchObject({ ok: false, error: expect.stringContaining("is not valid JSON") });
  });
});

describe("sample payloads", () => {
  it("follows the deployment's protocol", () => {
    expect(protocolOf({ kind: "SeldonDeployment", spec: {} })).toBe("seldon");
    expect(protocolOf({ kind: "SeldonDeployment", spec: { protocol: "kfserving" } })).toBe("v2");
    expect(protocolOf({ kind: "SeldonDeployment", spec: { protocol: "tensorflow" } })).toBe("tensorflow");
    expect(protocolOf({ kind: "InferenceService", spec: { predictor: { sklearn: { protocolVersion: "v2" } } } })).toBe("v2");
    expect(samplePayload({ spec: {} })).toEqual({ data: { ndarray: [[5.1, 3.5, 1.4, 0.2]] } });
    expect(samplePayload({ spec: { protocol: "v2" } })).toMatchObject({ inputs: [{ shape: [1, 4], datatype: "FP64" }] });
  });

  it("prefers the newest logged request's payload", () => {
    const payload = { data: { names: ["a"], ndarray: [[1]] } };
    expect(loggedPayload({ requests: [{ payloads: { request: { payload } } }] })).toEqual(payload);
    expect(loggedPayload({ requests: [] })).toBeNull();
  });
});

describe("formatSeconds", () => {
  it("shows milliseconds, or a dash without a value", () => {
    expect(formatSeconds(0.0031)).toBe("3.1 ms");
    expect(formatSeconds(null)).toBe("—");
  });
});
