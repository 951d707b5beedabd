// The seed's model catalog demo (§5.1.5) through the UI: register a model in the catalog, find it with the query
// bar (a wrong query shows the server's error in place), deploy it from the catalog through the Create wizard and
// see it Available on its dashboard; on the way, the wizard's Explainer step adds an AnchorTabular explainer fitted
// on reference rows, which the test then asks for an explanation. axe-core on the catalog, the register dialog and
// the wizard's steps.
//
// Environment: see lib.mjs; MODEL_URI (the iris sklearn model, required), REFERENCE_URI (iris rows to fit the
// explainer on, required), EXPLAINER_CONFIG (its config as JSON text), NAMESPACE (default seldon), DEPLOYMENT
// (default iris-catalog). MODE=paging instead checks the server paging of a catalog of many models.
import { axe, base, check, report, runInBrowser, screenshot, signIn, tabTo } from "./lib.mjs";

const namespace = process.env.NAMESPACE ?? "seldon";
const name = process.env.DEPLOYMENT ?? "iris-catalog";
const modelUri = process.env.MODEL_URI;
const referenceUri = process.env.REFERENCE_URI;
const explainerConfig = process.env.EXPLAINER_CONFIG ?? "";
const LIST = "/seldon-deploy/api/v1alpha1/model/metadata";

const SCHEMA = JSON.stringify({
  requests: [
    { name: "sepal length", type: "REAL", dataType: "FLOAT" },
    { name: "sepal width", type: "REAL", dataType: "FLOAT" },
    { name: "petal length", type: "REAL", dataType: "FLOAT" },
    { name: "petal width", type: "REAL", dataType: "FLOAT" },
  ],
  responses: [{ name: "species", type: "PROBA", schema: [{ name: "setosa" }, { name: "versicolor" }, { name: "virginica" }] }],
});

async function gridRows(page) {
  return page.locator("[role=grid] [role=row][data-rowindex]").evaluateAll((rows) =>
    rows.map((row) => Array.from(row.querySelectorAll("[role=gridcell]")).map((c) => c.textContent?.trim() ?? "")),
  );
}

