/*
 * Login keys, made the way a CRM back end makes them (spec §4.2):
 *
 *   $1$<expires>$<sig>
 *   sig = first 43 characters of Base64(HMAC-SHA256(key = API key,
 *                                       message = groupid + userid + "1" + expires))
 *
 * A real deployment keeps the API key on its server; the demo console does it
 * in the browser with WebCrypto so it can run with nothing else installed.
 */

/** Raised when the page cannot use WebCrypto (plain http on a non-local host). */
export class InsecureContextError extends Error {
  constructor() {
    super("WebCrypto is only available on https:// pages or on localhost");
    this.name = "InsecureContextError";
  }
}

/**
 * Returns a login key for `userId` in `groupId`, valid for `lifetimeSeconds`
 * (the server accepts at most 24 hours ahead).
 */
export async function makeLoginKey({ groupId, userId, apiKey, lifetimeSeconds = 3600, now = Date.now() }) {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new InsecureContextError();

  const expires = Math.floor(now / 1000) + lifetimeSeconds;
  const utf8 = new TextEncoder();
  const key = await subtle.importKey(
    "raw", utf8.encode(apiKey), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await subtle.sign("HMAC", key, utf8.encode(`${groupId}${userId}1${expires}`));
  return `$1$${expires}$${base64(new Uint8Array(mac)).slice(0, 43)}`;
}

function base64(bytes) {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
