// PKCE (RFC 7636) for the redirect sign-in: a random verifier kept in the tab, and its S256 challenge sent to the
// provider. The browser's Web Crypto makes the randomness and the SHA-256; nothing here is hand-made crypto.

/** RFC 4648 5: base64url without padding. */
export function base64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** `size` random bytes as base64url: 32 bytes give 43 characters, RFC 7636 4.1's minimum verifier length. */
export function randomToken(size = 32, random: (a: Uint8Array) => Uint8Array = (a) => crypto.getRandomValues(a)): string {
  return base64Url(random(new Uint8Array(size)));
}

/** RFC 7636 4.2: code_challenge = BASE64URL(SHA256(ASCII(code_verifier))). */
export async function s256Challenge(verifier: string): Promise<string> {
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) {
    throw new Error("a PKCE code verifier is 43 to 128 characters of A-Z a-z 0-9 - . _ ~");
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}
