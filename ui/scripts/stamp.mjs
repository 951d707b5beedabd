// Writes the build stamp next to the build: sha256 over (relative path, sha256 of content) of the UI's sources and
// lockfile, in a fixed order — the same as warden_gateway.ui.build_stamp, which a unit test recomputes.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ui = fileURLToPath(new URL("..", import.meta.url));
const STAMPED = ["index.html", "package.json", "package-lock.json", "tsconfig.json", "vite.config.ts"];
const out = join(ui, "..", "services", "gateway", "src", "warden_gateway", "ui_dist", "build-stamp.txt");

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const posix = (path) => relative(ui, path).split(sep).join("/");
// Ordered by the relative posix path compared as a string (code points), as warden_gateway.ui orders them.
const sources = walk(join(ui, "src")).sort((a, b) => (posix(a) < posix(b) ? -1 : posix(a) > posix(b) ? 1 : 0));
const digest = createHash("sha256");
for (const path of [...STAMPED.map((name) => join(ui, name)), ...sources]) {
  const content = createHash("sha256").update(readFileSync(path)).digest("hex");
  digest.update(`${posix(path)}\0${content}\n`);
}
writeFileSync(out, digest.digest("hex") + "\n");
console.log(`build stamp written to ${posix(out)}`);
