// The Add / Edit explainer form: its fields, their checks, and the body it PUTs (tests: form.test.ts).
import type { ExplainerBody, ExplainerType, StoredExplainer } from "../../api/explainers";

type ParamKind = "int" | "float" | "str";

/** alibi `explain` parameters the API accepts in `config` per type (warden_common.explainers.EXPLAIN_PARAMS) and
 * alibi's default for each, shown in the dialog so the user knows what leaving one out means. */
const ANCHOR: Record<string, [ParamKind, string]> = {
  threshold: ["float", "0.95"],
  batch_size: ["int", "100"],
  coverage_samples: ["int", "10000"],
  beam_size: ["int", "1"],
  max_anchor_size: ["int", "none"],
  min_samples_start: ["int", "100"],
  n_covered_ex: ["int", "10"],
  delta: ["float", "0.1"],
  tau: ["float", "0.15"],
};
export const CONFIG_PARAMS: Record<ExplainerType, Record<string, [ParamKind, string]>> = {
  AnchorTabular: ANCHOR,
  AnchorText: { ...ANCHOR, sample_proba: ["float", "0.5"] },
  AnchorImage: { ...ANCHOR, p_sample: ["float", "0.5"] },
  KernelShap: { nsamples: ["int", "auto"], l1_reg: ["str", "auto"] },
};

/** Where the explainer comes from: rows to fit it on (referenceUri) or a saved alibi explainer (modelUri). */
export type Source = "reference" | "model";

export interface ExplainerForm {
  type: ExplainerType;
  source: Source;
  uri: string;
  /** `config` as JSON text; empty means alibi's defaults. */
  config: string;
  /** AnchorImage: the image shape as "8, 8, 1". */
  imageShape: string;
  /** The catalog model whose prediction schema names the columns (optional). */
  catalogModelUri: string;
}

/** A new explainer's form; `catalogModelUri` is the deployment's model, so the explanation names its features. */
export function emptyExplainerForm(catalogModelUri = ""): ExplainerForm {
  return { type: "AnchorTabular", source: "reference", uri: "", config: "", imageShape: "", catalogModelUri };
}

/** The form for editing a stored explainer. */
export function formOf(stored: StoredExplainer): ExplainerForm {
  const model = typeof stored.modelUri === "string" && stored.modelUri !== "";
  const config = stored.config && Object.keys(stored.config).length ? JSON.stringify(stored.config, null, 2) : "";
  return {
    type: stored.type,
    source: model ? "model" : "reference",
    uri: (model ? stored.modelUri : stored.referenceUri) ?? "",
    config,
    imageShape: stored.imageShape?.join(", ") ?? "",
    catalogModelUri: stored.catalogModelUri ?? "",
  };
}

/** The names and alibi defaults of the config parameters a type takes, for the dialog's help text. */
export function defaultsText(type: ExplainerType): string {
  return Object.entries(CONFIG_PARAMS[type])
    .map(([key, [, value]]) => `${key} ${value}`)
    .join(", ");
}

function configProblems(type: ExplainerType, value: Record<string, unknown>): string[] {
  const allowed = CONFIG_PARAMS[type];
  const problems: string[] = [];
  for (const [key, raw] of Object.entries(value)) {
    const param = allowed[key];
    if (!param) {
      problems.push(`config: ${key} is not a parameter of ${type} (known: ${Object.keys(allowed).join(", ")})`);
      continue;
    }
    const [kind] = param;
    // The seed sends strings ("0.95"), JSON numbers are accepted too; the server converts both.
    const text = typeof raw === "number" || typeof raw === "string" ? String(raw).trim() : null;
    const ok =
      kind === "str"
        ? typeof raw === "string"
        : text !== null && text !== "" && (kind === "int" ? /^[-+]?\d+$/.test(text) : Number.isFinite(Number(text)));
    if (!ok) {
      const want = kind === "int" ? "a whole number" : kind === "float" ? "a number" : "a string";
      problems.push(`config: ${key} must be ${want}, got ${JSON.stringify(raw)}`);
    }
  }
  return problems;
}

const STORAGE_URI = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i;

export type Checked = { ok: true; body: ExplainerBody } | { ok: false; problems: string[] };

/** The body to PUT, or every problem with the form in words. `keep` is the stored explainer being edited: the
 * fields the dialog does not show (feature names, category map, ...) are kept as they are. */
export function explainerBody(form: ExplainerForm, keep?: StoredExplainer | null): Checked {
  const problems: string[] = [];
  const uri = form.uri.trim();
  const needsUri = form.source === "model" || form.type === "AnchorTabular" || form.type === "KernelShap";
  if (!uri && needsUri) {
    problems.push(
      form.source === "model"
        ? "the explainer URI is required (a saved alibi explainer)"
        : `${form.type} needs the URI of the rows to fit it on (.npy or headerless .csv)`,
    );
  } else if (uri && !STORAGE_URI.test(uri)) {
    problems.push(`the URI “${uri}” is not a storage URI (e.g. s3://bucket/path, gs://..., file:///...)`);
  }
  const catalog = form.catalogModelUri.trim();
  if (catalog && !STORAGE_URI.test(catalog)) {
    problems.push(`the catalog model URI “${catalog}” is not a storage URI (e.g. s3://bucket/model, file:///...)`);
  }
  let config: Record<string, unknown> = {};
  if (form.config.trim()) {
    try {
      const parsed: unknown = JSON.parse(form.config);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        problems.push('config must be a JSON object, e.g. {"threshold": "0.95"}');
      } else {
        config = parsed as Record<string, unknown>;
        problems.push(...configProblems(form.type, config));
      }
    } catch (e) {
      problems.push(`config is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  let imageShape: number[] | undefined;
  if (form.type === "AnchorImage" && form.imageShape.trim()) {
    const parts = form.imageShape.split(/[,x×\s]+/).filter(Boolean);
    imageShape = parts.map(Number);
    if (parts.length < 2 || parts.length > 3 || imageShape.some((n) => !Number.isInteger(n) || n < 1)) {
      problems.push(`image shape “${form.imageShape}”: 2 or 3 whole numbers of at least 1, e.g. 8, 8, 1`);
    }
  } else if (form.type === "AnchorImage" && form.source === "reference") {
    problems.push("AnchorImage fitted on rows needs the image shape, e.g. 8, 8, 1 for rows of 64 pixels");
  }
  if (problems.length) return { ok: false, problems };

  const body: ExplainerBody = { type: form.type };
  if (keep) {
    // Fields the dialog does not edit stay as stored; the type-specific and source ones are set below.
    const { source: _s, updatedAt: _u, modelUri: _m, referenceUri: _r, config: _c, imageShape: _i, type: _t, catalogModelUri: _k, ...rest } =
      keep;
    Object.assign(body, rest);
  }
  if (uri) {
    if (form.source === "model") body.modelUri = uri;
    else body.referenceUri = uri;
  }
  if (Object.keys(config).length) body.config = config;
  if (imageShape) body.imageShape = imageShape;
  if (catalog) body.catalogModelUri = catalog;
  return { ok: true, body };
}
