// The agent console follows visitors live: arrival, pages, visibility, signals, departure.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  launch, Console, Visitor, visitorId, screenshot, assertNoPageErrors, recordTexts,
  GRACE_MS, PHONE,
} from "./harness.mjs";

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

test("a watched visitor appears in the list and detail within a second of opening the site", async () => {
  const id = visitorId("arrive");
  await agent.watch(id);
  assert.match(await agent.detail("presence").innerText(), /Not present yet/);

  const visitor = await Visitor.prepare(browser, id);
  const started = Date.now();
  await visitor.goto("/site/");
  await agent.listState(id).filter({ hasText: /^Present/ }).waitFor({ timeout: 5000 });
  await agent.detail("page").filter({ hasText: "/site/" }).waitFor({ timeout: 5000 });
  const elapsed = Date.now() - started;
  console.log(`visitor shown ${elapsed} ms after opening the site`);
  assert.ok(elapsed <= 1000, `visitor shown after ${elapsed} ms`);

  assert.match(await agent.detail("presence").innerText(), /^Present/);
  assert.match(await agent.detail("socket").innerText(), /Socket open/);
  assertNoPageErrors(visitor.page);
  await visitor.close();
});

test("a new visitor is discovered without a reload and shows page, browser, platform and data", async () => {
  const id = visitorId("found");
  const visitor = await Visitor.prepare(browser, id);
  const started = Date.now();
  await visitor.goto("/site/");
  // Found by the console's periodic `query` (twice a second), not watched beforehand.
  await agent.listState(id).filter({ hasText: /^Present/ }).waitFor({ timeout: 3000 });
  const elapsed = Date.now() - started;
  console.log(`unwatched visitor listed ${elapsed} ms after opening the site`);
  assert.ok(elapsed <= 1500, `listed after ${elapsed} ms (query every 500 ms)`);
  await agent.listItem(id).getByRole("button").click();
  await agent.detail("page").filter({ hasText: "/site/" }).waitFor();
  await agent.detail("browser").filter({ hasText: /^Chrom(e|ium) \d+/ }).waitFor();
  assert.equal(await agent.detail("platform").innerText(), "Linux");
  await agent.custom("store").filter({ hasText: "Northwind demo shop" }).waitFor();
  assert.equal(await agent.custom("cart").innerText(), "0");
  assert.equal(await agent.custom("page").innerText(), "Home");
  await screenshot(agent.page, "console-visitor-detail");
  await screenshot(visitor.page, "site-home");
  await visitor.close();
});

test("navigating through three pages updates the current page and never shows the visitor gone", async () => {
  const id = visitorId("nav");
  await agent.watch(id);
  const seen = await recordTexts(agent.page, `[data-field="presence"], li[data-visitorid="${id}"] .sub`);
  const visitor = await Visitor.open(browser, id);
  await agent.detail("page").filter({ hasText: "/site/" }).waitFor();

  const nav = visitor.page.getByRole("navigation", { name: "Shop" });
  await nav.getByRole("link", { name: "Product" }).click();
  await agent.detail("page").filter({ hasText: "/site/product.html" }).waitFor();

  await visitor.page.getByRole("button", { name: "Add to cart" }).click();
  await agent.custom("cart").filter({ hasText: /^1$/ }).waitFor();

  await nav.getByRole("link", { name: /Checkout/ }).click();
  await agent.detail("page").filter({ hasText: "/site/checkout.html" }).waitFor();
  await agent.custom("page").filter({ hasText: /^Checkout$/ }).waitFor();
  assert.equal(await agent.custom("cart").innerText(), "1");

  await nav.getByRole("link", { name: "Home" }).click();
  await agent.detail("page").filter({ hasText: /\/site\/$/ }).waitFor();

  // Longer than the grace period: a navigation's short socket gap must never read as "gone".
  await agent.page.waitForTimeout(GRACE_MS + 500);
  // Everything shown since the visitor first appeared ("Not present yet" before that is fine).
  const texts = await seen();
  const since = texts.slice(texts.findIndex((t) => /^Present/.test(t)));
  assert.ok(since.length > 0 && !since.some((t) => /Gone|Not present/.test(t)), `states shown: ${JSON.stringify(texts)}`);
  assert.doesNotMatch(await agent.timeline().innerText(), /Left the site/);
  assert.match(await agent.detail("presence").innerText(), /^Present/);
  const timeline = await agent.timeline().innerText();
  for (const page of ["/site/product.html", "/site/checkout.html"]) {
    assert.ok(timeline.includes(`Viewing ${page}`), `timeline names ${page}`);
  }
  assertNoPageErrors(visitor.page);
  await visitor.close();
});

