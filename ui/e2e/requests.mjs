// The seed's request-log demo (§5.1.3) through the UI: on the dashboard of an income deployment with no explainer,
// "Add explainer" (keyboard) opens the dialog, where the anchors explainer is given its reference data URI and config
// and added; the Requests tab then shows the logged requests with the prediction schema's feature names; "Explain" on
// one row shows the anchor with its precision and coverage, Explain again shows the stored one at once, and Recompute
// computes a new one. Then a deployment with 10,000 logged instances: the first page loads, the
// next page works, and each page the browser asks for is one page (pageSize), never the whole log.
//
// Environment: see lib.mjs; NAMESPACE (default seldon), DEPLOYMENT (default income), BULK (default bulk),
// FEATURE (a feature name the table must show as a column header), REFERENCE_URI (the rows the explainer is fitted
// on), EXPLAINER_CONFIG (its config as JSON text).
// The explanation dialogs are also checked by the Python test against what the API stored.
import { axe, base, check, report, runInBrowser, screenshot, signIn, tabTo } from "./lib.mjs";

const namespace = process.env.NAMESPACE ?? "seldon";
const name = process.env.DEPLOYMENT ?? "income";
const bulk = process.env.BULK ?? "bulk";
const feature = process.env.FEATURE ?? "Age";
const referenceUri = process.env.REFERENCE_URI;
const explainerConfig = process.env.EXPLAINER_CONFIG ?? "";
const editedConfig = process.env.EDITED_CONFIG ?? explainerConfig;
check(Boolean(referenceUri), "REFERENCE_URI is not set");

/** Waits until the open dialog has faded in: axe measures contrast on what is drawn, half-faded text fails it. */
async function dialogShown(page) {
  await page.waitForFunction(() => {
    const c = document.querySelector(".MuiDialog-container");
    return c && getComputedStyle(c).opacity === "1";
  });
}

