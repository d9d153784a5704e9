// Guest join as Glance's guest-join page does it (issue 13 §6): a page on our visitor module with
// no visitor id of its own calls connectUnique() and shows the code; an agent follows the guest by
// `uniqueid` and invokes a function the page defines under GLANCE_COBROWSE.Custom.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE_URL, DESKTOP, launch, Console, screenshot, assertNoPageErrors } from "./harness.mjs";

const FUNC = "GLANCE_COBROWSE.Custom.showNote";

let browser;
let agent;
before(async () => {
  browser = await launch();
  // The console signs in (login key → token in storage); its page then carries the full module.
  agent = await Console.open(browser);
  await agent.ready();
});
after(async () => {
  if (agent) assertNoPageErrors(agent.page);
  await browser?.close();
});

/** The guest-join page in a fresh context; resolves with the page and the code it shows. */
async function openGuest() {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (err) => page.errors.push(err.message));
  await page.goto(`${BASE_URL}/site/guest.html`);
  const code = page.locator("[data-guest-code][data-uniqueid]");
  await code.waitFor({ timeout: 5000 });
  return { context, page, uniqueid: await code.getAttribute("data-uniqueid") };
}

/**
 * In the agent's page: `new GLANCE.Presence.Agent({uniqueid})`, then `invokeVisitor` (over REST
 * while the agent socket is closed, over the socket once `connect()` is live, as spec §2.2 says).
 * Resolves with `"ok"` or the `onfail` reason.
 */
function invokeAsAgent(uniqueid, { socket, args }) {
  return agent.page.evaluate(async ([uniqueid, socket, func, args]) => {
    const presence = new window.GLANCE.Presence.Agent({ uniqueid, groupid: 12345 });
    try {
      if (socket) {
        await new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error("no visitorconn within 5 s")), 5000);
          presence.onvisitorconn = (e) => {
            if (e?.connected) { clearTimeout(timer); resolve(); }
          };
          presence.connect();
        });
      }
      return await new Promise((resolve) => {
        presence.invokeVisitor({ func, args, onsuccess: () => resolve("ok"), onfail: resolve });
      });
    } finally {
      presence.disconnect();
    }
  }, [uniqueid, socket, FUNC, args]);
}

/** Waits until the guest page has run the function `count` times; returns every call's args. */
async function guestCalls(page, count) {
  await page.waitForFunction((n) => window.guestCalls?.length >= n, count, { timeout: 5000 });
  return page.evaluate(() => window.guestCalls);
}

test("guest page gets a code with connectUnique() and the agent invokes its function by uniqueid", async () => {
  const guest = await openGuest();
  assert.match(guest.uniqueid, /^\d{9}$/, "the code is the unique id's nine digits");

  // The console shows the guest under its visitor id UNQ-<code>, present.
  await agent.watch(`UNQ-${guest.uniqueid}`);
  await agent.detail("presence").filter({ hasText: /^Present/ }).waitFor();

  // Over REST (POST /signalvisitor): the agent object has no socket yet.
  assert.equal(await invokeAsAgent(guest.uniqueid, { socket: false, args: { text: "Hello from REST", n: 1 } }), "ok");
  // Over the agent socket, acked by the server.
  assert.equal(await invokeAsAgent(guest.uniqueid, { socket: true, args: { text: "Hello from the socket", n: 2 } }), "ok");

  const calls = await guestCalls(guest.page, 2);
  assert.deepEqual(calls, [
    { text: "Hello from REST", n: 1, remote: true },
    { text: "Hello from the socket", n: 2, remote: true },
  ]);
  await guest.page.locator("[data-guest-call-list] li", { hasText: "Hello from the socket" }).waitFor();
  await screenshot(guest.page, "site-guest-join");
  await screenshot(agent.page, "console-guest-watched");
  assertNoPageErrors(guest.page);
  await guest.context.close();
});

test("an invoke outside the allowed namespaces never runs on the guest page", async () => {
  const guest = await openGuest();
  await guest.page.evaluate(() => { window.notAllowed = () => { window.guestCalls.push("ran"); }; });
  const reason = await agent.page.evaluate(async (uniqueid) => {
    const presence = new window.GLANCE.Presence.Agent({ uniqueid, groupid: 12345 });
    return new Promise((resolve) => {
      presence.invokeVisitor({ func: "notAllowed", args: {}, onsuccess: () => resolve("ok"), onfail: resolve });
    });
  }, guest.uniqueid);
  assert.equal(reason, "invalidparameter");
  // Then an allowed one, so the page has demonstrably had time to run anything it received.
  assert.equal(await invokeAsAgent(guest.uniqueid, { socket: false, args: { text: "after" } }), "ok");
  assert.deepEqual(await guestCalls(guest.page, 1), [{ text: "after", remote: true }]);
  assertNoPageErrors(guest.page);
  await guest.context.close();
});
