// Signing in to the agent console: the login key made in the page is accepted, a wrong API key
// is reported, and the console works on a phone-sized screen.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, Console, PHONE, screenshot, assertNoPageErrors } from "./harness.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("a wrong API key shows the authorization error", async () => {
  const agent = await Console.open(browser, { apiKey: "not-the-api-key" });
  const error = agent.page.locator("[data-signin-error]");
  await error.waitFor({ state: "visible" });
  assert.match(await error.innerText(), /Authorization failed/);
  assert.equal(await agent.page.locator("[data-workspace]").isVisible(), false);
  assert.equal(await agent.page.locator("[data-connection-badge]").innerText(), "Signed out");
  await screenshot(agent.page, "console-wrong-api-key");
  assertNoPageErrors(agent.page);
  await agent.close();
});

test("the demo values sign in and the console goes live", async () => {
  const agent = await Console.open(browser);
  await agent.ready();
  assert.match(await agent.page.locator("[data-agent-name]").innerText(), /agent-1 · group 12345/);
  // The module stored the token it got for the login key made with WebCrypto.
  const token = await agent.page.evaluate(() => localStorage.getItem("glanceauth"));
  assert.ok(token, "a token is stored in localStorage.glanceauth");

  // Signing out drops the token and shows the sign-in card again.
  await agent.page.getByRole("button", { name: "Sign out" }).click();
  await agent.page.locator("[data-signin]").waitFor({ state: "visible" });
  assertNoPageErrors(agent.page);
  await agent.close();
});

test("the sign-in card fits a phone", async () => {
  const agent = await Console.open(browser, { viewport: PHONE, apiKey: "wrong-key-on-a-phone" });
  await agent.page.locator("[data-signin-error]").waitFor({ state: "visible" });
  const width = await agent.page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `no horizontal scrolling (page is ${width}px wide)`);
  await screenshot(agent.page, "console-phone-signin");
  await agent.close();
});

test("losing the network shows connection lost, then the console recovers by itself", async () => {
  const agent = await Console.open(browser);
  await agent.ready();
  await agent.context.setOffline(true);
  const notice = agent.page.locator("[data-connection-notice]");
  await notice.filter({ hasText: "Connection to the presence server lost" }).waitFor({ timeout: 5000 });
  assert.equal(await agent.page.locator("[data-connection-badge]").innerText(), "Connection lost");
  await screenshot(agent.page, "console-connection-lost");

  await agent.context.setOffline(false);
  await agent.page.locator("[data-connection-badge]", { hasText: "Live" }).waitFor({ timeout: 20000 });
  assert.equal(await notice.isVisible(), false);
  assertNoPageErrors(agent.page);
  await agent.close();
});
