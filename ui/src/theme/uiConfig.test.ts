import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, loadUiConfig, parseUiConfig, sanitizeTheme } from "./uiConfig";
import { themeOf, DEFAULT_PRIMARY } from "./theme";

describe("ui config", () => {
  it("keeps a valid theme and drops malformed colours and unsafe logo URLs", () => {
    expect(sanitizeTheme({ productName: "Acme ML", logoUrl: "/logo.svg", primary: "#004d40", secondary: "red" })).toEqual(
      { productName: "Acme ML", logoUrl: "/logo.svg", primary: "#004d40", secondary: null },
    );
    expect(sanitizeTheme({ logoUrl: "javascript:alert(1)", primary: "#12345" })).toEqual(DEFAULT_CONFIG.theme);
  });

  it("reads the sign-in modes, ignoring unknown ones", () => {
    const config = parseUiConfig({
      auth: { modes: ["redirect", "magic"], issuer: "https://idp", clientId: "ui", scopes: "openid", providerName: "IdP" },
      theme: {},
    });
    expect(config.auth).toEqual({
      modes: ["redirect"],
      issuer: "https://idp",
      clientId: "ui",
      scopes: "openid",
      providerName: "IdP",
    });
    expect(() => parseUiConfig("nope")).toThrow(/not a JSON object/);
  });

  it("falls back to the defaults and says why when the route fails", async () => {
    const failing = async () => new Response(JSON.stringify({ code: 500, reason: "x", message: "boom" }), { status: 500 });
    const loaded = await loadUiConfig(failing);
    expect(loaded.config).toEqual(DEFAULT_CONFIG);
    expect(loaded.error).toMatch(/Could not read the UI configuration: boom/);
  });

  it("applies the configured primary colour, else Warden's", () => {
    expect(themeOf({ ...DEFAULT_CONFIG.theme, primary: "#004d40" }).palette.primary.main).toBe("#004d40");
    expect(themeOf(DEFAULT_CONFIG.theme).palette.primary.main).toBe(DEFAULT_PRIMARY);
  });
});
