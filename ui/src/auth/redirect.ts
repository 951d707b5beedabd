// Redirect sign-in: OpenID Connect authorization code + PKCE (RFC 6749 4.1, RFC 7636), the standard flow of a
// browser app. No client secret: the PKCE verifier, kept in this tab's sessionStorage, proves the code is ours.
import { errorOf, type Fetch } from "../api/client";
import { randomToken, s256Challenge } from "./pkce";
import { sessionOf, type KeyValueStore, type Session } from "./session";
import type { UiConfig } from "../theme/uiConfig";

export const CALLBACK_PATH = "/ui/callback";
const PENDING_KEY = "warden.signin.pending";

/** What the callback needs from the start of the flow. */
export interface PendingSignIn {
  state: string;
  verifier: string;
  redirectUri: string;
  tokenEndpoint: string;
  clientId: string;
  next: string;
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
}

export async function discover(issuer: string, fetcher: Fetch): Promise<Discovery> {
  const url = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
  const response = await fetcher(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw await errorOf(response);
  const doc = (await response.json()) as Partial<Discovery>;
  if (typeof doc.authorization_endpoint !== "string" || typeof doc.token_endpoint !== "string") {
    throw new Error(`the provider's discovery document (${url}) has no authorization_endpoint or token_endpoint`);
  }
  return { authorization_endpoint: doc.authorization_endpoint, token_endpoint: doc.token_endpoint };
}

/** The provider's authorization URL to send the browser to; what the callback needs is saved in `store`. */
export async function beginSignIn(
  auth: UiConfig["auth"],
  origin: string,
  next: string,
  store: KeyValueStore,
  fetcher: Fetch = (i, r) => fetch(i, r),
): Promise<string> {
  const { authorization_endpoint, token_endpoint } = await discover(auth.issuer, fetcher);
  const pending: PendingSignIn = {
    state: randomToken(),
    verifier: randomToken(48),
    redirectUri: origin + CALLBACK_PATH,
    tokenEndpoint: token_endpoint,
    clientId: auth.clientId,
    next,
  };
  store.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(authorization_endpoint);
  const params = new URLSearchParams({
    response_type: "code",
    client_id: pending.clientId,
    redirect_uri: pending.redirectUri,
    scope: auth.scopes,
    state: pending.state,
    code_challenge: await s256Challenge(pending.verifier),
    code_challenge_method: "S256",
  });
  params.forEach((value, key) => url.searchParams.set(key, value));
  return url.toString();
}

export interface Finished {
  session: Session;
  next: string;
}

/** Completes the sign-in on the callback page's query string; throws an Error that says what went wrong. */
export async function finishSignIn(
  search: string,
  store: KeyValueStore,
  fetcher: Fetch = (i, r) => fetch(i, r),
): Promise<Finished> {
  const query = new URLSearchParams(search);
  const saved = store.getItem(PENDING_KEY);
  store.removeItem(PENDING_KEY); // one attempt per start: a reloaded callback page must not replay the code
  if (!saved) throw new Error("no sign-in was started in this tab (or it already finished): start again");
  const pending = JSON.parse(saved) as PendingSignIn;
  if (query.get("state") !== pending.state) {
    throw new Error("the provider's answer does not belong to the sign-in started here (state differs)");
  }
  const error = query.get("error");
  if (error) {
    const description = query.get("error_description");
    throw new Error(`the identity provider refused the sign-in: ${error}${description ? ` (${description})` : ""}`);
  }
  const code = query.get("code");
  if (!code) throw new Error("the identity provider sent back no code");
  const form = new URLSearchParams({
    grant_type: "authorization_code",
    client_id: pending.clientId,
    code,
    redirect_uri: pending.redirectUri,
    code_verifier: pending.verifier,
  });
  const response = await fetcher(pending.tokenEndpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: form.toString(),
  });
  if (!response.ok) throw await errorOf(response);
  const body = (await response.json()) as { access_token?: unknown };
  if (typeof body.access_token !== "string") throw new Error("the token endpoint answered without an access_token");
  return { session: sessionOf(body.access_token), next: pending.next };
}