async function demo(page) {
  check(Boolean(modelUri), "MODEL_URI is required");
  check(Boolean(referenceUri), "REFERENCE_URI is required");
  await signIn(page, "/");
  await page.waitForURL(`**/ui/namespaces/${namespace}`);
  await page.getByRole("heading", { name: `Deployments in ${namespace}` }).waitFor();
  // 1. The catalog from the app bar, reached with the keyboard.
  await tabTo(page, "the Model catalog link", () => document.activeElement?.textContent === "Model catalog", 20);
  await page.keyboard.press("Enter");
  await page.waitForURL("**/ui/catalog");
  await page.getByRole("heading", { name: "Model catalog" }).waitFor();
  await page.getByText("The catalog is empty").waitFor();
  await screenshot(page, "catalog-empty");
  await axe(page, "catalog");

  // 2. Register the model: an invalid prediction schema is refused in place first.
  await page.getByRole("button", { name: "Register a model" }).click();
  const dialog = page.getByRole("dialog", { name: "Register a model" });
  await dialog.waitFor();
  await dialog.getByLabel("Model URI").fill(modelUri);
  await dialog.getByLabel("Name", { exact: true }).fill("iris");
  await dialog.getByLabel("Version", { exact: true }).fill("v1");
  await dialog.getByLabel("Artifact type").click();
  await page.getByRole("option", { name: "SKLEARN", exact: true }).click();
  await dialog.getByLabel("Task type").fill("classification");
  await dialog.getByLabel("Tags (key=value, one a line)").fill("author=Jon Doe\nstage=demo");
  await dialog.getByLabel("Metrics (key=number, one a line)").fill("accuracy=0.97");
  await dialog.getByLabel("Prediction schema (JSON)").fill('{"requests": [{"name": "x", "type": "TENSOR"}]}');
  await dialog.getByText("requests[0].shape: a TENSOR feature needs its shape").waitFor();
  report.schemaError = "TENSOR without shape refused";
  await dialog.getByLabel("Prediction schema (JSON)").fill(SCHEMA);
  await screenshot(page, "register");
  await axe(page, "register");
  await dialog.getByRole("button", { name: "Register" }).click();
  await dialog.waitFor({ state: "detached" });
  report.steps.push("model registered");

  // 3. Query it; then a wrong query shows the server's error under the bar.
  await page.getByRole("textbox", { name: "Query" }).fill('name=iris AND tags[author]="Jon Doe"');
  await page.getByRole("button", { name: "Search" }).click();
  await page.locator("[role=grid] [role=row][data-rowindex]").first().waitFor();
  const found = await gridRows(page);
  report.found = found;
  check(found.length === 1 && found[0].includes(modelUri), `query found ${JSON.stringify(found)}`);
  await page.getByRole("textbox", { name: "Query" }).fill("name==iris");
  await page.getByRole("button", { name: "Search" }).click();
  const error = page.locator("#catalog-query-error [role=alert]");
  await error.waitFor();
  report.queryError = (await error.textContent()) ?? "";
  await page.getByRole("button", { name: "Syntax" }).click();
  await page.getByRole("region", { name: "Query syntax" }).waitFor();
  await screenshot(page, "query-error");
  await axe(page, "catalog-error");
  await page.getByRole("textbox", { name: "Query" }).fill("name=iris");
  await page.getByRole("button", { name: "Search" }).click();
  await page.locator("[role=grid] [role=row][data-rowindex]").first().waitFor();
  report.steps.push("queried");

  // 4. Deploy it from the catalog: the wizard opens prefilled.
  await page.getByRole("button", { name: "Deploy", exact: true }).first().click();
  await page.waitForURL(`**/ui/namespaces/${namespace}/new?**`);
  await page.getByRole("heading", { name: `Create a deployment in ${namespace}` }).waitFor();
  await page.getByRole("textbox", { name: "Deployment name" }).fill(name);
  await screenshot(page, "wizard-details");
  await axe(page, "wizard");
  await page.getByRole("button", { name: "Next" }).click();
  const uri = await page.getByRole("textbox", { name: "Model URI" }).inputValue();
  check(uri === modelUri, `the wizard's model URI is ${uri}`);
  report.prefilled = uri;
  for (let i = 0; i < 5; i++) await page.getByRole("button", { name: "Next" }).click();
  // The Explainer step: off until switched on; AnchorTabular fitted on reference rows is the default.
  const step = page.getByRole("region", { name: "Explainer" });
  await step.getByLabel("Add an explainer").check(); // a switch: role checkbox or switch by MUI version
  report.wizardExplainerType = await step.getByRole("combobox", { name: "Explainer type" }).textContent();
  check(report.wizardExplainerType === "AnchorTabular", `the step's default type is ${report.wizardExplainerType}`);
  check(await step.getByRole("radio", { name: "Fit on reference data" }).isChecked(), "fitting on data is the default");
  check(!(await step.getByRole("textbox", { name: "Catalog model URI (optional)" }).count()),
        "the wizard asks for no catalog model (the deployment's own names the features)");
  await step.getByRole("textbox", { name: "Reference data URI" }).fill(referenceUri);
  await step.getByRole("textbox", { name: "Config (JSON, optional)" }).fill(explainerConfig);
  await screenshot(page, "wizard-explainer");
  await axe(page, "wizard-explainer");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("textbox", { name: "Version comment" }).fill("from the catalog");
  await page.getByRole("button", { name: "Check and review" }).click();
  const spec = page.getByLabel("Generated specification");
  await spec.waitFor();
  report.spec = JSON.parse((await spec.textContent()) ?? "{}");
  await screenshot(page, "wizard-review");
  await axe(page, "wizard-review");
  await page.getByRole("button", { name: "Launch" }).click();

  // 5. Its dashboard, until Available.
  await page.waitForURL(`**/ui/namespaces/${namespace}/seldondeployments/${name}`);
  await page.getByText("Available", { exact: true }).first().waitFor({ timeout: 150_000 });
  await screenshot(page, "dashboard");
  report.steps.push("deployed and Available");
}

async function paging(page) {
  const asked = [];
  report.requests = asked;
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname === LIST && request.method() === "GET") asked.push(Object.fromEntries(url.searchParams));
  });
  await signIn(page, "/ui/catalog");
  await page.waitForURL("**/ui/catalog");
  await page.locator("[role=grid] [role=row][data-rowindex]").first().waitFor();
  report.page1 = await gridRows(page);
  await screenshot(page, "catalog-page1");
  await page.getByRole("button", { name: "Go to next page" }).click();
  await page.waitForTimeout(2000);
  check(asked.some((r) => "pageToken" in r), `after "next page" the browser asked ${JSON.stringify(asked)}`);
  await page.waitForFunction(() => !document.querySelector("[role=progressbar]"));
  await page.locator(".MuiTablePagination-displayedRows").filter({ hasText: /^26/ }).waitFor();
  report.page2 = await gridRows(page);
  await screenshot(page, "catalog-page2");

  // Remove the first entry of page 2 with its row's Remove button, after a confirmation.
  const victim = report.page2[0][0];
  const row = page.locator("[role=grid] [role=row][data-rowindex]").filter({ hasText: victim });
  await row.getByRole("button", { name: "Remove" }).click();
  const confirm = page.getByRole("dialog", { name: `Remove ${victim} from the catalog?` });
  await confirm.waitFor();
  await screenshot(page, "remove-confirm");
  await axe(page, "remove-confirm");
  await confirm.getByRole("button", { name: "Remove" }).click();
  await page.getByText(`${victim} v1 was removed from the catalog.`).waitFor();
  report.removed = victim;
  await screenshot(page, "removed");
}

await runInBrowser(async (page) => {
  if (process.env.MODE === "paging") await paging(page);
  else await demo(page);
  check(base, "WARDEN_URL is required");
});
