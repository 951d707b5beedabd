// The deployment's detectors by kind, shared by the Monitor tab and the dashboard widget (no charts here: the
// dashboard is in the main bundle, the charts are not).
import { useEffect, useState } from "react";
import type { Kind } from "../../api/deployments";
import type { Detector, DetectorData, DetectorKind, MonitorApi } from "../../api/monitor";
import { useLoad, type Loaded } from "../../state/useLoad";

export const DETECTOR_KINDS: DetectorKind[] = ["outlier-detector", "drift-detector", "metrics-server"];

export type DetectorLists = Record<DetectorKind, Detector[]>;

/** Every detector of the deployment, by kind. */
export async function loadDetectors(monitor: MonitorApi): Promise<DetectorLists> {
  const lists = await Promise.all(DETECTOR_KINDS.map((kind) => monitor.detectors(kind)));
  return Object.fromEntries(DETECTOR_KINDS.map((kind, i) => [kind, lists[i]])) as DetectorLists;
}

const POLL_MS = 5000;

/** Is any detector still loading (fetching its artifacts, fitting)? */
export function anyLoading(lists: DetectorLists): boolean {
  return DETECTOR_KINDS.some((kind) => lists[kind].some((d) => d.status.state === "Loading"));
}

/** The deployment's detectors by kind, read again quietly every few seconds while one is Loading (its state then
 * turns Loaded or Failed without a reload); `reload` reads them again with the spinner. */