test("hiding the visitor's tab shows hidden at the agent, showing it again shows visible", async () => {
  const id = visitorId("vis");
  await agent.watch(id);
  const visitor = await Visitor.open(browser, id);
  await agent.detail("presence").filter({ hasText: /^Present/ }).waitFor();

  await visitor.setVisible(false);
  await agent.detail("visibility").filter({ hasText: "hidden" }).waitFor({ timeout: 3000 });
  // Hidden visitors stay present (spec §2.3: up to 10 minutes).
  assert.match(await agent.detail("presence").innerText(), /^Present/);
  await screenshot(agent.page, "console-visitor-hidden");

  await visitor.setVisible(true);
  await agent.detail("visibility").filter({ hasText: "visible" }).waitFor({ timeout: 3000 });
  const timeline = await agent.timeline().innerText();
  assert.match(timeline, /Tab hidden/);
  assert.match(timeline, /Tab visible/);
  await visitor.close();
});

test("a signal typed at the agent reaches the visitor page", async () => {
  const id = visitorId("sig");
  await agent.watch(id);
  const visitor = await Visitor.open(browser, id, { path: "/site/product.html" });
  await agent.detail("presence").filter({ hasText: /^Present/ }).waitFor();

  await agent.page.getByLabel("Message to the visitor").fill("Hi, I’m Sam from support — can I help?");
  await agent.page.getByRole("button", { name: "Send signal" }).click();
  await visitor.messages().filter({ hasText: "Hi, I’m Sam from support — can I help?" }).waitFor({ timeout: 3000 });
  await agent.page.locator("[data-action-status]").filter({ hasText: "sent" }).waitFor();
  await screenshot(visitor.page, "site-agent-message");
  assertNoPageErrors(visitor.page);
  await visitor.close();
});

test("closing the visitor's window shows the visitor gone after the grace period", async () => {
  const id = visitorId("bye");
  await agent.watch(id);
  const visitor = await Visitor.open(browser, id);
  await agent.detail("presence").filter({ hasText: /^Present/ }).waitFor();

  const closed = Date.now();
  await visitor.close();
  await agent.detail("presence").filter({ hasText: /^Gone/ }).waitFor({ timeout: GRACE_MS + 5000 });
  const elapsed = Date.now() - closed;
  console.log(`gone ${elapsed} ms after closing (grace ${GRACE_MS} ms)`);
  assert.ok(elapsed >= GRACE_MS - 250, `not gone before the grace period (${elapsed} ms)`);
  assert.match(await agent.listState(id).innerText(), /^Gone/);
  assert.match(await agent.timeline().innerText(), /Left the site/);
  assert.equal(await agent.detail("absent-notice").isVisible(), true);
  await screenshot(agent.page, "console-visitor-gone");
});

test("choosing another visitor id on the site moves the visitor at the agent", async () => {
  const before = visitorId("before");
  const after = visitorId("after");
  await agent.watch(before);
  await agent.watch(after);
  const visitor = await Visitor.open(browser, before, { path: "/site/checkout.html" });
  await agent.listState(before).filter({ hasText: /^Present/ }).waitFor();

  await visitor.page.getByRole("button", { name: "Change visitor id" }).click();
  await visitor.page.getByLabel("Visitor id").fill(after);
  await visitor.page.getByRole("button", { name: "Sign in" }).click();
  await visitor.page.locator("[data-visitor-id]").filter({ hasText: after }).waitFor();

  await agent.listState(after).filter({ hasText: /^Present · \/site\/checkout\.html/ }).waitFor();
  await agent.listState(before).filter({ hasText: /^Gone/ }).waitFor({ timeout: GRACE_MS + 5000 });
  // Stored: the next page is still the new visitor.
  await visitor.page.getByRole("navigation", { name: "Shop" }).getByRole("link", { name: "Home" }).click();
  await agent.listState(after).filter({ hasText: /^Present · \/site\/$/ }).waitFor();
  assertNoPageErrors(visitor.page);
  await visitor.close();
});

test("both pages work on a phone-sized screen", async () => {
  const phoneAgent = await Console.open(browser, { viewport: PHONE });
  await phoneAgent.ready();
  const id = visitorId("phone");
  await phoneAgent.watch(id);
  const visitor = await Visitor.open(browser, id, { viewport: PHONE, path: "/site/product.html" });
  await phoneAgent.detail("presence").filter({ hasText: /^Present/ }).waitFor();
  for (const page of [phoneAgent.page, visitor.page]) {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= PHONE.width, `${page.url()} is ${width}px wide on a ${PHONE.width}px screen`);
  }
  await screenshot(phoneAgent.page, "console-phone", { fullPage: true });
  await screenshot(visitor.page, "site-phone", { fullPage: true });
  await visitor.close();
  await phoneAgent.close();
});
