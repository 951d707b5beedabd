// Detectors configured through the UI (seed §5.1.6 outlier detector, §5.1.7 "add a drift detector by clicking the
// Create button within the Drift Detection widget", §5.1.8 metrics server; chapter 4.1's outlier and drift screens),
// in Debian's chromium driven by playwright-core:
// 1. the dashboard's Detectors widget: Create reached with Tab; an outlier detector (a client-side check and the
//    server's refusal of a second one of the same name shown in words) and a drift detector created;
// 2. the Monitor's Detectors panel: a metrics server created; all three Loaded;
// 3. once the test has sent its traffic and feedback (it writes TRAFFIC_DONE), the outlier timeline, the drift
//    timeline and the accuracy metrics as shown are reported for the test to check against the API;
// 4. the outlier detector removed after a confirmation.
// axe-core runs on the dashboard, each dialog and the Monitor.
//
// Environment: see lib.mjs; REFERENCE (reference data the detectors are fitted on, a path the server reads),
// TRAFFIC_DONE (a file the test writes when its traffic is counted: "ok" or why it failed), DEPLOYMENT (default
// iris), NAMESPACE (default seldon).
import { existsSync, readFileSync } from "node:fs";
import { axe, check, report, runInBrowser, screenshot, signIn, tabTo } from "./lib.mjs";

const namespace = process.env.NAMESPACE ?? "seldon";
const name = process.env.DEPLOYMENT ?? "iris";
const reference = process.env.REFERENCE;
const trafficDone = process.env.TRAFFIC_DONE;
if (!reference || !trafficDone) throw new Error("set REFERENCE and TRAFFIC_DONE");
const root = `/ui/namespaces/${namespace}/seldondeployments/${name}`;
const [OUTLIER, DRIFT, METRICS] = [`${name}-outlier`, `${name}-drift`, `${name}-metrics`];
const LOADED_WITHIN_MS = 240_000; // a process's first detector imports alibi-detect (iris_demo.LOADED_WITHIN_S)
const TRAFFIC_WITHIN_MS = 300_000;

/** A select of a dialog set to `option`; the menu is gone before anything else (axe must not see it fading). */
async function choose(page, dialog, label, option) {
  await dialog.getByLabel(label).click();
  await page.getByRole("option", { name: option, exact: true }).click();
  await page.getByRole("listbox").waitFor({ state: "detached" });
}

/** axe on a dialog once its fade-in is over: half-transparent buttons would fail color-contrast. */
async function axeDialog(page, screen) {
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getComputedTiming().iterations !== Infinity) // not the spinners
        .map((a) => a.finished.catch(() => undefined)), // a cancelled one is over too
    ),
  );
  await axe(page, screen);
}

