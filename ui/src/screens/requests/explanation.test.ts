import { describe, expect, it } from "vitest";
// Real outputs of alibi's explainers (`Explanation.to_json()`, the body Warden's explainers answer with), made with
// the explainers Warden builds (services/detectors/.../explainers/build.py) on tiny models: one per payload shape.
import alibi from "./alibi-outputs.json";
import { ExplanationShapeError, parseExplanation } from "./explanation";

describe("parseExplanation", () => {
  it("reads an AnchorTabular anchor: rules, precision, coverage and the examples of the full anchor", () => {
    const view = parseExplanation(alibi.tabular);
    expect(view.kind).toBe("anchor");
    if (view.kind !== "anchor") return;
    expect(view.rules).toEqual(["age > 0.55"]);
    expect([view.precision, view.coverage]).toEqual([1, 0.46]);
    const last = alibi.tabular.data.raw.examples[alibi.tabular.data.raw.examples.length - 1];
    expect(view.coveredTrue).toEqual(last?.covered_true);
    expect(view.coveredFalse).toEqual(last?.covered_false);
  });

  it("reads an AnchorText anchor with the words and the text they are in", () => {
    const view = parseExplanation(alibi.text);
    expect(view).toMatchObject({ kind: "text", words: ["bad"], text: "this film has bad actors" });
  });

  it("reads an AnchorImage anchor: the segment map, the anchor's segments and the image without its channel", () => {
    const view = parseExplanation(alibi.image);
    expect(view.kind).toBe("image");
    if (view.kind !== "image") return;
    expect(view.segments).toEqual([
      [0, 0, 1, 1],
      [0, 0, 1, 1],
      [2, 2, 3, 3],
      [2, 2, 3, 3],
    ]);
    expect(view.anchorSegments).toEqual([0]);
    expect(view.image?.[0]).toEqual([1, 0, 0, 0]);
  });

  it("reads KernelShap values per class for the explained instance, named by feature", () => {
    const view = parseExplanation(alibi.shap);
    expect(view.kind).toBe("shap");
    if (view.kind !== "shap") return;
    expect(view.featureNames).toEqual(["age", "hours", "capital"]);
    expect(view.classes.map((c) => c.label)).toEqual(["0", "1"]);
    expect(view.classes[1]?.values).toEqual(alibi.shap.data.shap_values[1]?.[0]);
    expect(view.classes[0]?.expected).toBe(alibi.shap.data.expected_value[0]);
  });

  it("numbers the features when SHAP has no names for them", () => {
    const view = parseExplanation({ meta: { name: "KernelShap" }, data: { shap_values: [[[0.1, -0.2]]], expected_value: [0.5] } });
    expect(view.kind === "shap" && view.featureNames).toEqual(["feature 0", "feature 1"]);
  });

  it("says what is missing instead of drawing half an explanation", () => {
    expect(() => parseExplanation({ meta: {} })).toThrow("the explanation has no data");
    expect(() => parseExplanation({ meta: { name: "AnchorTabular" }, data: { precision: 1 } })).toThrow(
      "the AnchorTabular has no anchor",
    );
    expect(() => parseExplanation({ data: { anchor: ["a"], precision: "x", coverage: 1 } })).toThrow(
      ExplanationShapeError,
    );
    expect(() => parseExplanation({ data: { shap_values: [] } })).toThrow("the SHAP values are missing");
  });
});
