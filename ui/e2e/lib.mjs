// What every browser test of the UI shares: Debian's chromium driven by playwright-core at 1280x768, screenshots,
// axe-core (no serious/critical violation allowed), keyboard reachability, sign-in, and one JSON report line.
//
// Environment: WARDEN_URL, WARDEN_USER, WARDEN_PASSWORD, WARDEN_UI_ARTIFACTS (screenshots go there),
// CHROMIUM (default: `chromium` on PATH). A script prints one JSON line with what it saw; exit 1 on failure.
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const base = process.env.WARDEN_URL;
export const user = process.env.WARDEN_USER;
export const password = process.env.WARDEN_PASSWORD;
if (!base || !user || !password) throw new Error("set WARDEN_URL, WARDEN_USER and WARDEN_PASSWORD");
export const artifacts = process.env.WARDEN_UI_ARTIFACTS ?? mkdtempSync(join(tmpdir(), "warden-ui-"));
mkdirSync(artifacts, { recursive: true });

/** What the script saw; printed as one JSON line at the end, whatever happens. */
export const report = { artifacts, screenshots: [], axe: {}, steps: [] };
let shot = 0;

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

export async function screenshot(page, label) {
  const file = join(artifacts, `${String(++shot).padStart(2, "0")}-${label}.png`);
  await page.screenshot({ path: file, fullPage: true });
  report.screenshots.push(file);
}

/**
 * Waits until the page is still: no finite transition running and no menu or listbox in the DOM. A closing menu is
 * aria-hidden at once (so role locators no longer see it) but fades out for a while; axe would measure the fading
 * text's contrast. Endless animations (progress spinners) are left alone.
 */
export async function settle(page) {
  await page.waitForFunction(
    () =>
      document.getAnimations().every((a) => a.playState !== "running" || a.effect?.getTiming().iterations === Infinity) &&
      !document.querySelector("[role=listbox], [role=menu]"),
    null,
    { timeout: 10_000 },
  );
}

/** Runs axe-core on the still page; fails on any serious or critical violation. */
export async function axe(page, screen) {
  await settle(page);
  await page.addScriptTag({ content: AXE_SOURCE });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const found = await window.axe.run(document, { resultTypes: ["violations"] });
    return found.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary ?? ""}`),
    }));
  });
  report.axe[screen] = result;
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  check(bad.length === 0, `axe-core on ${screen}: ${JSON.stringify(bad)}`);
}

/** Presses Tab until the focused element matches `test` (at most `limit` times): the element is keyboard-reachable. */
export async function tabTo(page, description, test, limit = 40, arg = null) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(test, arg)) return i + 1;
  }
  throw new Error(`${description} cannot be reached with Tab`);
}

/** Signs in through the sign-in form (mouse), optionally going to `next` (a /ui/... path) afterwards. */
export async function signIn(page, next = "/") {
  await page.goto(base + next);
  await page.waitForURL("**/ui/signin**");
  await page.getByLabel("User name").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/ui/signin"));
}

/**
 * Runs `steps(page, context)` in a fresh chromium profile; page errors fail the run; prints the report line.
 * On failure a screenshot `failure.png` is kept and the process exits with 1.
 */
export async function runInBrowser(steps) {
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "warden-chromium-")), {
    executablePath: process.env.CHROMIUM ?? "chromium",
    args: FLAGS,
    headless: true,
    viewport: { width: 1280, height: 768 },
  });
  let page;
  try {
    page = context.pages()[0] ?? (await context.newPage());
    const pageErrors = [];
    page.on("pageerror", (error) => pageErrors.push(String(error)));
    await steps(page, context);
    check(pageErrors.length === 0, `page errors: ${pageErrors.join("; ")}`);
    console.log(JSON.stringify(report));
  } catch (error) {
    if (page) await page.screenshot({ path: join(artifacts, "failure.png"), fullPage: true }).catch(() => {});
    report.error = String(error?.stack ?? error);
    console.log(JSON.stringify(report));
    process.exitCode = 1;
  } finally {
    await context.close();
  }
}
