import { describe, expect, it } from "vitest";
import type { Detector } from "../../api/monitor";
import { anyLoading, checkForm, defaultForm, DEFAULT_REPLY_URL, detectorBody } from "./detectors";

const SD = { kind: "seldondeployments" as const, name: "iris" };

describe("the create dialogs' defaults", () => {
  it("names the detector after the deployment, replies to the request logger, protocol by deployment kind", () => {
    const outlier = defaultForm("outlier-detector", SD);
    expect([outlier.name, outlier.modelName, outlier.protocol, outlier.replyUrl, outlier.httpPort]).toEqual([
      "iris-outlier", "iris", "seldon.http", DEFAULT_REPLY_URL, "8080",
    ]);
    expect(defaultForm("drift-detector", { kind: "inferenceservices", name: "Flowers" })).toMatchObject({
      name: "flowers-drift",
      protocol: "kfserving.http",
    });
    expect(defaultForm("metrics-server", SD)).toMatchObject({ name: "iris-metrics", protocol: "seldonfeedback.http" });
  });

  it("asks for a source of the outlier and drift detectors but takes the rest as defaulted", () => {
    expect(Object.keys(checkForm("outlier-detector", defaultForm("outlier-detector", SD))).sort()).toEqual([
      "referenceUri",
      "storageUri",
    ]);
    expect(checkForm("drift-detector", { ...defaultForm("drift-detector", SD), referenceUri: "/r.npy" })).toEqual({});
    expect(checkForm("metrics-server", defaultForm("metrics-server", SD))).toEqual({});
  });
});

describe("checkForm", () => {
  const drift = { ...defaultForm("drift-detector", SD), storageUri: "s3://d/cd" };

  it("refuses names that are not DNS-1123 labels", () => {
    for (const name of ["", "Iris", "iris_drift", "-iris", "iris-", "a".repeat(64)]) {
      expect(checkForm("drift-detector", { ...drift, name }).name, name).toBeTruthy();
    }
    expect(checkForm("drift-detector", { ...drift, name: "a".repeat(63) }).name).toBeUndefined();
  });

  it("refuses numbers out of range, in words", () => {
    expect(checkForm("drift-detector", { ...drift, batchSize: "1" }).batchSize).toMatch(/at least 2/);
    expect(checkForm("drift-detector", { ...drift, batchSize: "2.5" }).batchSize).toBeTruthy();
    expect(checkForm("drift-detector", { ...drift, pValue: "1" }).pValue).toBeTruthy();
    expect(checkForm("drift-detector", { ...drift, pValue: "abc" }).pValue).toBeTruthy();
    expect(checkForm("drift-detector", { ...drift, httpPort: "70000" }).httpPort).toBeTruthy();
    expect(checkForm("drift-detector", { ...drift, replyUrl: "seldon-request-logger" }).replyUrl).toBeTruthy();
    const outlier = { ...defaultForm("outlier-detector", SD), referenceUri: "/r.csv" };
    expect(checkForm("outlier-detector", { ...outlier, thresholdPercentile: "100" }).thresholdPercentile).toBeTruthy();
    expect(checkForm("outlier-detector", { ...outlier, thresholdPercentile: "99.5" })).toEqual({});
    const metrics = defaultForm("metrics-server", SD);
    expect(checkForm("metrics-server", { ...metrics, classes: "1" }).classes).toBeTruthy();
    expect(checkForm("metrics-server", { ...metrics, metricsModel: "binary", classes: "3" }).classes).toMatch(/2 classes/);
    expect(checkForm("metrics-server", { ...metrics, metricsModel: "binary", threshold: "0" }).threshold).toBeTruthy();
  });
});

describe("detectorBody", () => {
  it("puts each kind's fields under config.basic and the reply settings under config.deployment", () => {
    const outlier = { ...defaultForm("outlier-detector", SD), referenceUri: " /data/iris.npy ", thresholdPercentile: "99" };
    expect(detectorBody("outlier-detector", outlier)).toEqual({
      name: "iris-outlier",
      config: {
        basic: { reference_uri: "/data/iris.npy", algorithm: "IForest", threshold_percentile: 99 },
        deployment: { model_name: "iris", protocol: "seldon.http", reply_url: DEFAULT_REPLY_URL, http_port: "8080" },
      },
    });
    const drift = { ...defaultForm("drift-detector", SD), storageUri: "s3://m/cd", batchSize: "2", replyUrl: "", httpPort: "" };
    expect(detectorBody("drift-detector", drift)).toEqual({
      name: "iris-drift",
      config: {
        basic: { storage_uri: "s3://m/cd", algorithm: "ks", drift_batch_size: 2, p_val: 0.05, drift_type_feature: false },
        deployment: { model_name: "iris", protocol: "seldon.http" },
      },
    });
  });

  it("sends a metrics server's model type, its classes when given, and the threshold only for binary", () => {
    const metrics = defaultForm("metrics-server", SD);
    expect(detectorBody("metrics-server", { ...metrics, metricsModel: "multiclass_onehot", classes: "3" }).config?.basic)
      .toEqual({ model_type: "multiclass_onehot", classes: 3 });
    expect(detectorBody("metrics-server", { ...metrics, metricsModel: "binary", threshold: "0.7" }).config?.basic)
      .toEqual({ model_type: "binary", threshold: 0.7 });
  });
});

describe("anyLoading", () => {
  const detector = (state: Detector["status"]["state"]) => ({ name: state, status: { state } }) as Detector;
  it("is true while one detector of any kind is Loading, so the lists are read again", () => {
    const lists = { "outlier-detector": [detector("Loaded")], "drift-detector": [], "metrics-server": [detector("Failed")] };
    expect(anyLoading(lists)).toBe(false);
    expect(anyLoading({ ...lists, "drift-detector": [detector("Loading")] })).toBe(true);
  });
});
