// Operations screens of one deployment through the UI: add a canary with the dashboard's dialog (a bad form is
// refused in words first), the Resources tab (processes and their output), the Audit tab (commits, a side-by-side
// diff, restore to an earlier commit with confirmation), Usage from the app bar, a batch
// job (BATCH_INPUT / BATCH_OUTPUT: local files) created from the Batch jobs tab. axe-core on each screen, screenshots of each step.
//
// Environment: see lib.mjs; DEPLOYMENT (default iris), NAMESPACE (default seldon), CANARY_URI (the canary's model,
// required), CANARY_IMPLEMENTATION (default XGBOOST_SERVER). The deployment must be available, without a canary,
// and its oldest commit must be the one to restore (one predictor).
import { axe, base, check, password, report, runInBrowser, screenshot, signIn, tabTo, user } from "./lib.mjs";

const namespace = process.env.NAMESPACE ?? "seldon";
const name = process.env.DEPLOYMENT ?? "iris";
const canaryUri = process.env.CANARY_URI;
const implementation = process.env.CANARY_IMPLEMENTATION ?? "XGBOOST_SERVER";
if (!canaryUri) throw new Error("set CANARY_URI");
const root = `/ui/namespaces/${namespace}/seldondeployments/${name}`;

await runInBrowser(async (page) => {
  await signIn(page, root);
  await page.waitForURL(`**${root}`);

  // 1. Add a canary with the dialog: an empty model URI and traffic 150 are refused in words, then it is added.
  await page.getByRole("button", { name: "Add canary" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a canary" });
  await dialog.waitFor();
  await dialog.getByLabel("Traffic (%)").fill("150");
  await dialog.getByRole("button", { name: "Add canary" }).click();
  await dialog.getByText("The model URI is required.").waitFor();
  await dialog.getByText("The canary's traffic is a whole percentage from 1 to 99.").waitFor();
  await screenshot(page, "canary-invalid");
  await axe(page, "add-canary");
  await dialog.getByLabel("Model URI").fill(canaryUri);
  await dialog.getByLabel("Implementation").fill(implementation);
  await dialog.getByLabel("Traffic (%)").fill("30");
  await dialog.getByLabel("Comment").fill("canary from the UI");
  await dialog.getByRole("button", { name: "Add canary" }).click();
  await page.getByText("The canary was added with 30 % of the traffic.").waitFor();
  await dialog.waitFor({ state: "hidden" });
  const rows = await page
    .locator("table[aria-label='Predictors and traffic'] tbody tr")
    .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent?.trim())));
  report.predictors = rows;
  check(rows.some((r) => r[1] === "canary" && r[2] === "30%"), `no 30% canary on the dashboard: ${JSON.stringify(rows)}`);
  await screenshot(page, "canary-added");
  report.steps.push("canary added with the dialog");

  // 2. Resources, reached with the keyboard from the tab bar: processes with their state, and their output.
  // MUI's tab bar is one Tab stop (the current tab); the arrow keys move between its tabs.
  await page.locator("body").focus();
  await tabTo(page, "the tab bar", () => document.activeElement?.getAttribute("role") === "tab", 60);
  // Arrow keys move along the tab bar (MUI Tabs' roving focus) until Resources has the focus.
  for (let i = 0; i < 12 && (await page.evaluate(() => document.activeElement?.textContent)) !== "Resources"; i++) {
    await page.keyboard.press("ArrowRight");
  }
  check((await page.evaluate(() => document.activeElement?.textContent)) === "Resources", "ArrowRight missed Resources");
  await page.keyboard.press("Enter");
  await page.waitForURL(`**${root}/resources`);
  const processes = page.locator("table[aria-label='Processes'] tbody tr");
  await processes.first().waitFor();
  // Wait for the canary's process too (the page re-reads every few seconds while following).
  await page.waitForFunction(
    () => document.querySelectorAll("table[aria-label='Processes'] tbody tr").length >= 2,
    null,
    { timeout: 90000 },
  );
  report.processes = await processes.evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent?.trim())),
  );
  const logs = page.locator("pre[aria-label^='Output of']");
  await logs.waitFor({ timeout: 60000 });
  report.logs = (await logs.textContent()) ?? "";
  // Follow is on: a line the process writes from now on appears without reloading. Bad predictions (two features
  // for a model of four) make MLServer log the error; several, so the canary's 30 % do not take them all.
  await page.getByText("Following: new lines appear as the process writes them.").waitFor();
  check(!report.logs.includes("features"), "the log shows a model error before any bad prediction was made");
  const token = await fetch(`${base}/oauth2/token`, {
    method: "POST",
    body: new URLSearchParams({ grant_type: "password", client_id: "warden", username: user, password }),
  }).then((r) => r.json());
  for (let i = 0; i < 8; i++) {
    await fetch(`${base}/seldon/${namespace}/${name}/api/v1.0/predictions`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token.access_token}` },
      body: JSON.stringify({ data: { ndarray: [[1.0, 2.0]] } }),
    });
  }
  await page.waitForFunction(
    () => document.querySelector("pre[aria-label^='Output of']")?.textContent?.includes("features"),
    null,
    { timeout: 60000 },
  );
  report.followedLog = (await logs.textContent()) ?? "";
  // Only what was written in the last 5 minutes (`sinceSeconds`): the log is read again, the error just logged in it.
  await page.getByLabel("Written").click();
  await page.getByRole("option", { name: "in the last 5 minutes", exact: true }).click();
  await page.getByRole("listbox").waitFor({ state: "detached" });
  await page.waitForFunction(
    () => document.querySelector("pre[aria-label^='Output of']")?.textContent?.includes("features"),
    null,
    { timeout: 60000 },
  );
  report.recentLog = (await logs.textContent()) ?? "";
  // The log's controls are reachable with the keyboard (from the Resources tab, through the table and pickers).
  await tabTo(page, "the Download button", () => document.activeElement?.textContent === "Download", 40);
  await screenshot(page, "resources");
  await axe(page, "resources");
  report.steps.push("resources list the processes and their output, and follow it live");

  // 3. Audit: commits, the newest one's diff side by side, restore the oldest commit (before the canary).
  await page.getByRole("tab", { name: "Audit" }).click();
  await page.waitForURL(`**${root}/audit`);
  const commits = page.locator("table[aria-label='Commits'] tbody tr");
  await commits.first().waitFor();
  report.commits = await commits.evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll("td")).slice(0, 4).map((td) => td.textContent?.trim())),
  );
  check(report.commits.length >= 2, `expected at least 2 commits: ${JSON.stringify(report.commits)}`);
  await page.getByText(/GitOps namespace|recorded in git/).waitFor();
  await commits.first().getByRole("button", { name: /^Show the diff/ }).click();
  const diff = page.locator("table[aria-label='Side-by-side diff']");
  await diff.waitFor();
  report.diffAdded = await diff.locator("tbody tr td:nth-child(2)").evaluateAll((tds) =>
    tds.map((td) => td.textContent ?? "").filter((t) => t.startsWith("+ ")),
  );
  check(report.diffAdded.length > 0, "the canary's commit shows no added line");
  await screenshot(page, "audit-diff");
  await axe(page, "audit");
  report.steps.push("audit shows commits and a diff");

  await commits.last().getByRole("button", { name: /^Restore to/ }).click();
  const confirm = page.getByRole("dialog", { name: /^Restore to commit/ });
  await confirm.waitFor();
  await confirm.getByLabel("Comment (optional)").fill("back to one predictor");
  await screenshot(page, "audit-restore-confirm");
  await confirm.getByRole("button", { name: "Restore", exact: true }).click();
  await confirm.waitFor({ state: "hidden" });
  report.restored = (await page.getByRole("status").filter({ hasText: "restored to commit" }).textContent()) ?? "";
  await page.waitForFunction(
    (before) => document.querySelectorAll("table[aria-label='Commits'] tbody tr").length > before,
    report.commits.length,
  );
  await screenshot(page, "audit-restored");
  report.steps.push("restored the oldest commit");

  // 4. Usage from the app bar (all namespaces): the averages and the charts show figures once the sampler has some.
  await page.getByRole("link", { name: "Usage" }).click();
  await page.waitForURL("**/ui/usage");
  const summary = page.getByRole("region", { name: "Usage summary" });
  for (let tries = 0; tries < 12 && !(await summary.isVisible()); tries++) {
    await page.waitForTimeout(5000);
    await page.reload();
    await page.getByRole("heading", { name: "Usage of all namespaces" }).waitFor();
    await page.waitForFunction(() => !document.querySelector("[aria-label='Loading the usage']"));
  }
  report.usage = (await summary.textContent()) ?? "";
  await page.getByRole("region", { name: "Memory" }).locator("svg").first().waitFor();
  await screenshot(page, "usage");
  await axe(page, "usage");
  report.steps.push("usage shows figures");

  // 5. A batch job over a small local file, created from the Batch jobs tab: a bad form first, then it completes.
  if (process.env.BATCH_INPUT) {
    await page.goto(`${base}${root}/batchjobs`);
    await page.getByRole("heading", { name: "Batch jobs" }).waitFor();
    await page.getByRole("button", { name: "New batch job" }).click();
    const create = page.getByRole("dialog", { name: "New batch job" });
    await create.getByLabel("Batch size").fill("0");
    await create.getByRole("button", { name: "Create" }).click();
    await create.getByText("A whole number, 1 or more.").waitFor();
    await create.getByLabel("Input data").fill(process.env.BATCH_INPUT);
    await create.getByLabel("Output data").fill(process.env.BATCH_OUTPUT ?? "");
    await create.getByLabel("Batch size").fill("5");
    await create.getByRole("button", { name: "Create" }).click();
    await create.waitFor({ state: "hidden" });
    const done = page.locator("table[aria-label='Batch jobs'] tbody tr[data-status='Succeeded']");
    await done.first().waitFor({ timeout: 120000 });
    report.batch = await done.first().evaluate((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent?.trim()));
    await screenshot(page, "batch-done");
    await axe(page, "batchjobs");
    report.steps.push("batch job created from the UI completed");
  }
  report.base = base;
});
