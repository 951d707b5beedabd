/// <reference types="vitest/config" />
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev` proxies the API to a running `warden up` (WARDEN_URL, default http://127.0.0.1:8080).
const warden = process.env.WARDEN_URL ?? "http://127.0.0.1:8080";
const proxied = ["/seldon-deploy", "/seldon", "/oauth2", "/.well-known"];

const openapi = JSON.parse(readFileSync(new URL("./src/api/openapi.json", import.meta.url), "utf8"));

export default defineConfig({
  plugins: [react()],
  define: { __WARDEN_VERSION__: JSON.stringify(openapi.info.version) },
  base: "/",
  build: {
    // Committed inside the gateway package: `warden up` serves the UI with no Node.js on the user's machine.
    outDir: fileURLToPath(new URL("../services/gateway/src/warden_gateway/ui_dist", import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: { proxy: Object.fromEntries(proxied.map((prefix) => [prefix, { target: warden, changeOrigin: true }])) },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
