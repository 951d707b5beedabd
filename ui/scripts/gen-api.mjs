// Regenerates the API types: the public OpenAPI document, exported from the gateway app in-process (no server), then
// openapi-typescript; the types' first line names the document's sha256 so a unit test can tell they are stale.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ui = fileURLToPath(new URL("..", import.meta.url));
const documentPath = `${ui}src/api/openapi.json`;
const typesPath = `${ui}src/api/schema.d.ts`;
execFileSync("uv", ["run", "--no-sync", "python", "-m", "warden_gateway.ui", "openapi", documentPath], {
  cwd: `${ui}..`,
  stdio: "inherit",
});
execFileSync("npx", ["openapi-typescript", documentPath, "-o", typesPath], { cwd: ui, stdio: "inherit" });
const sha = createHash("sha256").update(readFileSync(documentPath)).digest("hex");
writeFileSync(typesPath, `// openapi.json sha256: ${sha}\n` + readFileSync(typesPath, "utf8"));
