import { describe, expect, it, vi } from "vitest";
import { ApiError, Client, describeError, errorOf, segment } from "./client";

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

describe("errorOf", () => {
  it("reads Warden's common error body", async () => {
    const error = await errorOf(json(404, { code: 404, reason: "not_found", message: "SeldonDeployment seldon/iris not found" }));
    expect(error).toBeInstanceOf(ApiError);
    expect([error.status, error.reason, error.message]).toEqual([404, "not_found", "SeldonDeployment seldon/iris not found"]);
  });

  it("reads the token endpoint's RFC 6749 error", async () => {
    const error = await errorOf(json(400, { error: "invalid_grant", error_description: "wrong user name or password" }));
    expect([error.reason, error.message]).toEqual(["invalid_grant", "wrong user name or password"]);
  });

  it("says what came back when the body is not Warden's", async () => {
    const error = await errorOf(new Response("upstream timed out", { status: 502, statusText: "Bad Gateway" }));
    expect(error.message).toBe("502 Bad Gateway: upstream timed out");
    const empty = await errorOf(new Response("", { status: 500 }));
    expect(empty.message).toBe("the server answered 500");
  });
});

describe("describeError", () => {
  it("puts errors in words", () => {
    expect(describeError(new ApiError(403, "forbidden", "alice may not write seldon"))).toBe(
      "You are not allowed to do this: alice may not write seldon",
    );
    expect(describeError(new ApiError(401, "unauthorized", "token expired"))).toMatch(/session has expired/);
    expect(describeError(new TypeError("Failed to fetch"))).toMatch(/could not be reached/);
  });
});

describe("Client", () => {
  it("sends the bearer token and a JSON body", async () => {
    const fetcher = vi.fn(async () => json(200, { ok: true }));
    const client = new Client(() => "t0k", () => {}, fetcher);
    expect(await client.request("/x", { method: "POST", body: { a: 1 } })).toEqual({ ok: true });
    const [path, init] = fetcher.mock.calls[0] as unknown as [string, RequestInit];
    expect(path).toBe("/x");
    expect(init.method).toBe("POST");
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer t0k");
    expect(init.body).toBe('{"a":1}');
  });

  it("sends no Authorization header when signed out", async () => {
    const fetcher = vi.fn(async () => json(200, []));
    await new Client(() => null, () => {}, fetcher).request("/x");
    const [, init] = fetcher.mock.calls[0] as unknown as [string, RequestInit];
    expect(init.headers).not.toHaveProperty("Authorization");
  });

  it("asks to sign in again on 401 and throws the error", async () => {
    const onUnauthorized = vi.fn();
    const client = new Client(() => "old", onUnauthorized, async () =>
      json(401, { code: 401, reason: "unauthorized", message: "the token has expired" }),
    );
    await expect(client.request("/x")).rejects.toThrow("the token has expired");
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it("does not sign out on other errors", async () => {
    const onUnauthorized = vi.fn();
    const client = new Client(() => "t", onUnauthorized, async () =>
      json(409, { code: 409, reason: "conflict", message: "there is no canary to promote or remove" }),
    );
    await expect(client.request("/x", { method: "POST" })).rejects.toMatchObject({ status: 409, reason: "conflict" });
    expect(onUnauthorized).not.toHaveBeenCalled();
  });
});

it("quotes path segments", () => {
  expect(segment("a/../b c")).toBe("a%2F..%2Fb%20c");
});