await runInBrowser(async (page) => {
  const searches = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname.endsWith("/requests") && url.pathname.includes("/api/v1alpha1/namespaces/")) {
      searches.push({ path: url.pathname, pageSize: url.searchParams.get("pageSize"), token: url.searchParams.get("pageToken") });
    }
  });
  const responses = [];
  page.on("response", async (response) => {
    const path = new URL(response.url()).pathname;
    if (path.endsWith("/requests") && path.includes("/api/v1alpha1/namespaces/")) responses.push(response);
  });

  // 1. The dashboard's Explainer widget: none yet; "Add explainer" reached with Tab, the dialog filled and saved.
  await signIn(page, `/ui/namespaces/${namespace}/seldondeployments/${name}`);
  const widget = page.getByRole("region", { name: "Explainer" });
  await widget.getByText("No explainer is configured.").waitFor();
  await tabTo(page, "Add explainer", () => document.activeElement?.textContent === "Add explainer", 80);
  await page.keyboard.press("Enter");
  const add = page.getByRole("dialog", { name: "Add explainer" });
  await add.waitFor();
  await dialogShown(page);
  report.explainerType = await add.getByRole("combobox", { name: "Explainer type" }).textContent();
  check(report.explainerType === "AnchorTabular", `the dialog's default type is ${report.explainerType}`);
  await add.getByRole("textbox", { name: "Reference data URI" }).fill(referenceUri);
  // Prefilled with the deployment's model: its catalog prediction schema names the features of the explanations.
  report.catalogModelUri = await add.getByRole("textbox", { name: "Catalog model URI (optional)" }).inputValue();
  // A config that is not JSON is refused in words before anything is sent.
  await add.getByRole("textbox", { name: "Config (JSON, optional)" }).fill("{coverage_samples: 500}");
  await add.getByRole("button", { name: "Add explainer" }).click();
  report.configError = await add.getByRole("alert").textContent();
  check(/config is not valid JSON/.test(report.configError ?? ""), `config error: ${report.configError}`);
  await add.getByRole("textbox", { name: "Config (JSON, optional)" }).fill(explainerConfig);
  await screenshot(page, "add-explainer");
  await axe(page, "add-explainer");
  await add.getByRole("button", { name: "Add explainer" }).click();
  await add.waitFor({ state: "detached", timeout: 60_000 });
  await widget.getByText("The explainer was added.").waitFor();
  report.explainerState = await widget.getByTestId("explainer-state").textContent();
  check(report.explainerState === "Configured: AnchorTabular", `the widget says ${report.explainerState}`);
  await screenshot(page, "explainer-added");
  report.steps.push("explainer added through the UI");

  // Edit: the dialog shows what is stored; a new config is saved. Remove asks first (cancelled here: the
  // explainer is used below).
  await widget.getByRole("button", { name: "Edit explainer" }).click();
  const edit = page.getByRole("dialog", { name: "Edit explainer" });
  await edit.waitFor();
  report.editShown = {
    reference: await edit.getByRole("textbox", { name: "Reference data URI" }).inputValue(),
    config: JSON.parse(await edit.getByRole("textbox", { name: "Config (JSON, optional)" }).inputValue()),
  };
  await edit.getByRole("textbox", { name: "Config (JSON, optional)" }).fill(editedConfig);
  await edit.getByRole("button", { name: "Save explainer" }).click();
  await edit.waitFor({ state: "detached", timeout: 60_000 });
  await widget.getByText("The explainer was saved.").waitFor();
  await widget.getByRole("button", { name: "Remove explainer" }).click();
  const confirm = page.getByRole("dialog", { name: "Remove the explainer?" });
  await confirm.waitFor();
  await dialogShown(page);
  await screenshot(page, "remove-explainer");
  await axe(page, "remove-explainer");
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await confirm.waitFor({ state: "detached" });
  report.steps.push("explainer edited; removal asked and cancelled");

  // 2. The Requests tab of income, reached from the tab bar.
  await page.getByRole("tab", { name: "Requests" }).click();
  await page.waitForURL(`**/seldondeployments/${name}/requests`);
  const grid = page.getByRole("grid", { name: "Logged requests" });
  await grid.getByRole("columnheader", { name: feature, exact: true }).waitFor();
  report.headers = await grid.getByRole("columnheader").allTextContents();
  report.rows = await grid.getByRole("row").count();
  await screenshot(page, "requests");
  await axe(page, "requests");
  report.steps.push("requests listed with feature names");

  // 3. The grid is reachable with Tab (MUI's grid then moves between cells with the arrow keys); explain the
  // newest request: the anchor, its precision and coverage.
  await tabTo(page, "the requests grid", () => Boolean(document.activeElement?.closest("[role=grid]")), 80);
  const explain = grid.getByRole("button", { name: /^Explain request / }).first();
  report.explainedRequest = (await explain.getAttribute("aria-label"))?.replace("Explain request ", "");
  await explain.click();
  const dialog = page.getByRole("dialog", { name: /^Explanation of request/ });
  await dialog.waitFor();
  await dialog.getByTestId("anchor-rules").waitFor({ timeout: 120_000 });
  await dialogShown(page);
  report.anchor = await dialog.getByTestId("anchor-rules").locator("li").allTextContents();
  report.precision = await dialog.getByTestId("anchor-precision").textContent();
  report.coverage = await dialog.getByTestId("anchor-coverage").textContent();
  await screenshot(page, "explanation");
  await axe(page, "explanation");
  report.firstSource = await dialog.getByTestId("explanation-source").textContent();
  await dialog.getByRole("button", { name: "Close" }).click();
  await dialog.waitFor({ state: "detached" });
  report.steps.push("anchor shown");

  // 4. Explain the same request again: the stored explanation is shown at once, not computed anew.
  await explain.click();
  await dialog.getByTestId("anchor-rules").waitFor({ timeout: 20_000 });
  await dialogShown(page);
  report.againSource = await dialog.getByTestId("explanation-source").textContent();
  report.againAnchor = await dialog.getByTestId("anchor-rules").locator("li").allTextContents();
  check(/^Stored explanation, computed /.test(report.againSource ?? ""), `explained again: ${report.againSource}`);
  await screenshot(page, "explanation-stored");
  report.steps.push("stored explanation shown again");

  // Recompute: a new explanation is computed and shown.
  await dialog.getByRole("button", { name: "Recompute" }).click();
  await dialog.getByText("Computed just now.").waitFor({ timeout: 120_000 });
  report.recomputedAnchor = await dialog.getByTestId("anchor-rules").locator("li").allTextContents();
  await dialog.getByRole("button", { name: "Close" }).click();
  report.steps.push("recomputed");

  // 5. Server paging over 10,000 logged instances: one page per request, the next page by its token.
  searches.length = 0;
  responses.length = 0;
  await page.goto(`${base}/ui/namespaces/${namespace}/seldondeployments/${bulk}/requests`);
  const bulkGrid = page.getByRole("grid", { name: "Logged requests" });
  await page.getByText(/^1.25 of 10,?000$/).waitFor();
  const firstCell = async () => (await bulkGrid.getByRole("row").nth(1).textContent()) ?? "";
  const first = await firstCell();
  await screenshot(page, "bulk-page-1");
  await page.getByRole("button", { name: "Go to next page" }).click();
  await page.getByText(/^26.50 of 10,?000$/).waitFor();
  await page.waitForFunction((before) => {
    const row = document.querySelectorAll("[role=grid] [role=row]")[1];
    return row && row.textContent !== before;
  }, first);
  await screenshot(page, "bulk-page-2");
  report.bulkSearches = searches;
  report.bulkPageRows = [];
  for (const r of responses) report.bulkPageRows.push(((await r.json()).requests ?? []).length);
  check(searches.length >= 2 && searches.every((s) => s.pageSize === "25"), `searches: ${JSON.stringify(searches)}`);
  check(Boolean(searches[searches.length - 1].token), "the next page was not asked for by its token");
  report.steps.push("bulk paged on the server");
});
