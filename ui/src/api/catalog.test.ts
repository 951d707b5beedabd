import { describe, expect, it, vi } from "vitest";
import { CatalogApi, EMPTY_FORM, formOf, listParams, modelBody, predictionSchemaErrors } from "./catalog";
import { Client } from "./client";

describe("listParams", () => {
  it("asks for one page by the server's paging parameters and passes the query untouched", () => {
    const p = listParams({ query: ' name="a&b" ', pageSize: 25, pageToken: "tok/1" });
    expect(p.get("query")).toBe('name="a&b"');
    expect(p.get("pageSize")).toBe("25");
    expect(p.get("pageToken")).toBe("tok/1");
  });

  it("leaves out an empty query and the first page's token", () => {
    const p = listParams({ query: "  ", pageSize: 50, pageToken: null });
    expect([p.has("query"), p.has("pageToken"), p.get("pageSize")]).toEqual([false, false, "50"]);
  });
});

describe("predictionSchemaErrors", () => {
  it("accepts an empty text and a valid schema", () => {
    expect(predictionSchemaErrors("")).toEqual([]);
    const ok = {
      requests: [{ name: "x", type: "REAL", dataType: "FLOAT" }],
      responses: [{ name: "y", type: "PROBA", schema: [{ name: "a" }, { name: "b" }] }],
    };
    expect(predictionSchemaErrors(JSON.stringify(ok))).toEqual([]);
  });

  it("names each problem by its path", () => {
    const bad = {
      requests: [
        { name: "x", type: "CATEGORICAL" },
        { name: "x", type: "REAL", nCategories: 2 },
        { name: "t", type: "TENSOR" },
      ],
      other: 1,
    };
    const errors = predictionSchemaErrors(JSON.stringify(bad));
    expect(errors).toContain("other: unknown field (requests, responses)");
    expect(errors.some((e) => e.startsWith("requests[0].type: a CATEGORICAL feature needs"))).toBe(true);
    expect(errors.some((e) => e.startsWith("requests[1]: only categorical"))).toBe(true);
    expect(errors.some((e) => e.startsWith("requests[1].name: duplicate"))).toBe(true);
    expect(errors.some((e) => e.startsWith("requests[2].shape"))).toBe(true);
  });

  it("reports text that is not JSON", () => {
    expect(predictionSchemaErrors("{")[0]).toMatch(/^not valid JSON/);
  });
});

describe("modelBody", () => {
  it("builds the body with tags and numeric metrics", () => {
    const r = modelBody({ ...EMPTY_FORM, uri: " file:///m/iris ", name: "iris", tags: "a=b\n\nc = d", metrics: "acc=0.9" });
    expect(r).toEqual({
      body: { URI: "file:///m/iris", name: "iris", artifactType: "UNKNOWN", tags: { a: "b", c: "d" }, metrics: { acc: 0.9 } },
    });
  });

  it("refuses a missing URI, a line without '=', a metric that is not a number", () => {
    const r = modelBody({ ...EMPTY_FORM, tags: "oops", metrics: "acc=high" });
    expect("errors" in r && Object.keys(r.errors).sort()).toEqual(["metrics", "tags", "uri"]);
  });

  it("round-trips an entry through formOf", () => {
    const model = { URI: "u", name: "n", artifactType: "SKLEARN", tags: { k: "v" }, metrics: { m: 1 } };
    expect(modelBody(formOf(model))).toEqual({ body: { ...model } });
  });
});

describe("CatalogApi", () => {
  it("GETs one page and POSTs / PUTs a model", async () => {
    const fetcher = vi.fn(async () => new Response(JSON.stringify({ models: [], nextPageToken: "" }), { status: 200 }));
    const api = new CatalogApi(new Client(() => "t", () => {}, fetcher));
    await api.list({ query: "name=iris", pageSize: 25, pageToken: null });
    await api.register({ URI: "u" });
    await api.update({ URI: "u" });
    const calls = fetcher.mock.calls as unknown as [string, RequestInit][];
    expect(calls[0]![0]).toBe("/seldon-deploy/api/v1alpha1/model/metadata?query=name%3Diris&pageSize=25&orderBy=name%2C+version");
    expect(calls.map(([, init]) => init.method)).toEqual(["GET", "POST", "PUT"]);
  });
});

describe("CatalogApi.remove", () => {
  it("DELETEs by URI and project, both as query parameters", async () => {
    const fetcher = vi.fn(async () => new Response("{}", { status: 200 }));
    const api = new CatalogApi(new Client(() => "t", () => {}, fetcher));
    await api.remove("s3://bucket/a b&c", "team one");
    await api.remove("gs://m", null);
    const calls = fetcher.mock.calls as unknown as [string, RequestInit][];
    expect(calls[0]![0]).toBe("/seldon-deploy/api/v1alpha1/model/metadata?URI=s3%3A%2F%2Fbucket%2Fa+b%26c&project=team+one");
    expect(calls[1]![0]).toBe("/seldon-deploy/api/v1alpha1/model/metadata?URI=gs%3A%2F%2Fm");
    expect(calls.map(([, init]) => init.method)).toEqual(["DELETE", "DELETE"]);
  });
});
