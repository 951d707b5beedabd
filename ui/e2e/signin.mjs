// Redirect sign-in (OIDC authorization code + PKCE) and the configured theme, in a real browser against a Warden
// started with WARDEN_GATEWAY_UI__SIGN_IN=redirect and a theme (tests/e2e/test_ui_signin.py sets them):
// keyboard to "Sign in with <provider>", the provider's login page (the built-in one's /oauth2/authorize), back
// through /ui/callback signed in; the app bar shows the configured name, logo and colour. axe on both pages.
import { axe, base, check, password, report, runInBrowser, screenshot, tabTo, user } from "./lib.mjs";

const provider = process.env.EXPECT_PROVIDER;
const product = process.env.EXPECT_PRODUCT;
const primary = process.env.EXPECT_PRIMARY_RGB;
const logo = process.env.EXPECT_LOGO;

await runInBrowser(async (page) => {
  await page.goto(`${base}/ui/namespaces/default`);
  await page.waitForURL("**/ui/signin**");
  const button = page.getByRole("button", { name: `Sign in with ${provider}` });
  await button.waitFor();
  check((await page.getByLabel("Password").count()) === 0, "the password form is shown though sign_in=redirect");
  check((await page.title()) === product, `the page title is ${await page.title()}, not ${product}`);
  await axe(page, "signin");
  await screenshot(page, "signin");

  await tabTo(page, "the redirect sign-in button", () => document.activeElement?.textContent?.startsWith("Sign in with"));
  await page.keyboard.press("Enter");
  await page.waitForURL("**/oauth2/authorize?**");
  const authorizeUrl = new URL(page.url());
  report.authorizeParams = Object.fromEntries(authorizeUrl.searchParams);
  await axe(page, "authorize");
  await screenshot(page, "authorize");

  // A wrong password first: the provider's page says so and keeps the request.
  await page.getByLabel("User name").fill(user);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  report.wrongPassword = await page.getByRole("alert").innerText();
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === "/ui/namespaces/default");
  report.steps.push("back from the provider, signed in, at the page asked for");

  const header = page.locator("header").first();
  await header.getByText(product).waitFor();
  report.appBarColour = await header.evaluate((el) => getComputedStyle(el).backgroundColor);
  check(report.appBarColour === primary, `app bar colour ${report.appBarColour}, expected ${primary}`);
  report.logoSrc = await page.getByTestId("product-logo").getAttribute("src");
  check(report.logoSrc === logo, `logo ${report.logoSrc}, expected ${logo}`);
  report.logoWidth = await page.getByTestId("product-logo").evaluate(async (img) => {
    await img.decode().catch(() => {});
    return img.naturalWidth;
  });
  report.session = await page.evaluate(() => Object.keys(sessionStorage));
  await screenshot(page, "signed-in");

  // The code was single-use: replaying the callback URL does not sign in again.
  await page.goto(`${base}/ui/callback?code=replayed&state=${authorizeUrl.searchParams.get("state")}`);
  report.replay = await page.getByRole("alert").innerText();
  await screenshot(page, "replayed-callback");
});
