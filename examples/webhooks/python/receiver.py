"""A webhook receiver for presence-server, to copy into a CRM back end.

    pip install standardwebhooks
    PRESENCE_WEBHOOK_SECRET=whsec_... python3 receiver.py     # listens on :8787, POST /hook

Then, in the server's configuration:

    [[groups.webhooks]]
    url = "http://<this host>:8787/hook"
    secret = "whsec_..."            # the same secret

It checks the signature on the raw body with the standardwebhooks library, drops repeats by
webhook-id (a retry carries the same id), answers 204 at once and handles the event after.
"""

import json
import os
import sys
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

SECRET = os.environ.get("PRESENCE_WEBHOOK_SECRET")
if not SECRET:
    sys.exit("set PRESENCE_WEBHOOK_SECRET to the endpoint's whsec_... secret")
WEBHOOK = Webhook(SECRET)
# Ids seen lately. A real back end keeps them in its database with the event.
SEEN = OrderedDict()


def handle(event):
    kind, data = event["type"], event["data"]
    if kind == "visitor.present":
        print(f"{data['visitorid']} arrived on {data['presence'].get('url')}")
    elif kind == "visitor.absent":
        print(f"{data['visitorid']} left (last page {data['presence'].get('url')})")
    else:
        print(kind, json.dumps(data))


class Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        if self.path != "/hook":
            self.send_response(404)
            self.end_headers()
            return
        length = min(int(self.headers.get("content-length", "0")), 1 << 20)
        raw = self.rfile.read(length)
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            event = WEBHOOK.verify(raw, headers)  # raises on a bad signature or a stale timestamp
        except Exception as err:  # the library raises its own error types
            self.send_response(400)
            self.end_headers()
            print("refused a delivery:", err, file=sys.stderr)
            return
        self.send_response(204)
        self.end_headers()
        msg_id = headers.get("webhook-id")
        if msg_id in SEEN:
            return
        SEEN[msg_id] = True
        if len(SEEN) > 10000:
            SEEN.popitem(last=False)
        handle(event)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8787"))
    print(f"listening on :{port}, POST /hook")
    ThreadingHTTPServer(("", port), Hook).serve_forever()