await runInBrowser(async (page) => {
  // 1. Dashboard: the Detectors widget; its first Create button is reachable with the keyboard.
  await signIn(page, root);
  await page.waitForURL(`**${root}`);
  const widget = page.getByRole("region", { name: "Detectors" });
  await widget.locator("[data-kind='outlier-detector']").getByText("none").waitFor();
  await screenshot(page, "dashboard");
  await axe(page, "dashboard");
  await tabTo(page, "Create outlier detector", () => document.activeElement?.getAttribute("aria-label") === "Create outlier detector", 80);
  await page.keyboard.press("Enter");
  const outlierDialog = page.getByRole("dialog", { name: "Create an outlier detector" });
  await outlierDialog.waitFor();
  check((await outlierDialog.getByLabel("Detector name").inputValue()) === OUTLIER, "the name is not defaulted");
  check(
    (await outlierDialog.getByLabel("Reply URL").inputValue()) === "http://seldon-request-logger.seldon-logs",
    "the reply URL is not the request logger's",
  );
  // Client-side check: no saved detector and no reference data.
  await outlierDialog.getByRole("button", { name: "Create outlier detector" }).click();
  await outlierDialog.getByText("Some fields need a change").waitFor();
  await outlierDialog.getByText("Give a saved detector (storage URI) or reference data").first().waitFor();
  await outlierDialog.getByLabel("Reference data URI").fill(reference);
  await outlierDialog.getByLabel("Threshold percentile").fill("99");
  await screenshot(page, "create-outlier");
  await axeDialog(page, "create-outlier-dialog");
  await outlierDialog.getByRole("button", { name: "Create outlier detector" }).click();
  await widget.getByText(`Outlier detector ${OUTLIER} created.`).waitFor();
  await outlierDialog.waitFor({ state: "detached" });
  await widget.getByText(`${OUTLIER}: Loading`).or(widget.getByText(`${OUTLIER}: Loaded`)).waitFor();
  report.steps.push("outlier detector created from the dashboard (Create reached with Tab)");

  // The server's refusal in words: a second outlier detector of the same name.
  await widget.getByRole("button", { name: "Create outlier detector" }).click();
  await outlierDialog.waitFor();
  await outlierDialog.getByLabel("Reference data URI").fill(reference);
  await outlierDialog.getByRole("button", { name: "Create outlier detector" }).click();
  const refusal = outlierDialog.getByRole("alert");
  await refusal.getByText("already exists").waitFor();
  report.serverError = (await refusal.textContent()) ?? "";
  await outlierDialog.getByRole("button", { name: "Cancel" }).click();
  await outlierDialog.waitFor({ state: "detached" });
  report.steps.push("a duplicate refused by the server, said in the dialog");

  // A drift detector from the widget (the seed's §5.1.7 path).
  await widget.getByRole("button", { name: "Create drift detector" }).click();
  const driftDialog = page.getByRole("dialog", { name: "Create a drift detector" });
  await driftDialog.waitFor();
  check((await driftDialog.getByLabel("Batch size").inputValue()) === "20", "the batch size is not defaulted");
  check((await driftDialog.getByLabel("p-value threshold").inputValue()) === "0.05", "the p-value is not defaulted");
  await driftDialog.getByLabel("Reference data URI").fill(reference);
  await driftDialog.getByLabel("Batch size").fill("1");
  await driftDialog.getByRole("button", { name: "Create drift detector" }).click();
  await driftDialog.getByText("A whole number of rows, at least 2.").waitFor();
  await driftDialog.getByLabel("Batch size").fill("20");
  await axeDialog(page, "create-drift-dialog");
  await driftDialog.getByRole("button", { name: "Create drift detector" }).click();
  await widget.getByText(`Drift detector ${DRIFT} created.`).waitFor();
  await widget.locator("[data-kind='drift-detector']").getByText(DRIFT).waitFor();
  await screenshot(page, "dashboard-created");
  report.steps.push("drift detector created from the dashboard");

  // 2. Monitor: a metrics server from the Detectors panel.
  await page.getByRole("tab", { name: "Monitor" }).click();
  await page.waitForURL(`**${root}/monitor`);
  const panel = page.getByRole("region", { name: "Detectors" });
  await panel.getByRole("button", { name: "Create metrics server" }).click();
  const metricsDialog = page.getByRole("dialog", { name: "Create a metrics server" });
  await metricsDialog.waitFor();
  check((await metricsDialog.getByLabel("Protocol").textContent())?.includes("seldonfeedback.http"), "protocol");
  await choose(page, metricsDialog, "Metrics model", "multiclass_onehot");
  await metricsDialog.getByLabel("Number of classes").fill("3");
  await screenshot(page, "create-metrics");
  await axeDialog(page, "create-metrics-dialog");
  await metricsDialog.getByRole("button", { name: "Create metrics server" }).click();
  await panel.getByText(`Metrics server ${METRICS} created.`).waitFor();
  report.steps.push("metrics server created from the Monitor");

  // All three Loaded: the panel reads their states again while one is Loading (no reload).
  const box = (detector) => panel.locator(`[data-detector='${detector}']`);
  for (const detector of [OUTLIER, DRIFT, METRICS]) {
    await box(detector).locator(".MuiChip-label", { hasText: /^(Loaded|Failed)$/ }).waitFor({ timeout: LOADED_WITHIN_MS });
    const state = await box(detector).locator(".MuiChip-label").textContent();
    check(state === "Loaded", `${detector} is ${state}: ${await box(detector).textContent()}`);
  }
  report.steps.push("all three detectors Loaded");

  // 3. The test sends predictions, drifted batches and feedback; then the Monitor shows their results.
  const trafficBy = Date.now() + TRAFFIC_WITHIN_MS;
  while (!existsSync(trafficDone)) {
    check(Date.now() < trafficBy, "the test's traffic was not done in time");
    await page.waitForTimeout(1000);
  }
  const done = readFileSync(trafficDone, "utf8");
  check(done === "ok", `the test's traffic failed: ${done}`);
  await page.reload();
  const outlierFigure = box(OUTLIER).locator("figure");
  await outlierFigure.locator("svg").first().waitFor();
  const driftSummary = box(DRIFT).getByText(/^\d+ windows, \d+ with drift; latest: /);
  await driftSummary.waitFor();
  await box(DRIFT).locator("figure svg").first().waitFor();
  const accuracy = box(METRICS).locator("table[aria-label='Accuracy metrics']");
  await accuracy.waitFor();
  report.outliers = (await outlierFigure.locator("figcaption").textContent()) ?? "";
  report.drift = (await driftSummary.textContent()) ?? "";
  report.accuracy = await accuracy.locator("tr").evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll("td, th")).map((td) => td.textContent?.trim() ?? "")),
  );
  await screenshot(page, "monitor");
  await axe(page, "monitor");
  report.steps.push("outlier timeline, drift timeline and accuracy shown");

  // 4. Remove the outlier detector after a confirmation.
  await box(OUTLIER).getByRole("button", { name: `Remove ${OUTLIER}` }).click();
  const confirm = page.getByRole("dialog", { name: `Remove outlier detector ${OUTLIER}?` });
  await confirm.waitFor();
  await axeDialog(page, "remove-dialog");
  await confirm.getByRole("button", { name: "Remove", exact: true }).click();
  await panel.getByText(`Outlier detector ${OUTLIER} removed.`).waitFor();
  await box(OUTLIER).waitFor({ state: "detached" });
  report.removed = OUTLIER;
  report.steps.push("outlier detector removed");
});
