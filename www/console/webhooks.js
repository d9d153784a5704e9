/*
 * The group's webhooks, as the console shows them: the recent deliveries this
 * server made to the group's endpoints (event, endpoint, state, last status,
 * attempts, latency) and a button that sends a `webhook.test` event.
 * REST, with the agent token: GET /webhooks/deliveries, POST /webhooks/test
 * (docs/WEBHOOKS.md). Polled every few seconds while signed in.
 */

const POLL_MS = 5000;

function token() {
  try { return window.GLANCE?.Authorization?.gettoken() ?? ""; } catch { return ""; }
}

async function call(method, path) {
  const res = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${token()}` },
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(body.msg || body.err || `HTTP ${res.status}`), { status: res.status });
  return body;
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.append(td);
  return td;
}

function when(ms) {
  return new Date(ms).toLocaleTimeString();
}

export class WebhookPanel {
  /** `root`: the panel's section; `groupId`: the signed-in group. */
  constructor(root, groupId) {
    this.root = root;
    this.query = `groupid=${encodeURIComponent(groupId)}`;
    this.rows = root.querySelector("[data-webhook-rows]");
    this.empty = root.querySelector("[data-webhook-empty]");
    this.table = root.querySelector("[data-webhook-table]");
    this.status = root.querySelector("[data-webhook-status]");
    this.button = root.querySelector("[data-webhook-test]");
    this.onTest = () => this.sendTest();
    this.timer = 0;
  }

  start() {
    this.root.hidden = false;
    this.button.addEventListener("click", this.onTest);
    this.refresh();
  }

  /** Stops polling and removes the button's listener. */
  stop() {
    clearTimeout(this.timer);
    this.timer = 0;
    this.button.removeEventListener("click", this.onTest);
    this.root.hidden = true;
    this.rows.replaceChildren();
  }

  async refresh() {
    clearTimeout(this.timer);
    try {
      this.render(await call("GET", `/webhooks/deliveries?${this.query}`));
    } catch (err) {
      this.status.textContent = `Deliveries unavailable: ${err.message}`;
    }
    this.timer = setTimeout(() => this.refresh(), POLL_MS);
  }

  render({ endpoints = 0, deliveries = [] }) {
    this.button.disabled = endpoints === 0;
    this.empty.hidden = deliveries.length > 0;
    this.table.hidden = deliveries.length === 0;
    this.empty.textContent = endpoints === 0
      ? "This group has no webhook endpoints ([[groups.webhooks]] in the server configuration)."
      : `No deliveries yet to the group's ${endpoints === 1 ? "endpoint" : `${endpoints} endpoints`}.`;
    this.rows.replaceChildren(...deliveries.map((d) => {
      const row = document.createElement("tr");
      cell(row, when(d.at_ms));
      cell(row, d.event);
      cell(row, d.endpoint);
      cell(row, d.state).dataset.state = d.state;
      cell(row, d.status);
      cell(row, String(d.attempts));
      cell(row, `${d.latency_ms} ms`);
      return row;
    }));
  }

  async sendTest() {
    this.button.disabled = true;
    try {
      const { queued } = await call("POST", `/webhooks/test?${this.query}`);
      this.status.textContent = `Test event queued for ${queued} endpoint${queued === 1 ? "" : "s"}.`;
    } catch (err) {
      this.status.textContent = `Test event refused: ${err.message}`;
    } finally {
      this.button.disabled = false;
      setTimeout(() => this.refresh(), 500);
    }
  }
}
