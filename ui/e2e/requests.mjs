// The seed's request-log demo (§5.1.3) through the UI: the Requests tab of an income deployment with an anchors
// explainer shows the logged requests with the prediction schema's feature names; "Explain" on one row shows the
// anchor with its precision and coverage. Then a deployment with 10,000 logged instances: the first page loads, the
// next page works, and each page the browser asks for is one page (pageSize), never the whole log.
//
// Environment: see lib.mjs; NAMESPACE (default seldon), DEPLOYMENT (default income), BULK (default bulk),
// FEATURE (a feature name the table must show as a column header).
import { axe, base, check, report, runInBrowser, screenshot, signIn, tabTo } from "./lib.mjs";

const namespace = process.env.NAMESPACE ?? "seldon";
const name = process.env.DEPLOYMENT ?? "income";
const bulk = process.env.BULK ?? "bulk";
const feature = process.env.FEATURE ?? "Age";

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

  // 1. The Requests tab of income, reached from the tab bar.
  await signIn(page, `/ui/namespaces/${namespace}/seldondeployments/${name}`);
  await page.getByRole("tab", { name: "Requests" }).click();
  await page.waitForURL(`**/seldondeployments/${name}/requests`);
  const grid = page.getByRole("grid", { name: "Logged requests" });
  await grid.getByRole("columnheader", { name: feature, exact: true }).waitFor();
  report.headers = await grid.getByRole("columnheader").allTextContents();
  report.rows = await grid.getByRole("row").count();
  await screenshot(page, "requests");
  await axe(page, "requests");
  report.steps.push("requests listed with feature names");

  // 2. The grid is reachable with Tab (MUI's grid then moves between cells with the arrow keys); explain the
  // newest request: the anchor, its precision and coverage.
  await tabTo(page, "the requests grid", () => Boolean(document.activeElement?.closest("[role=grid]")), 80);
  const explain = grid.getByRole("button", { name: /^Explain request / }).first();
  report.explainedRequest = (await explain.getAttribute("aria-label"))?.replace("Explain request ", "");
  await explain.click();
  const dialog = page.getByRole("dialog", { name: /^Explanation of request/ });
  await dialog.waitFor();
  await dialog.getByTestId("anchor-rules").waitFor({ timeout: 120_000 });
  report.anchor = await dialog.getByTestId("anchor-rules").locator("li").allTextContents();
  report.precision = await dialog.getByTestId("anchor-precision").textContent();
  report.coverage = await dialog.getByTestId("anchor-coverage").textContent();
  await screenshot(page, "explanation");
  await axe(page, "explanation");
  await dialog.getByRole("button", { name: "Close" }).click();
  report.steps.push("anchor shown");

  // 3. Server paging over 10,000 logged instances: one page per request, the next page by its token.
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
