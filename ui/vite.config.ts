/// <reference types="vitest/config" />
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev` proxies the API to a running `warden up` (WARDEN_URL, default http://127.0.0.1:8080).
const warden = process.env.WARDEN_URL ?? "http://127.0.0.1:8080";
const proxied = ["/seldon-deploy", "/seldon", "/oauth2", "/.well-known"];

// React and the router in chunks of their own: they change far less often than Warden's screens, so browsers keep
// them cached across UI releases, and the shell's chunk stays under Vite's 500 kB warning. MUI is not split out: a
// chunk of it would pull the components only lazy screens use into the first download.
const VENDOR_CHUNKS: [RegExp, string][] = [
  [/\/node_modules\/(react|react-dom|scheduler)\//, "react"],
  [/\/node_modules\/react-router\//, "router"],
];

const openapi = JSON.parse(readFileSync(new URL("./src/api/openapi.json", import.meta.url), "utf8"));

export default defineConfig({
  plugins: [react()],
  define: { __WARDEN_VERSION__: JSON.stringify(openapi.info.version) },
  base: "/",
  build: {
    // Committed inside the gateway package: `warden up` serves the UI with no Node.js on the user's machine.
    outDir: fileURLToPath(new URL("../services/gateway/src/warden_gateway/ui_dist", import.meta.url)),
    emptyOutDir: true,
    rollupOptions: {
      output: {
        manualChunks: (id: string) => VENDOR_CHUNKS.find(([pattern]) => pattern.test(id))?.[1],
      },
    },
  },
  server: { proxy: Object.fromEntries(proxied.map((prefix) => [prefix, { target: warden, changeOrigin: true }])) },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
