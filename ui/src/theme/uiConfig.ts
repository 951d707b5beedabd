// The UI's public configuration (GET {API}/ui/config, no token): how to sign in and the theme. Fetched once before
// the app renders; when it cannot be read the UI still starts, with the default theme and the password form.
import { API, errorOf, describeError, type Fetch } from "../api/client";
import type { components } from "../api/schema";

export type UiConfig = components["schemas"]["UiConfigPublic"];
export type ThemeConfig = UiConfig["theme"];

export const DEFAULT_CONFIG: UiConfig = {
  auth: { modes: ["password"], issuer: "", clientId: "warden", scopes: "openid profile", providerName: "Warden" },
  theme: { productName: "Warden", logoUrl: null, primary: null, secondary: null },
};

export interface LoadedConfig {
  config: UiConfig;
  /** Why the configuration could not be read (the defaults are then in use), or null. */
  error: string | null;
}

const COLOUR = /^#[0-9a-fA-F]{6}$/;

/** The theme with anything malformed dropped (the gateway validates too; a proxy or an old gateway may not). */
export function sanitizeTheme(raw: unknown): ThemeConfig {
  const theme = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v : null);
  const colour = (v: unknown) => (typeof v === "string" && COLOUR.test(v) ? v : null);
  const logo = text(theme.logoUrl);
  return {
    productName: text(theme.productName) ?? DEFAULT_CONFIG.theme.productName,
    // Only http(s) URLs or paths on this server: a `javascript:` or `data:` URL is not an image source to trust.
    logoUrl: logo && /^(https?:\/\/|\/)\S+$/.test(logo) ? logo : null,
    primary: colour(theme.primary),
    secondary: colour(theme.secondary),
  };
}

export function parseUiConfig(raw: unknown): UiConfig {
  if (typeof raw !== "object" || raw === null) throw new Error("the UI configuration is not a JSON object");
  const body = raw as Record<string, unknown>;
  const auth = (typeof body.auth === "object" && body.auth !== null ? body.auth : {}) as Record<string, unknown>;
  const modes = Array.isArray(auth.modes)
    ? auth.modes.filter((m): m is "password" | "redirect" => m === "password" || m === "redirect")
    : DEFAULT_CONFIG.auth.modes;
  const str = (v: unknown, fallback: string) => (typeof v === "string" && v !== "" ? v : fallback);
  return {
    auth: {
      modes,
      issuer: str(auth.issuer, ""),
      clientId: str(auth.clientId, DEFAULT_CONFIG.auth.clientId),
      scopes: str(auth.scopes, DEFAULT_CONFIG.auth.scopes),
      providerName: str(auth.providerName, str(auth.issuer, "your identity provider")),
    },
    theme: sanitizeTheme(body.theme),
  };
}

export async function loadUiConfig(fetcher: Fetch = (i, r) => fetch(i, r)): Promise<LoadedConfig> {
  try {
    const response = await fetcher(`${API}/ui/config`, { headers: { Accept: "application/json" } });
    if (!response.ok) throw await errorOf(response);
    return { config: parseUiConfig(await response.json()), error: null };
  } catch (err) {
    return { config: DEFAULT_CONFIG, error: `Could not read the UI configuration: ${describeError(err)}` };
  }
}
