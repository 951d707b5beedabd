import { describe, expect, it } from "vitest";
import type { StoredExplainer } from "../../api/explainers";
import { defaultsText, emptyExplainerForm, explainerBody, formOf, type ExplainerForm } from "./form";

const form = (over: Partial<ExplainerForm>): ExplainerForm => ({ ...emptyExplainerForm(), ...over });

describe("explainerBody", () => {
  it("makes the seed's anchors tabular body: reference rows and a config of strings", () => {
    const checked = explainerBody(
      form({ uri: " file:///d/income.npy ", config: '{"coverage_samples": "500", "batch_size": 50}' }),
    );
    expect(checked).toEqual({
      ok: true,
      body: { type: "AnchorTabular", referenceUri: "file:///d/income.npy", config: { coverage_samples: "500", batch_size: 50 } },
    });
  });

  it("sends a saved explainer as modelUri and leaves config out when empty", () => {
    expect(explainerBody(form({ type: "AnchorText", source: "model", uri: "gs://b/explainer" }))).toEqual({
      ok: true,
      body: { type: "AnchorText", modelUri: "gs://b/explainer" },
    });
  });

  it("lets AnchorText go without a URI (it needs no data)", () => {
    expect(explainerBody(form({ type: "AnchorText" }))).toEqual({ ok: true, body: { type: "AnchorText" } });
  });

  it("says in words what is wrong", () => {
    const bad = (over: Partial<ExplainerForm>) => {
      const checked = explainerBody(form(over));
      return checked.ok ? [] : checked.problems;
    };
    expect(bad({})).toEqual(["AnchorTabular needs the URI of the rows to fit it on (.npy or headerless .csv)"]);
    expect(bad({ uri: "income.npy" })[0]).toMatch(/not a storage URI/);
    expect(bad({ uri: "s3://b/r.npy", config: "{threshold: 1}" })[0]).toMatch(/^config is not valid JSON: /);
    expect(bad({ uri: "s3://b/r.npy", config: "[1]" })).toEqual(['config must be a JSON object, e.g. {"threshold": "0.95"}']);
    expect(bad({ uri: "s3://b/r.npy", config: '{"nsamples": 5}' })[0]).toMatch(/^config: nsamples is not a parameter of AnchorTabular/);
    expect(bad({ uri: "s3://b/r.npy", config: '{"batch_size": "1.5", "threshold": "high"}' })).toEqual([
      'config: batch_size must be a whole number, got "1.5"',
      'config: threshold must be a number, got "high"',
    ]);
    expect(bad({ type: "KernelShap", uri: "s3://b/r.npy", config: '{"l1_reg": 3}' })).toEqual([
      "config: l1_reg must be a string, got 3",
    ]);
    expect(bad({ type: "AnchorImage" })[0]).toMatch(/needs the image shape/);
    expect(bad({ type: "AnchorImage", imageShape: "8, 0" })[0]).toMatch(/^image shape “8, 0”/);
  });

  it("names the catalog model whose schema names the features, when given", () => {
    expect(explainerBody(form({ type: "AnchorText", catalogModelUri: " file:///m/movies " }))).toEqual({
      ok: true,
      body: { type: "AnchorText", catalogModelUri: "file:///m/movies" },
    });
    const checked = explainerBody(form({ type: "AnchorText", catalogModelUri: "movies" }));
    expect(checked.ok ? [] : checked.problems).toEqual([
      "the catalog model URI “movies” is not a storage URI (e.g. s3://bucket/model, file:///...)",
    ]);
    expect(emptyExplainerForm("s3://b/income").catalogModelUri).toBe("s3://b/income");
  });

  it("reads an image shape", () => {
    expect(explainerBody(form({ type: "AnchorImage", imageShape: "8, 8, 1" }))).toEqual({
      ok: true,
      body: { type: "AnchorImage", imageShape: [8, 8, 1] },
    });
  });

  it("keeps the stored fields the dialog does not edit, and drops source and updatedAt", () => {
    const stored: StoredExplainer = {
      type: "AnchorTabular",
      referenceUri: "s3://b/old.npy",
      featureNames: ["Age", "Sex"],
      config: { threshold: "0.9" },
      segmentSize: 2,
      backgroundRows: 100,
      source: "api",
      updatedAt: "2026-12-04T18:00:00+00:00",
    };
    const edited = { ...formOf(stored), uri: "s3://b/new.npy" };
    expect(explainerBody(edited, stored)).toEqual({
      ok: true,
      body: {
        type: "AnchorTabular",
        referenceUri: "s3://b/new.npy",
        featureNames: ["Age", "Sex"],
        config: { threshold: "0.9" },
        segmentSize: 2,
        backgroundRows: 100,
      },
    });
  });
});

describe("formOf", () => {
  it("fills the form from a stored explainer", () => {
    const stored = { type: "AnchorImage", modelUri: "s3://b/e", imageShape: [8, 8], segmentSize: 2, backgroundRows: 100 } as StoredExplainer;
    expect(formOf(stored)).toEqual({
      type: "AnchorImage",
      source: "model",
      uri: "s3://b/e",
      config: "",
      imageShape: "8, 8",
      catalogModelUri: "",
    });
  });
});

it("lists each type's config parameters with alibi's defaults", () => {
  expect(defaultsText("KernelShap")).toBe("nsamples auto, l1_reg auto");
  expect(defaultsText("AnchorTabular")).toMatch(/^threshold 0.95, batch_size 100, coverage_samples 10000/);
});
