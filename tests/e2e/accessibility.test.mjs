// Every page passes axe-core's WCAG 2.1 A/AA rules (labels, contrast, names, landmarks),
// on a desktop and a phone screen, including the console with a visitor shown and the terms
// dialogs open; and the console's sign-in is usable with the keyboard alone.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  launch, Console, Visitor, visitorId, assertAccessible, BASE_URL, DESKTOP, PHONE,
} from "./harness.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const [name, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
  test(`the landing page and the shop pages are accessible (${name})`, async () => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const id = visitorId("a11y");
    for (const path of ["/", "/site/", "/site/product.html", "/site/checkout.html", "/site/guest.html", "/site/custom-ui.html"]) {
      await page.goto(`${BASE_URL}${path}?visitorid=${id}`);
      await assertAccessible(page, `${path} (${name})`);
    }
    // The visitor box's sign-in form, opened.
    await page.getByRole("button", { name: "Change visitor id" }).click();
    await assertAccessible(page, `visitor sign-in form (${name})`);
    await context.close();
  });

  test(`the agent console is accessible, signed out and with a visitor shown (${name})`, async () => {
    const agent = await Console.open(browser, { viewport, apiKey: "wrong-key-for-a11y" });
    await agent.page.locator("[data-signin-error]").waitFor({ state: "visible" });
    await assertAccessible(agent.page, `console sign-in with error (${name})`);

    await agent.page.getByLabel("API key", { exact: true }).fill("demo-api-key-12345");
    await agent.page.getByRole("button", { name: "Sign in" }).click();
    await agent.ready();
    const id = visitorId("a11y");
    await agent.watch(id);
    const visitor = await Visitor.open(browser, id, { viewport });
    await agent.detail("presence").filter({ hasText: /^Present/ }).waitFor();
    await assertAccessible(agent.page, `console with a visitor (${name})`);

    await agent.page.getByRole("button", { name: "Show terms" }).click();
    await visitor.page.getByRole("dialog").waitFor();
    await assertAccessible(visitor.page, `built-in terms dialog (${name})`);
    await visitor.page.getByRole("dialog").getByRole("button", { name: /decline/i }).click();
    await visitor.close();
    await agent.close();
  });
}

test("the console signs in with the keyboard alone", async () => {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  await page.goto(`${BASE_URL}/console/`);
  // Tab from the top: skip link, then the form fields in order, then the button.
  const reached = [];
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press("Tab");
    reached.push(await page.evaluate(() => {
      const el = document.activeElement;
      return el.labels?.[0]?.textContent.trim() || el.textContent.trim();
    }));
    if (reached.at(-1) === "Sign in") break;
  }
  assert.deepEqual(reached, ["Skip to content", "Group id", "User id", "API key", "Show API key", "Sign in"]);
  await page.keyboard.press("Enter");
  await page.locator("[data-connection-badge]", { hasText: "Live" }).waitFor();
  // Focus moved to the workspace, not lost on <body>.
  assert.equal(await page.evaluate(() => document.activeElement.id), "roster-title");
  await context.close();
});
