// Shared pieces of the end-to-end tests: the browser, the two personas (agent console and
// visitor site, each in its own browser context) and screenshots.
//
// The server is started by scripts/test-e2e.sh, which exports PRESENCE_URL and
// PRESENCE_GRACE_SECONDS. Every test uses its own random visitor ids, so tests that share the
// server never see each other's visitors as their own.

import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const BASE_URL = process.env.PRESENCE_URL ?? "";
export const GRACE_MS = Number(process.env.PRESENCE_GRACE_SECONDS ?? 2) * 1000;
const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), "screenshots");

if (!BASE_URL) {
  throw new Error("PRESENCE_URL is not set: run the tests through scripts/test-e2e.sh");
}

export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844 };

/** Headless Chromium from the system (never a downloaded one). */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** A short visitor id unique to this run, e.g. `e2e-nav-k3x9q2`. */
export function visitorId(label) {
  return `e2e-${label}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Page console messages worth echoing: errors (all with E2E_VERBOSE=1). Chromium's own
 * "Failed to load resource" lines are left out: tests provoke 401s and offline on purpose.
 */
function shouldEcho(msg) {
  if (process.env.E2E_VERBOSE) return true;
  return msg.type() === "error" && !msg.text().startsWith("Failed to load resource");
}

/**
 * A page in a fresh context that records page errors and module warnings, so a test can
 * assert that nothing was thrown into the page.
 */
async function openPage(browser, viewport, url) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (err) => page.errors.push(err.message));
  page.on("console", (msg) => {
    if (shouldEcho(msg)) console.log(`[${new URL(page.url() || BASE_URL).pathname}] ${msg.type()}: ${msg.text()}`);
  });
  await page.goto(BASE_URL + url);
  return { context, page };
}

// ---------- agent console ----------

export class Console {
  static async open(browser, { viewport = DESKTOP, apiKey } = {}) {
    const { context, page } = await openPage(browser, viewport, "/console/");
    const c = new Console(context, page);
    if (apiKey !== undefined) await page.getByLabel("API key", { exact: true }).fill(apiKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    return c;
  }

  constructor(context, page) {
    this.context = context;
    this.page = page;
  }

  /** Waits until the console is signed in and live. */
  async ready() {
    await this.page.locator("[data-workspace]").waitFor({ state: "visible" });
    await this.page.locator("[data-connection-badge]", { hasText: "Live" }).waitFor();
  }

  /** Follows a visitor by id (before or after they arrive) and shows their detail. */
  async watch(id) {
    await this.page.getByLabel("Find a visitor by id").fill(id);
    await this.page.getByRole("button", { name: "Watch" }).click();
    await this.detail("visitorid").filter({ hasText: id }).waitFor();
  }

  listItem(id) {
    return this.page.locator(`[data-visitor-list] li[data-visitorid="${id}"]`);
  }

  /** The state line of a visitor's list entry ("Present · /site/", "Gone since …"). */
  listState(id) {
    return this.listItem(id).locator(".sub");
  }

  detail(field) {
    return this.page.locator(`[data-detail] [data-field="${field}"]`);
  }

  /** The value the detail shows for custom presence field `key`. */
  custom(key) {
    return this.page.locator(`[data-detail] [data-field="custom"] [data-key="${key}"] dd`);
  }

  timeline() {
    return this.detail("timeline");
  }

  async close() {
    await this.context.close();
  }
}

// ---------- visitor site ----------

export class Visitor {
  /** Opens `path` of the demo shop as visitor `id` in a new context (a new "person"). */
  static async open(browser, id, { path = "/site/", viewport = DESKTOP, context } = {}) {
    const visitor = await Visitor.prepare(browser, id, { viewport, context });
    await visitor.goto(path);
    return visitor;
  }

  /** A blank tab for visitor `id`, so a test can time `goto` alone. */
  static async prepare(browser, id, { viewport = DESKTOP, context } = {}) {
    const ctx = context ?? await browser.newContext({ viewport });
    const page = await ctx.newPage();
    page.errors = [];
    page.on("pageerror", (err) => page.errors.push(err.message));
    page.on("console", (msg) => {
      if (shouldEcho(msg)) console.log(`[visitor ${id}] ${msg.type()}: ${msg.text()}`);
    });
    return new Visitor(ctx, page, id);
  }

  constructor(context, page, id) {
    this.context = context;
    this.page = page;
    this.id = id;
  }

  /** Navigates to `path` of the shop, naming the visitor in the URL (stored by the site). */
  async goto(path) {
    await this.page.goto(`${BASE_URL}${path}?visitorid=${encodeURIComponent(this.id)}`);
  }

  /** Another tab of the same person (same context, so the same stored visitor id). */
  async openTab(path = "/site/") {
    return Visitor.open(null, this.id, { path, context: this.context });
  }

  /**
   * Emulates hiding or showing the tab. Headless Chromium keeps every page "visible", so the
   * page's own view of it is overridden and the real `visibilitychange` event is dispatched;
   * the module reads `document.visibilityState` in its handler, as it would in a real switch.
   */
  async setVisible(visible) {
    await this.page.evaluate((v) => {
      const state = v ? "visible" : "hidden";
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
      Object.defineProperty(document, "hidden", { configurable: true, get: () => !v });
      document.dispatchEvent(new Event("visibilitychange"));
    }, visible);
  }

  messages() {
    return this.page.locator("[data-agent-message-list] li");
  }

  async close() {
    await this.context.close();
  }
}

// ---------- evidence ----------

/** Saves a screenshot as tests/e2e/screenshots/<name>.png (committed; the README shows some). */
export async function screenshot(page, name, { fullPage = false } = {}) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage, animations: "disabled" });
}

/** Fails if a page had an uncaught error (the module must never throw into the page). */
export function assertNoPageErrors(...pages) {
  for (const page of pages) {
    assert.deepEqual(page.errors ?? [], [], `uncaught errors on ${page.url()}`);
  }
}

/**
 * Records every text the elements matching `selector` show from now on (sampled after each DOM
 * mutation), so a test can assert that a state never appeared, even briefly.
 */
export async function recordTexts(page, selector) {
  const key = `__seen_${Math.random().toString(36).slice(2)}`;
  await page.evaluate(([sel, k]) => {
    const seen = new Set();
    window[k] = seen;
    const sample = () => {
      for (const el of document.querySelectorAll(sel)) seen.add(el.textContent);
    };
    new MutationObserver(sample).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    sample();
  }, [selector, key]);
  return async () => page.evaluate((k) => [...window[k]], key);
}

// ---------- accessibility ----------

const AXE_SCRIPT = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/**
 * Runs axe-core's WCAG 2.1 A/AA rules on the page (including open shadow roots, so the
 * module's terms dialog is checked too) and fails with a readable list of violations.
 */
export async function assertAccessible(page, label) {
  await page.addScriptTag({ path: AXE_SCRIPT });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
    }));
  });
  assert.deepEqual(violations, [], `${label}: accessibility violations\n${JSON.stringify(violations, null, 2)}`);
}