export function useDetectorLists(monitor: MonitorApi): [Loaded<DetectorLists>, () => void] {
  const [loaded, reload] = useLoad(() => loadDetectors(monitor), [monitor]);
  // The newer lists of a quiet read, tied to the load they follow (a reload drops them).
  const [newer, setNewer] = useState<{ after: Loaded<DetectorLists>; lists: DetectorLists } | null>(null);
  const lists = loaded.state !== "ready" ? null : newer?.after === loaded ? newer.lists : loaded.value;
  useEffect(() => {
    if (lists === null || !anyLoading(lists)) return;
    let live = true;
    const timer = window.setTimeout(() => {
      loadDetectors(monitor).then(
        (value) => live && setNewer({ after: loaded, lists: value }),
        () => live && setNewer({ after: loaded, lists }), // a failed quiet read: keep what is shown, try again
      );
    }, POLL_MS);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
    // `newer`, not `lists`: a failed read sets a new `newer` with the same lists, and must schedule the next one.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [monitor, loaded, newer]);
  return [lists === null ? loaded : { state: "ready", value: lists }, reload];
}

export function stateColor(state: string): "success" | "warning" | "error" {
  return state === "Loaded" ? "success" : state === "Failed" ? "error" : "warning";
}


// ---- The create dialogs' form: defaults, client-side checks and the body posted (kept here, apart from the
// dialog, so the rules are unit-tested).

/** Where replies go in Seldon Deploy by default: its request logger (Warden always sends them to its own). */
export const DEFAULT_REPLY_URL = "http://seldon-request-logger.seldon-logs";
export const PROTOCOLS = ["seldon.http", "tensorflow.http", "kfserving.http", "seldonfeedback.http"] as const;
export const OUTLIER_ALGORITHMS = ["IForest", "Mahalanobis"] as const;
export const DRIFT_ALGORITHMS = ["ks", "cvm"] as const;
export const METRICS_MODELS = ["multiclass_numeric", "multiclass_onehot", "binary"] as const;

/** Every field of the three dialogs as typed (strings, as the inputs hold them); each kind shows its own. */
export interface DetectorForm {
  name: string;
  modelName: string;
  protocol: string;
  replyUrl: string;
  httpPort: string;
  /** Outlier, drift: a saved alibi-detect detector, or ... */
  storageUri: string;
  /** ... reference data to fit one on (.npy / .csv). */
  referenceUri: string;
  outlierAlgorithm: string;
  thresholdPercentile: string;
  driftAlgorithm: string;
  batchSize: string;
  pValue: string;
  featureWise: boolean;
  metricsModel: string;
  classes: string;
  threshold: string;
}

const SHORT: Record<DetectorKind, string> = {
  "outlier-detector": "outlier",
  "drift-detector": "drift",
  "metrics-server": "metrics",
};

/** The seed's "default settings": named after the deployment, replies to the request logger, port 8080. */
export function defaultForm(kind: DetectorKind, deployment: { kind: Kind; name: string }): DetectorForm {
  const protocol =
    kind === "metrics-server" ? "seldonfeedback.http" : deployment.kind === "inferenceservices" ? "kfserving.http" : "seldon.http";
  return {
    name: `${deployment.name}-${SHORT[kind]}`.toLowerCase().slice(0, 63),
    modelName: deployment.name,
    protocol,
    replyUrl: DEFAULT_REPLY_URL,
    httpPort: "8080",
    storageUri: "",
    referenceUri: "",
    outlierAlgorithm: "IForest",
    thresholdPercentile: "95",
    driftAlgorithm: "ks",
    batchSize: "20",
    pValue: "0.05",
    featureWise: false,
    metricsModel: "multiclass_numeric",
    classes: "",
    threshold: "0.5",
  };
}

export type FormErrors = Partial<Record<keyof DetectorForm, string>>;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The number `text` says when it is within [low, high] (whole when `integer`), else null. */
function numberIn(text: string, low: number, high: number, integer: boolean): number | null {
  if (!text.trim()) return null;
  const value = Number(text);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < low || value > high) return null;
  return value;
}

/** Strictly between 0 and 1 (or 100): a level, a probability, a percentage. */
function openRange(text: string, high: number): boolean {
  const value = numberIn(text, 0, high, false);
  return value !== null && value > 0 && value < high;
}

/** What is wrong with the form of `kind`, by field; empty when it can be sent. The server checks again. */
export function checkForm(kind: DetectorKind, form: DetectorForm): FormErrors {
  const errors: FormErrors = {};
  if (!form.name) errors.name = "Give the detector a name.";
  else if (form.name.length > 63 || !DNS1123_LABEL.test(form.name)) {
    errors.name = "Use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit.";
  }
  if (form.httpPort.trim() && numberIn(form.httpPort, 1, 65535, true) === null) {
    errors.httpPort = "A port is a whole number from 1 to 65535.";
  }
  if (form.replyUrl.trim() && !/^https?:\/\/\S+$/.test(form.replyUrl.trim())) {
    errors.replyUrl = "An http:// or https:// URL, or empty.";
  }
  if (kind !== "metrics-server" && !form.storageUri.trim() && !form.referenceUri.trim()) {
    const what = "Give a saved detector (storage URI) or reference data to fit one on.";
    errors.storageUri = what;
    errors.referenceUri = what;
  }
  if (kind === "outlier-detector" && !openRange(form.thresholdPercentile, 100)) {
    errors.thresholdPercentile = "A percentage above 0 and below 100.";
  }
  if (kind === "drift-detector") {
    if (numberIn(form.batchSize, 2, 1_000_000, true) === null) errors.batchSize = "A whole number of rows, at least 2.";
    if (!openRange(form.pValue, 1)) errors.pValue = "A significance level above 0 and below 1.";
  }
  if (kind === "metrics-server") {
    if (form.classes.trim()) {
      const classes = numberIn(form.classes, 2, 10_000, true);
      if (classes === null) errors.classes = "A whole number of classes from 2 to 10,000, or empty.";
      else if (form.metricsModel === "binary" && classes !== 2) errors.classes = "A binary model has 2 classes.";
    }
    if (form.metricsModel === "binary" && !openRange(form.threshold, 1)) {
      errors.threshold = "A probability above 0 and below 1.";
    }
  }
  return errors;
}

/** The body a create posts for a checked form: the SDK's fields and Warden's own under `config.basic`. */
export function detectorBody(kind: DetectorKind, form: DetectorForm): DetectorData {
  const basic: Record<string, unknown> = {};
  const storage = form.storageUri.trim();
  const reference = form.referenceUri.trim();
  if (kind === "outlier-detector") {
    if (storage) basic.storage_uri = storage;
    if (reference) basic.reference_uri = reference;
    basic.algorithm = form.outlierAlgorithm;
    basic.threshold_percentile = Number(form.thresholdPercentile);
  } else if (kind === "drift-detector") {
    if (storage) basic.storage_uri = storage;
    if (reference) basic.reference_uri = reference;
    basic.algorithm = form.driftAlgorithm;
    basic.drift_batch_size = Number(form.batchSize);
    basic.p_val = Number(form.pValue);
    basic.drift_type_feature = form.featureWise;
  } else {
    basic.model_type = form.metricsModel;
    if (form.classes.trim()) basic.classes = Number(form.classes);
    if (form.metricsModel === "binary") basic.threshold = Number(form.threshold);
  }
  const deployment: Record<string, unknown> = { protocol: form.protocol };
  if (form.modelName.trim()) deployment.model_name = form.modelName.trim();
  if (form.replyUrl.trim()) deployment.reply_url = form.replyUrl.trim();
  if (form.httpPort.trim()) deployment.http_port = form.httpPort.trim();
  return { name: form.name, config: { basic, deployment } };
}
