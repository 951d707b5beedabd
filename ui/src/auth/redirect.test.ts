import { describe, expect, it } from "vitest";
import { beginSignIn, finishSignIn } from "./redirect";
import { s256Challenge } from "./pkce";
import type { KeyValueStore } from "./session";

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

const AUTH = { modes: ["redirect" as const], issuer: "https://idp.test/realm", clientId: "ui", scopes: "openid", providerName: "IdP" };
const DISCOVERY = { authorization_endpoint: "https://idp.test/auth", token_endpoint: "https://idp.test/token" };
// header.payload.signature with payload {"preferred_username":"ada","exp":4102444800}
const TOKEN = `e30.${btoa(JSON.stringify({ preferred_username: "ada", exp: 4102444800 })).replace(/=+$/, "")}.sig`;

async function started(store: KeyValueStore) {
  const calls: string[] = [];
  const url = await beginSignIn(AUTH, "https://warden.test", "/ui/namespaces/x", store, async (input) => {
    calls.push(input);
    return new Response(JSON.stringify(DISCOVERY));
  });
  return { url: new URL(url), calls };
}

describe("redirect sign-in", () => {
  it("sends the browser to the provider with state and an S256 challenge of the kept verifier", async () => {
    const store = memoryStore();
    const { url, calls } = await started(store);
    expect(calls).toEqual(["https://idp.test/realm/.well-known/openid-configuration"]);
    expect(url.origin + url.pathname).toBe("https://idp.test/auth");
    const pending = JSON.parse([...store.data.values()][0]!) as { verifier: string; state: string };
    expect(url.searchParams.get("code_challenge")).toBe(await s256Challenge(pending.verifier));
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("state")).toBe(pending.state);
    expect(url.searchParams.get("redirect_uri")).toBe("https://warden.test/ui/callback");
    expect(url.searchParams.get("response_type")).toBe("code");
  });

  it("exchanges the code with the verifier and signs in", async () => {
    const store = memoryStore();
    const { url } = await started(store);
    let sent: URLSearchParams | null = null;
    const done = await finishSignIn(`?code=abc&state=${url.searchParams.get("state")}`, store, async (input, init) => {
      expect(input).toBe("https://idp.test/token");
      sent = new URLSearchParams(String(init.body));
      return new Response(JSON.stringify({ access_token: TOKEN }));
    });
    expect(done.session.user).toBe("ada");
    expect(done.next).toBe("/ui/namespaces/x");
    expect(sent!.get("grant_type")).toBe("authorization_code");
    expect(sent!.get("code")).toBe("abc");
    expect(sent!.get("code_verifier")).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(sent!.has("client_secret")).toBe(false);
    // the pending sign-in is used up: the same callback again is refused
    await expect(finishSignIn(`?code=abc&state=${url.searchParams.get("state")}`, store)).rejects.toThrow(/no sign-in/);
  });

  it("refuses an answer with another state, and says what the provider refused", async () => {
    const store = memoryStore();
    await started(store);
    await expect(finishSignIn("?code=abc&state=forged", store)).rejects.toThrow(/state differs/);
    const again = memoryStore();
    const { url } = await started(again);
    const state = url.searchParams.get("state")!;
    await expect(
      finishSignIn(`?error=access_denied&error_description=nope&state=${state}`, again),
    ).rejects.toThrow(/refused the sign-in: access_denied \(nope\)/);
  });

  it("shows the token endpoint's error in words", async () => {
    const store = memoryStore();
    const { url } = await started(store);
    const refusing = async () =>
      new Response(JSON.stringify({ error: "invalid_grant", error_description: "the code is unknown" }), { status: 400 });
    await expect(finishSignIn(`?code=x&state=${url.searchParams.get("state")}`, store, refusing)).rejects.toThrow(
      /the code is unknown/,
    );
  });
});
