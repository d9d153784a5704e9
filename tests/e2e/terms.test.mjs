// The one-click flow: the agent shows the terms, the visitor answers, the session starts.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, Console, Visitor, visitorId, screenshot, assertNoPageErrors } from "./harness.mjs";

let browser;
let agent;
before(async () => {
  browser = await launch();
  agent = await Console.open(browser);
  await agent.ready();
});
after(async () => {
  if (agent) assertNoPageErrors(agent.page);
  await browser?.close();
});

/** A visitor on `path`, watched and present at the agent. */
async function arrive(label, path = "/site/") {
  const id = visitorId(label);
  await agent.watch(id);
  const visitor = await Visitor.open(browser, id, { path });
  await agent.detail("presence").filter({ hasText: /^Present/ }).waitFor();
  return visitor;
}

/** The module's built-in terms dialog on the visitor page. */
function termsDialog(visitor) {
  return visitor.page.getByRole("dialog");
}

test("Show terms, Accept: the agent sees terms accepted and the session start", async () => {
  const visitor = await arrive("accept", "/site/product.html");
  await agent.page.getByRole("button", { name: "Show terms" }).click();

  const dialog = termsDialog(visitor);
  await dialog.waitFor({ state: "visible", timeout: 3000 });
  await agent.detail("terms").filter({ hasText: "displayed" }).waitFor();
  await screenshot(visitor.page, "site-terms-dialog");

  await dialog.getByRole("button", { name: /accept/i }).click();
  await agent.detail("terms").filter({ hasText: "accepted" }).waitFor();
  await agent.detail("session").filter({ hasText: /^Started/ }).waitFor();
  await visitor.page.locator("[data-session-banner]").waitFor({ state: "visible" });
  assert.equal(await dialog.isVisible(), false);

  const timeline = await agent.timeline().innerText();
  assert.match(timeline, /Terms displayed/);
  assert.match(timeline, /Terms accepted/);
  assert.match(timeline, /Session started/);
  await screenshot(agent.page, "console-session-started");
  await screenshot(visitor.page, "site-session-banner");

  // The visitor ends the session from the banner: the agent sees it end.
  await visitor.page.getByRole("button", { name: "End session" }).click();
  await agent.detail("session").filter({ hasText: /^Ended/ }).waitFor();
  assert.equal(await visitor.page.locator("[data-session-banner]").count(), 0);
  assertNoPageErrors(visitor.page);
  await visitor.close();
});

test("actions on a visitor who is not on the site fail with a clear message", async () => {
  const id = visitorId("absent");
  await agent.watch(id);
  assert.match(await agent.detail("absent-notice").innerText(), /not on the site yet/);
  await agent.page.getByRole("button", { name: "Show terms" }).click();
  await agent.page.locator("[data-action-status]")
    .filter({ hasText: "Show terms failed: the visitor is not on the site." }).waitFor();
  assert.match(await agent.timeline().innerText(), /Show terms failed \(visitornotpresent\)/);
});

test("Show terms, Decline: the agent sees terms declined and no session", async () => {
  const visitor = await arrive("decline");
  await agent.page.getByRole("button", { name: "Show terms" }).click();
  const dialog = termsDialog(visitor);
  await dialog.waitFor({ state: "visible", timeout: 3000 });
  await dialog.getByRole("button", { name: /decline/i }).click();

  await agent.detail("terms").filter({ hasText: "declined" }).waitFor();
  // Give a wrongly started session time to show up before asserting there is none.
  await agent.page.waitForTimeout(500);
  assert.equal(await agent.detail("session").innerText(), "None");
  assert.equal(await visitor.page.locator("[data-session-banner]").count(), 0);
  assert.equal(await dialog.isVisible(), false);
  assertNoPageErrors(visitor.page);
  await visitor.close();
});

test("Start session without terms starts the session at once", async () => {
  const visitor = await arrive("direct", "/site/checkout.html");
  await agent.page.getByRole("button", { name: "Start session" }).click();
  await agent.detail("session").filter({ hasText: /^Started/ }).waitFor();
  await visitor.page.locator("[data-session-banner]").waitFor({ state: "visible" });
  assert.equal(await agent.detail("terms").innerText(), "Not shown yet");
  assert.equal(await termsDialog(visitor).count(), 0);
  await visitor.close();
});

test("the custom terms UI page answers with its own dialog", async () => {
  const visitor = await arrive("custom", "/site/custom-ui.html");
  await agent.page.getByRole("button", { name: "Show terms" }).click();

  const dialog = visitor.page.locator("#custom-terms");
  await dialog.waitFor({ state: "visible", timeout: 3000 });
  // Only the page's dialog: setDefaultUI(false) keeps the built-in one away.
  assert.equal(await visitor.page.getByRole("dialog").count(), 1);
  await agent.detail("terms").filter({ hasText: "displayed" }).waitFor();
  await screenshot(visitor.page, "site-custom-terms-dialog");

  await dialog.getByRole("button", { name: "Yes, share" }).click();
  await agent.detail("terms").filter({ hasText: "accepted" }).waitFor();
  await agent.detail("session").filter({ hasText: /^Started/ }).waitFor();
  await visitor.page.locator("[data-session-banner]").waitFor({ state: "visible" });
  assertNoPageErrors(visitor.page);
  await visitor.close();
});

test("the built-in dialog links the group's terms URL", async () => {
  const visitor = await arrive("termsurl");
  await agent.page.getByRole("button", { name: "Show terms" }).click();
  const dialog = termsDialog(visitor);
  await dialog.waitFor({ state: "visible", timeout: 3000 });
  const link = dialog.getByRole("link", { name: /terms/i });
  try {
    assert.equal(await link.getAttribute("href", { timeout: 1000 }), "https://example.com/terms");
  } finally {
    await dialog.getByRole("button", { name: /decline/i }).click();
    await visitor.close();
  }
});
