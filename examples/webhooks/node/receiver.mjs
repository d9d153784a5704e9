// A webhook receiver for presence-server, to copy into a CRM back end.
//
//   npm install            (installs standardwebhooks)
//   PRESENCE_WEBHOOK_SECRET=whsec_... node receiver.mjs     (listens on :8787, POST /hook)
//
// Then, in the server's configuration:
//   [[groups.webhooks]]
//   url = "http://<this host>:8787/hook"
//   secret = "whsec_..."            (the same secret)
//
// It checks the signature on the raw body with the standardwebhooks library, drops repeats by
// webhook-id (a retry carries the same id), answers 204 at once and handles the event after.

import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";

const secret = process.env.PRESENCE_WEBHOOK_SECRET;
if (!secret) {
  console.error("set PRESENCE_WEBHOOK_SECRET to the endpoint's whsec_... secret");
  process.exit(2);
}
const webhook = new Webhook(secret);
const port = Number(process.env.PORT ?? 8787);
// Ids seen lately. A real back end keeps them in its database with the event.
const seen = new Set();

function handle(event) {
  const { type, data } = event;
  switch (type) {
    case "visitor.present":
      console.log(`${data.visitorid} arrived on ${data.presence?.url}`);
      break;
    case "visitor.absent":
      console.log(`${data.visitorid} left (last page ${data.presence?.url})`);
      break;
    case "terms.accepted":
      console.log(`${data.visitorid} accepted the terms`);
      break;
    default:
      console.log(type, JSON.stringify(data));
  }
}

createServer((req, res) => {
  if (req.method !== "POST" || req.url !== "/hook") {
    res.writeHead(404).end();
    return;
  }
  const parts = [];
  req.on("data", (part) => parts.push(part));
  req.on("end", () => {
    const raw = Buffer.concat(parts).toString("utf8");
    let event;
    try {
      event = webhook.verify(raw, req.headers); // throws on a bad signature or a stale timestamp
    } catch (err) {
      res.writeHead(400).end();
      console.warn("refused a delivery:", err.message);
      return;
    }
    res.writeHead(204).end();
    const id = req.headers["webhook-id"];
    if (seen.has(id)) return;
    seen.add(id);
    if (seen.size > 10000) seen.delete(seen.values().next().value);
    handle(event);
  });
}).listen(port, () => console.log(`listening on :${port}, POST /hook`));
