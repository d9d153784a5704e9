// The webhook receiver of the server tests (server/tests/webhooks_*.rs): a plain Node HTTP
// server that checks every delivery with the `standardwebhooks` library, not with the server's
// own code, and records it as one JSON line per request in the --out file (appended, so a
// restarted receiver keeps its history).
//
//   node receiver.mjs --secret whsec_... [--secret whsec_...] --out FILE --addr-file FILE
//                     [--port N] [--script 500,429:2,200] [--hang]
//
// Every --secret must verify (a rotation sends one signature per secret). --script lists the
// answers to give, in order, one per request (`429:2` is 429 with `Retry-After: 2`); after the
// list, 200. --hang: accept requests and never answer them.

import { createServer } from "node:http";
import { appendFileSync, writeFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";

const args = process.argv.slice(2);
const opt = { secrets: [], script: [], port: 0, hang: false };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--secret") opt.secrets.push(args[++i]);
  else if (a === "--out") opt.out = args[++i];
  else if (a === "--addr-file") opt.addrFile = args[++i];
  else if (a === "--port") opt.port = Number(args[++i]);
  else if (a === "--script") opt.script = args[++i].split(",").filter(Boolean);
  else if (a === "--hang") opt.hang = true;
  else throw new Error(`unknown argument ${a}`);
}
if (!opt.out || opt.secrets.length === 0) throw new Error("--out and --secret are required");
const hooks = opt.secrets.map((s) => new Webhook(s));

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    if (opt.hang) return;
    const body = Buffer.concat(chunks).toString("utf8");
    const record = {
      at: Date.now(),
      method: req.method,
      path: req.url,
      id: req.headers["webhook-id"] ?? null,
      timestamp: req.headers["webhook-timestamp"] ?? null,
      signatures: (req.headers["webhook-signature"] ?? "").split(" ").filter(Boolean).length,
      contentType: req.headers["content-type"] ?? null,
      verified: false,
      // The request as it came, for `presence-server webhook-verify`.
      raw:
        `${req.method} ${req.url} HTTP/1.1\r\n` +
        Object.entries(req.headers).map(([k, v]) => `${k}: ${v}\r\n`).join("") +
        `\r\n${body}`,
    };
    try {
      for (const hook of hooks) {
        const payload = hook.verify(body, req.headers);
        record.type = payload.type;
        record.eventTimestamp = payload.timestamp;
        record.data = payload.data;
      }
      record.verified = true;
    } catch (e) {
      record.error = String(e && e.message ? e.message : e);
    }
    let status = record.verified ? 200 : 400;
    const headers = { "content-type": "text/plain" };
    if (record.verified && opt.script.length > 0) {
      const [code, retryAfter] = opt.script.shift().split(":");
      status = Number(code);
      if (retryAfter !== undefined) headers["retry-after"] = retryAfter;
    }
    record.status = status;
    appendFileSync(opt.out, JSON.stringify(record) + "\n");
    res.writeHead(status, headers);
    res.end(status === 200 ? "ok" : "no");
  });
});

server.listen(opt.port, "127.0.0.1", () => {
  const { port } = server.address();
  if (opt.addrFile) writeFileSync(opt.addrFile, String(port));
  else console.log(port);
});
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => process.exit(0));
