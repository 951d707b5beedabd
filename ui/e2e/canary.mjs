// The seed's canary promotion demo (§5.1.1) through the UI, in Debian's chromium driven by playwright-core:
// sign in (keyboard only), open the deployment from the overview, see default + canary traffic, promote the canary.
// axe-core runs on the sign-in, overview and dashboard screens (no serious/critical violations allowed).
//
// Environment: see lib.mjs; DEPLOYMENT (default iris), NAMESPACE (default seldon). The deployment must have a canary.
import { axe, base, check, password, report, runInBrowser, screenshot, tabTo, user } from "./lib.mjs";

const namespace = process.env.NAMESPACE ?? "seldon";
const name = process.env.DEPLOYMENT ?? "iris";

async function predictorRows(page) {
  const rows = page.locator("table[aria-label='Predictors and traffic'] tbody tr");
  await rows.first().waitFor();
  return rows.evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent?.trim() ?? "")),
  );
}

await runInBrowser(async (page, context) => {
  // 1. Sign-in, keyboard only: Tab reaches user name, password and the button; Enter submits.
  await page.goto(base + "/");
  await page.waitForURL("**/ui/signin**");
  await page.getByRole("heading", { name: "Sign in to Warden" }).waitFor();
  await screenshot(page, "signin");
  await axe(page, "signin");
  await page.locator("body").focus();
  await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
  await tabTo(page, "the user name field", () => document.activeElement?.getAttribute("name") === "username");
  await page.keyboard.type(user);
  await tabTo(page, "the password field", () => document.activeElement?.getAttribute("name") === "password", 3);
  await page.keyboard.type(password);
  await tabTo(page, "the sign-in button", () => document.activeElement?.textContent === "Sign in", 3);
  await page.keyboard.press("Enter");
  report.steps.push("signed in with the keyboard");

  // 2. Overview of the namespace: the deployment's card, found by search, opened with the keyboard.
  await page.waitForURL(`**/ui/namespaces/${namespace}`);
  const card = page.getByRole("link", { name: new RegExp(`^${name} `) });
  await card.waitFor();
  await page.getByLabel("Search deployments").fill(name);
  await card.waitFor();
  await screenshot(page, "overview");
  await axe(page, "overview");
  const href = `/ui/namespaces/${namespace}/seldondeployments/${name}`;
  await tabTo(page, `the card of ${name}`, (want) => document.activeElement?.getAttribute("href") === want, 20, href);
  report.steps.push("overview lists the deployment");
  await page.keyboard.press("Enter");

  // 3. The dashboard: default and canary with their traffic.
  await page.waitForURL(`**/ui/namespaces/${namespace}/seldondeployments/${name}`);
  const before = await predictorRows(page);
  report.before = before;
  check(before.length === 2, `expected default + canary, saw ${JSON.stringify(before)}`);
  check(before[0][1] === "default" && before[1][1] === "canary", `roles: ${JSON.stringify(before)}`);
  await screenshot(page, "dashboard");
  await axe(page, "dashboard");
  report.steps.push(`dashboard shows ${before.map((r) => `${r[0]} ${r[1]} ${r[2]}`).join(", ")}`);

  // 4. Promote the canary: the button is reachable with Tab, a dialog confirms.
  await tabTo(page, "Promote canary", () => document.activeElement?.textContent === "Promote canary");
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Promote the canary?" });
  await dialog.waitFor();
  await screenshot(page, "confirm-promote");
  await dialog.getByRole("button", { name: "Promote", exact: true }).click();
  await page.getByText("The canary was promoted").waitFor();
  const after = await predictorRows(page);
  report.after = after;
  check(after.length === 1 && after[0][1] === "default" && after[0][2] === "100%", `after: ${JSON.stringify(after)}`);
  await screenshot(page, "promoted");
  report.steps.push("canary promoted");

  // 5. The spec (read-only) shows the promoted predictor.
  await page.getByRole("button", { name: "View spec" }).click();
  const spec = await page.getByLabel("Deployment spec (JSON, read-only)").textContent();
  check(spec?.includes('"traffic": 100'), "the spec does not show the promoted predictor");
  await screenshot(page, "spec");
  await page.keyboard.press("Escape");

  // 6. "API docs" opens the Swagger page, which loads its scripts without a token and renders the API.
  const [docs] = await Promise.all([context.waitForEvent("page"), page.getByRole("link", { name: "API docs" }).click()]);
  await docs.locator(".swagger-ui .info .title").filter({ hasText: "Warden API" }).waitFor();
  await docs.close();
  report.steps.push("API docs render");

  // 7. About: version, user and groups from the token.
  await page.getByRole("button", { name: "About" }).click();
  const about = page.getByRole("dialog", { name: "About Warden" });
  await about.waitFor();
  const aboutText = (await about.textContent()) ?? "";
  check(aboutText.includes(`Signed in as: ${user}`) && /Version: \S+/.test(aboutText), `About says: ${aboutText}`);
  report.about = aboutText;
  await about.getByRole("button", { name: "Close" }).click();

  // 8. A token the server refuses (expired, revoked): the next API call answers 401 and the UI asks to sign in again.
  await page.evaluate(() => sessionStorage.setItem("warden.session", "refused.token.value"));
  await page.reload();
  await page.waitForURL("**/ui/signin?next=**");
  await page.getByText("Please sign in again").waitFor();
  await screenshot(page, "signin-again");
  report.steps.push("a refused token leads back to sign-in");

  // 9. A wrong password is refused in words; then sign in again (back to the dashboard) and sign out.
  await page.getByLabel("User name").fill(user);
  await page.getByLabel("Password").fill(password + "-wrong");
  await page.getByRole("button", { name: "Sign in" }).click();
  report.wrongPassword = await page.locator("form [role=alert]").textContent();
  check(Boolean(report.wrongPassword?.trim()), "a refused sign-in shows no reason");
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`**/ui/namespaces/${namespace}/seldondeployments/${name}`);
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL("**/ui/signin**");
  check((await page.evaluate(() => sessionStorage.getItem("warden.session"))) === null, "sign-out kept the token");
  report.steps.push("signed in again and out");
});
