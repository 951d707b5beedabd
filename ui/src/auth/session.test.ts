import { describe, expect, it, vi } from "vitest";
import { clearSession, isExpired, loadSession, saveSession, sessionOf, signIn, type KeyValueStore } from "./session";

function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "RS256" })}.${part(claims)}.signature`;
}

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

describe("sessionOf", () => {
  it("reads user and groups from the token", () => {
    const session = sessionOf(jwt({ sub: "u-1", preferred_username: "admin", groups: ["admins", "ds"], exp: 2000 }));
    expect(session).toMatchObject({ user: "admin", groups: ["admins", "ds"], expiresAt: 2000 });
  });

  it("copes with tokens it cannot read", () => {
    expect(sessionOf("not-a-jwt")).toMatchObject({ user: "unknown user", groups: [], expiresAt: null });
  });

  it("decodes UTF-8 names", () => {
    expect(sessionOf(jwt({ preferred_username: "zoë" })).user).toBe("zoë");
  });
});

describe("stored session", () => {
  it("round-trips and clears", () => {
    const store = memoryStore();
    const session = sessionOf(jwt({ preferred_username: "admin", exp: Date.now() / 1000 + 3600 }));
    saveSession(store, session);
    expect(loadSession(store)?.user).toBe("admin");
    clearSession(store);
    expect(loadSession(store)).toBeNull();
  });

  it("drops an expired token", () => {
    const store = memoryStore();
    saveSession(store, sessionOf(jwt({ preferred_username: "admin", exp: 10 })));
    expect(loadSession(store)).toBeNull();
    expect(store.data.size).toBe(0);
    expect(isExpired(sessionOf(jwt({ exp: 100 })), 99)).toBe(false);
  });
});

describe("signIn", () => {
  it("uses the password grant of the public client", async () => {
    const token = jwt({ preferred_username: "admin", groups: ["admins"] });
    const fetcher = vi.fn(async () => new Response(JSON.stringify({ access_token: token }), { status: 200 }));
    const session = await signIn("admin", "p&ss=word", fetcher);
    expect(session.user).toBe("admin");
    const [path, init] = fetcher.mock.calls[0] as unknown as [string, RequestInit];
    expect(path).toBe("/oauth2/token");
    const form = new URLSearchParams(init.body as string);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: "password",
      client_id: "warden",
      username: "admin",
      password: "p&ss=word",
    });
  });

  it("says why the sign-in failed", async () => {
    const fetcher = async () =>
      new Response(JSON.stringify({ error: "invalid_grant", error_description: "wrong user name or password" }), {
        status: 400,
      });
    await expect(signIn("admin", "bad", fetcher)).rejects.toThrow("wrong user name or password");
  });
});
