// alibi's explanation payloads (as Warden's explainers return them: `{meta, data}`) parsed into what the
// renderers draw. Each parser says in words what is missing instead of drawing half an explanation.

export interface AnchorView {
  kind: "anchor";
  rules: string[];
  precision: number;
  coverage: number;
  /** Rows where the anchor holds and the prediction is the same / differs (alibi's last, full anchor). */
  coveredTrue: unknown[][];
  coveredFalse: unknown[][];
}
export interface TextAnchorView {
  kind: "text";
  words: string[];
  precision: number;
  coverage: number;
  text: string | null;
}
export interface ImageAnchorView {
  kind: "image";
  precision: number;
  coverage: number;
  /** Segment id per pixel (rows x columns) and the segments in the anchor. */
  segments: number[][];
  anchorSegments: number[];
  image: number[][] | null;
}
export interface ShapView {
  kind: "shap";
  featureNames: string[];
  /** Per class: its expected value and the feature contributions for the first instance. */
  classes: { label: string; expected: number; values: number[] }[];
}
export type ExplanationView = AnchorView | TextAnchorView | ImageAnchorView | ShapView;

export class ExplanationShapeError extends Error {}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown, what: string): number => {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ExplanationShapeError(`${what} is not a number`);
  return v;
};

/** A 2-D grid (image or segment map) of numbers; a trailing channel axis of size 1 is dropped. */
function grid(v: unknown, what: string): number[][] {
  if (!Array.isArray(v) || !v.every(Array.isArray)) throw new ExplanationShapeError(`${what} is not a 2-D array`);
  return (v as unknown[][]).map((row) =>
    row.map((cell) => num(Array.isArray(cell) ? (cell as unknown[])[0] : cell, what)),
  );
}

export function parseExplanation(payload: unknown): ExplanationView {
  if (!isObj(payload) || !isObj(payload.data)) throw new ExplanationShapeError("the explanation has no data");
  const meta = isObj(payload.meta) ? payload.meta : {};
  const data = payload.data;
  const raw = isObj(data.raw) ? data.raw : {};
  const name = typeof meta.name === "string" ? meta.name : "";
  if ("shap_values" in data || name === "KernelShap") return parseShap(data);
  if (!Array.isArray(data.anchor)) throw new ExplanationShapeError(`the ${name || "explanation"} has no anchor`);
  const precision = num(data.precision, "precision");
  const coverage = num(data.coverage, "coverage");
  if (name === "AnchorImage" || "segments" in data) {
    const feature = Array.isArray(raw.feature) ? raw.feature.map((f) => num(f, "an anchor segment")) : [];
    const image = raw.instance ?? raw.instances;
    return {
      kind: "image",
      precision,
      coverage,
      segments: grid(data.segments, "segments"),
      anchorSegments: feature,
      image: Array.isArray(image) && Array.isArray(image[0]) ? grid(image, "the image") : null,
    };
  }
  const words = data.anchor.map(String);
  if (name === "AnchorText") {
    const instance = raw.instance ?? raw.instances;
    const text = typeof instance === "string" ? instance : Array.isArray(instance) ? String(instance[0]) : null;
    return { kind: "text", words, precision, coverage, text };
  }
  const examples = Array.isArray(raw.examples) ? raw.examples.filter(isObj) : [];
  const last = examples[examples.length - 1] ?? {};
  const rows = (v: unknown): unknown[][] => (Array.isArray(v) ? v.filter(Array.isArray) : []);
  return {
    kind: "anchor",
    rules: words,
    precision,
    coverage,
    coveredTrue: rows(last.covered_true),
    coveredFalse: rows(last.covered_false),
  };
}

function parseShap(data: Obj): ShapView {
  const shap = data.shap_values;
  if (!Array.isArray(shap) || shap.length === 0) throw new ExplanationShapeError("the SHAP values are missing");
  const expected = Array.isArray(data.expected_value) ? data.expected_value : [data.expected_value];
  const classes = shap.map((perClass, label) => {
    // alibi: shap_values[class][instance][feature]; the first instance is the one explained.
    const first: unknown = Array.isArray(perClass) && Array.isArray(perClass[0]) ? perClass[0] : perClass;
    if (!Array.isArray(first)) throw new ExplanationShapeError(`the SHAP values of class ${label} are not a list`);
    return {
      label: String(label),
      expected: num(expected[label], `the expected value of class ${label}`),
      values: first.map((v) => num(v, `a SHAP value of class ${label}`)),
    };
  });
  const width = classes[0]?.values.length ?? 0;
  const names = Array.isArray(data.feature_names) ? data.feature_names.map(String) : [];
  return {
    kind: "shap",
    featureNames: names.length === width ? names : Array.from({ length: width }, (_, i) => `feature ${i}`),
    classes,
  };
}
