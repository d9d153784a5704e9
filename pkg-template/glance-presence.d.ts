// Types of the globals installed by glance-presence.js (all of them) and glance-presence-visitor.js
// (GLANCE.Presence.Visitor and GLANCE.Cobrowse only).

declare namespace GLANCE {
  /** `onfail(reason)` codes. */
  type FailReason = "authorization" | "connection" | "visitornotpresent" | "error" | "serviceunavailable" | "invalidparameter";

  interface Callbacks<T = void> {
    onsuccess?: (result: T) => void;
    onfail?: (reason: FailReason) => void;
  }

  /** `{error, detail}` given to `onerror`; a failed connection is `{error: "connfail", detail}`. */
  interface ErrorEvent {
    error: string;
    detail?: string;
  }

  interface ConnectedEvent {
    groupid: number;
    visitorid: string;
  }

  /** A visitor's presence map: `url`, `browser`, `browserver`, `platform`, `user-*` fields and custom data. */
  interface PresenceData {
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

  namespace Authorization {
    interface AuthorizeParams extends Callbacks {
      service?: string;
      credentials: { partnerid: string | number; partneruserid: string; loginkey: string };
      groupid?: string | number;
      /** Minutes, clamped to 1..120. */
      duration?: number;
      onfail?: (reason: "authorization" | "connection" | "error") => void;
    }
    function authorize(params: AuthorizeParams): void;
    function setToken(token: string): void;
    function gettoken(): string | undefined;
    function clearToken(): void;
    function authorized(): boolean;
  }

  namespace Presence {
    interface AgentParams {
      visitorid?: string;
      uniqueid?: string;
      groupid?: string | number;
      presenceserver?: string;
    }

    class Agent {
      constructor(params: AgentParams);
      lookupVisitor(params: Callbacks<PresenceData | Record<string, never>>): void;
      signalVisitor(params: Callbacks & { data?: unknown }): void;
      invokeVisitor(params: Callbacks & { func: string; args?: Record<string, unknown> }): void;
      connect(): void;
      disconnect(): void;
      query(params: Callbacks<{ visitors: PresenceData[] }> & { visitorid?: string }): void;
      setVisitorId(id: string): void;
      isconnected(): boolean;

      onvisitorconn?: (e: { connected: boolean }) => void;
      onvisitorsock?: (e: { connected: boolean }) => void;
      onpresence?: (presence: PresenceData) => void;
      onterms?: (e: { status: "displayed" | "accepted" | "declined" }) => void;
      onvisitorsessionstart?: (data: Record<string, unknown>) => void;
      onvisitorsessionend?: (data: Record<string, unknown>) => void;
      onvisitorerror?: (data: Record<string, unknown>) => void;
      onvisibility?: (e: { visibility: "visible" | "hidden" }) => void;
      onconnected?: (data: ConnectedEvent) => void;
      onerror?: (e: ErrorEvent) => void;
      onclose?: () => void;
      /** `on<type>` for custom visitor events (`c_*`). */
      [handler: `on${string}`]: ((data: any) => void) | undefined;
    }

    interface VisitorParams {
      groupid?: string | number;
      visitorid?: string;
    }

    class Visitor {
      constructor(params?: VisitorParams);
      /** The last visitor created. */
      static instance?: Visitor;
      static setVisitorId(id: string): void;

      presence(params?: { data?: Record<string, string | number | boolean | null> }): void;
      connect(): void;
      disconnect(): void;
      connectUnique(params?: { data?: Record<string, string | number | boolean | null> }): void;
      extendUnique(): void;
      setVisitorId(id: string): void;
      fire(type: string, data?: Record<string, unknown>): void;
      signalAgent(name: string, props?: Record<string, unknown>): void;
      signalVisibility(visible: boolean): void;
      setDefaultUI(on: boolean): void;
      isconnected(): boolean;

      onsignal?: (data: any) => void;
      onerror?: (e: ErrorEvent) => void;
      onuniqueid?: (uniqueid: string, timeoutSeconds: number) => void;
      onclose?: () => void;
      onconnected?: (data: ConnectedEvent) => void;
      onblur?: () => void;
      onshowterms?: (e: { sessionkey: string; termsurl?: string }) => void;
      [handler: `on${string}`]: ((...args: any[]) => void) | undefined;
    }
  }

  namespace Cobrowse {
    namespace Visitor {
      function showTerms(args?: { sessionKey?: string; termsurl?: string; remote?: boolean }): void;
      function startSession(args?: { sessionKey?: string }): void;
      function stopSession(): void;
    }
    namespace VisitorUI {
      function showTerms(args?: { sessionKey?: string; termsurl?: string; remote?: boolean }): void;
    }
  }
}

interface Window {
  GLANCE_COBROWSE?: Record<string, unknown>;
  GLANCE_PRESENCE_SRC?: string;
}

interface WindowEventMap {
  "glance:startsession": CustomEvent<{ sessionkey: string }>;
  "glance:stopsession": CustomEvent<{ sessionkey: string }>;
}
