import { describe, expect, it } from "vitest";
import { base64Url, randomToken, s256Challenge } from "./pkce";

describe("pkce", () => {
  it("computes RFC 7636 appendix B's S256 challenge", async () => {
    expect(await s256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });

  it("refuses a verifier shorter than 43 characters or with other characters", async () => {
    await expect(s256Challenge("short")).rejects.toThrow(/43 to 128/);
    await expect(s256Challenge("a".repeat(42) + "+")).rejects.toThrow(/43 to 128/);
  });

  it("encodes base64url without padding", () => {
    expect(base64Url(new Uint8Array([0xfb, 0xff]))).toBe("-_8");
  });

  it("makes 43-character random tokens that differ", () => {
    const a = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken()).not.toBe(a);
  });
});
