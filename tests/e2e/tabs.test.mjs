// Two tabs with one visitor id: signals go to the most recently active tab only (spec §3.3).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, Console, Visitor, visitorId, screenshot, assertNoPageErrors } from "./harness.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function send(agent, text) {
  await agent.page.getByLabel("Message to the visitor").fill(text);
  await agent.page.getByRole("button", { name: "Send signal" }).click();
  await agent.page.locator("[data-action-status]").filter({ hasText: "sent" }).waitFor();
}

test("the signal reaches the most recently active tab only", async () => {
  const agent = await Console.open(browser);
  await agent.ready();
  const id = visitorId("tabs");
  await agent.watch(id);

  const first = await Visitor.open(browser, id, { path: "/site/product.html" });
  await agent.detail("page").filter({ hasText: "/site/product.html" }).waitFor();
  const second = await first.openTab("/site/checkout.html");
  await agent.detail("page").filter({ hasText: "/site/checkout.html" }).waitFor();

  // The newest tab has focus.
  await send(agent, "to the newest tab");
  await second.messages().filter({ hasText: "to the newest tab" }).waitFor({ timeout: 3000 });

  // The first tab becomes active again: its visitor adds to the cart (a presence update).
  await first.page.getByRole("button", { name: "Add to cart" }).click();
  await agent.custom("cart").filter({ hasText: /^1$/ }).waitFor();
  await send(agent, "to the first tab");
  await first.messages().filter({ hasText: "to the first tab" }).waitFor({ timeout: 3000 });

  // Each message reached exactly one tab.
  await agent.page.waitForTimeout(500);
  assert.deepEqual(await texts(first), ["to the first tab"]);
  assert.deepEqual(await texts(second), ["to the newest tab"]);
  await screenshot(first.page, "site-two-tabs-first");

  assertNoPageErrors(agent.page, first.page, second.page);
  await first.close();
  await agent.close();
});

async function texts(visitor) {
  return visitor.page.locator("[data-agent-message-list] .message-text").allInnerTexts();
}
