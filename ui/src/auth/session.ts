// The signed-in session: the built-in identity provider's token (password grant, client id `warden`), kept in
// sessionStorage so it ends with the browser tab.
import { errorOf } from "../api/client";

export const TOKEN_PATH = "/oauth2/token";
export const CLIENT_ID = "warden";
const KEY = "warden.session";

export interface Session {
  token: string;
  user: string;
  groups: string[];
  expiresAt: number | null; // epoch seconds, from the token's `exp`
}

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

function base64UrlDecode(part: string): string {
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
  const binary = atob(base64);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The claims of a JWT (not verified: the server verifies; the UI only shows who is signed in). */
export function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split(".")[1];
  if (!payload) return {};
  try {
    const claims: unknown = JSON.parse(base64UrlDecode(payload));
    return typeof claims === "object" && claims !== null ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function sessionOf(token: string): Session {
  const claims = claimsOf(token);
  const user = [claims.preferred_username, claims.name, claims.sub].find((v) => typeof v === "string") as
    | string
    | undefined;
  const groups = Array.isArray(claims.groups) ? claims.groups.filter((g): g is string => typeof g === "string") : [];
  return {
    token,
    user: user ?? "unknown user",
    groups,
    expiresAt: typeof claims.exp === "number" ? claims.exp : null,
  };
}

export function isExpired(session: Session, nowSeconds: number = Date.now() / 1000): boolean {
  return session.expiresAt !== null && session.expiresAt <= nowSeconds;
}

export function loadSession(store: KeyValueStore): Session | null {
  const token = store.getItem(KEY);
  if (!token) return null;
  const session = sessionOf(token);
  if (isExpired(session)) {
    store.removeItem(KEY);
    return null;
  }
  return session;
}

export function saveSession(store: KeyValueStore, session: Session): void {
  store.setItem(KEY, session.token);
}

export function clearSession(store: KeyValueStore): void {
  store.removeItem(KEY);
}

/** Signs in with the password grant; throws an `ApiError` whose message says why not. */
export async function signIn(
  username: string,
  password: string,
  fetcher: (input: string, init: RequestInit) => Promise<Response> = (i, r) => fetch(i, r),
): Promise<Session> {
  const form = new URLSearchParams({ grant_type: "password", client_id: CLIENT_ID, username, password });
  const response = await fetcher(TOKEN_PATH, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: form.toString(),
  });
  if (!response.ok) throw await errorOf(response);
  const body = (await response.json()) as { access_token?: unknown };
  if (typeof body.access_token !== "string") throw new Error("the token endpoint answered without an access_token");
  return sessionOf(body.access_token);
}
