//! TypeScript types of what the exported classes take and give, for the package's `.d.ts`
//! (wasm-bindgen's own types for a `JsValue` argument are `any`). The page-facing globals
//! (`GLANCE.*`, as the loader installs them) are typed in `pkg-template/glance-presence.d.ts`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** `onfail(reason)` codes. */
export type FailReason = "authorization" | "connection" | "visitornotpresent" | "error" | "serviceunavailable" | "invalidparameter";
/** The `onsuccess` / `onfail` of a call, read when its outcome is known. */
export interface Callbacks<T = void> {
  onsuccess?: (result: T) => void;
  onfail?: (reason: FailReason) => void;
}
/** A visitor's presence map: `url`, `browser`, `browserver`, `platform`, `user-*` fields and custom data. */
export interface PresenceData {
  visitorid?: string;
  groupid?: number;
  visitorpresent?: boolean;
  timestamp?: number | string;
  url?: string;
  browser?: string;
  browserver?: string;
  platform?: "win" | "mac" | "linux" | "ios" | "android" | "other";
  [key: string]: unknown;
}
/** `new GLANCE.Presence.Agent(params)`. */
export interface AgentParams { visitorid?: string; uniqueid?: string; groupid?: string | number; presenceserver?: string; }
/** `new GLANCE.Presence.Visitor(params)`. */
export interface VisitorParams { groupid?: string | number; visitorid?: string; }
/** `signalVisitor(options)`. */
export interface SignalOptions extends Callbacks { data?: unknown; }
/** `invokeVisitor(options)`. */
export interface InvokeOptions extends Callbacks { func: string; args?: Record<string, unknown>; }
/** `lookupVisitor(options)`: `{}` when the visitor is not present. */
export type LookupOptions = Callbacks<PresenceData | Record<string, never>>;
/** `query(options)`. */
export interface QueryOptions extends Callbacks<{ visitors: PresenceData[] }> { visitorid?: string; }
/** `presence(options)` and `connectUnique(options)`. */
export interface PresenceOptions { data?: Record<string, string | number | boolean | null>; }
/** `GLANCE.Authorization.authorize(params)`. */
export interface AuthorizeParams extends Callbacks {
  service?: string;
  credentials: { partnerid: string | number; partneruserid: string; loginkey: string };
  groupid?: string | number;
  /** Minutes, clamped to 1..120. */
  duration?: number;
}
/** `GLANCE.Cobrowse.Visitor.showTerms(args)` and `startSession(args)`. */
export interface TermsArgs { sessionKey?: string; termsurl?: string; remote?: boolean; }
/**
 * The loader's page object: the handlers (`onpresence`, `onerror`, `onsignal`, …) are read from
 * it when each event fires.
 */
export type PageObject = object;
"#;
