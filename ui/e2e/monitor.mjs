// Monitoring through the UI (seed §4.1, §4.1.4.2, "make a prediction"), in Debian's chromium driven by playwright-core:
// the dashboard's widgets, a prediction (response shown, curl), a load test with its results and a second one deleted,
// then the Monitor tab with default and canary request metrics side by side and a feature distribution.
// axe-core runs on the dashboard, Predict, Load tests and Monitor screens.
//
// Environment: see lib.mjs; DEPLOYMENT (default iris), NAMESPACE (default seldon). The deployment must have a canary.
import { axe, check, report, runInBrowser, screenshot, signIn, tabTo } from "./lib.mjs";

const namespace = process.env.NAMESPACE ?? "seldon";
const name = process.env.DEPLOYMENT ?? "iris";
const root = `/ui/namespaces/${namespace}/seldondeployments/${name}`;
const LOAD_REQUESTS = 200;

const cells = (row) => row.locator("td").evaluateAll((tds) => tds.map((td) => td.textContent?.trim() ?? ""));

await runInBrowser(async (page) => {
  // 1. The dashboard's widgets; "Make a prediction" is reachable with the keyboard.
  await signIn(page, root);
  await page.waitForURL(`**${root}`);
  await page.getByRole("region", { name: "Detectors" }).getByText("Outlier detector:").waitFor();
  await page.getByRole("region", { name: "Explainer" }).getByText("No explainer is configured.").waitFor();
  await screenshot(page, "dashboard");
  await axe(page, "dashboard");
  await tabTo(page, "Make a prediction", () => document.activeElement?.textContent === "Make a prediction", 60);
  await page.keyboard.press("Enter");
  report.steps.push("dashboard widgets shown; Make a prediction reached with Tab");

  // 2. Predict: the sample payload, an invalid edit said in words, the model's response, the curl command.
  await page.waitForURL(`**${root}/predict`);
  const editor = page.getByRole("textbox", { name: "Prediction payload (JSON)" });
  await editor.waitFor();
  const sample = await editor.inputValue();
  check(sample.includes("ndarray"), `the sample payload is not a Seldon one: ${sample}`);
  await editor.fill('{"data": {"ndarray": [[5.1, 3.5');
  await page.getByText("is not valid JSON").waitFor();
  check(await page.getByRole("button", { name: "Predict", exact: true }).isDisabled(), "Predict is enabled on bad JSON");
  await editor.fill('{"data": {"ndarray": [[6.4, 3.2, 4.5, 1.5]]}}');
  await page.getByRole("button", { name: "Predict", exact: true }).click();
  const response = page.getByLabel("Prediction response");
  await response.waitFor();
  report.prediction = JSON.parse((await response.textContent()) ?? "null");
  await page.getByRole("button", { name: "Copy as curl" }).click();
  report.curl = (await page.getByLabel("curl command").textContent()) ?? "";
  await screenshot(page, "predict");
  await axe(page, "predict");
  report.steps.push("prediction answered in the UI");

  // 3. Load tests: one of LOAD_REQUESTS requests with its results; a second one started and deleted.
  await page.getByRole("tab", { name: "Load tests" }).click();
  await page.waitForURL(`**${root}/loadtests`);
  await page.getByText("No load test has been run on this deployment.").waitFor();
  await page.getByRole("textbox", { name: "Payload (JSON)" }).waitFor();
  await page.getByLabel("Connections").fill("2");
  await page.getByLabel("Requests").fill(String(LOAD_REQUESTS));
  await page.getByRole("button", { name: "Start load test" }).click();
  const started = (await page.getByText(/^Load test \S+ started\.$/).textContent()) ?? "";
  const job = started.split(" ")[2];
  const row = page.locator(`table[aria-label='Load test jobs'] tr[data-job='${job}']`);
  await row.and(page.locator("[data-status=Succeeded]")).waitFor({ timeout: 90_000 });
  report.loadTest = { job, row: await cells(row), requests: await row.locator("[data-field=requests]").textContent() };
  await screenshot(page, "loadtest-results");
  await axe(page, "loadtests");

  await page.getByLabel("Run for").click();
  await page.getByRole("option", { name: "a duration" }).click();
  await page.getByLabel("Duration (seconds)").fill("2");
  await page.getByRole("button", { name: "Start load test" }).click();
  const second = ((await page.getByText(/^Load test \S+ started\.$/).textContent()) ?? "").split(" ")[2];
  check(second && second !== job, `the second load test has no name of its own: ${second}`);
  await page.getByRole("button", { name: `Delete ${second}` }).click();
  const confirm = page.getByRole("dialog", { name: `Delete load test ${second}?` });
  await confirm.getByRole("button", { name: "Delete" }).click();
  await page.getByText(`Load test ${second} deleted.`).waitFor();
  await page.locator(`tr[data-job='${second}']`).waitFor({ state: "detached" });
  report.deleted = second;
  report.steps.push("load test results shown; a second load test deleted");

  // 4. Monitor: default and canary side by side (the rollups are written every 10 s: refresh until they show the
  //    load test's requests).
  await page.getByRole("tab", { name: "Monitor" }).click();
  await page.waitForURL(`**${root}/monitor`);
  const table = page.locator("table[aria-label='Request metrics per predictor']");
  const deadline = Date.now() + 90_000;
  let rows = [];
  for (;;) {
    await page.getByRole("heading", { name: "Requests", exact: true }).waitFor();
    await page.getByRole("progressbar", { name: "Loading the request metrics" }).waitFor({ state: "detached" });
    rows = (await table.count()) ? await table.locator("tbody tr").evaluateAll((trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent?.trim() ?? "")),
    ) : [];
    // Both predictors, and the load test's requests counted (the prediction made above comes on top).
    const shown = rows.reduce((sum, r) => sum + Number((r[1] ?? "0").replaceAll(",", "")), 0);
    if ((rows.length >= 2 && shown > LOAD_REQUESTS) || Date.now() > deadline) break;
    await page.waitForTimeout(3000);
    await page.getByRole("button", { name: "Refresh" }).click();
  }
  report.requestMetrics = rows;
  check(rows.some((r) => r[0] === "default") && rows.some((r) => r[0] === "canary"), `rows: ${JSON.stringify(rows)}`);
  await page.getByRole("button", { name: "Show distribution" }).click();
  const stats = page.getByLabel("Feature statistics");
  await stats.waitFor();
  report.distribution = (await stats.textContent()) ?? "";
  await page.locator("figure[aria-label^='Histogram of'] svg").first().waitFor();
  await screenshot(page, "monitor");
  await axe(page, "monitor");
  report.steps.push("monitor shows default and canary and a feature distribution");
});
