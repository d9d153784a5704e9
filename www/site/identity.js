/*
 * Who is browsing the demo shop.
 *
 * A classic (non-module) script that runs synchronously *before*
 * glance-presence-visitor.js: the module reads its configuration when it starts, so
 * the visitor id has to be in window.GLANCE_COBROWSE by then (spec §1: the
 * global object is one of the configuration sources, after the data-*
 * attributes of the script tag).
 *
 * The id comes from `?visitorid=` (handy for links and tests), else from
 * localStorage, else a fresh random "shopper-NNNN"; it is stored so every
 * page of the site reports the same visitor.
 */
(function () {
  "use strict";

  var STORAGE_KEY = "demo-shop.visitorid";
  // Spec §3.1: 1..100 characters of A-Z a-z 0-9 - _ ~
  var VALID_VISITOR_ID = /^[A-Za-z0-9_~-]{1,100}$/;

  function read() {
    try { return localStorage.getItem(STORAGE_KEY); } catch (e) { return null; }
  }
  function write(id) {
    try { localStorage.setItem(STORAGE_KEY, id); } catch (e) { /* private mode: id lives for this page only */ }
  }

  var fromUrl = new URLSearchParams(location.search).get("visitorid");
  var id = fromUrl && VALID_VISITOR_ID.test(fromUrl) ? fromUrl : read();
  if (!id || !VALID_VISITOR_ID.test(id)) {
    id = "shopper-" + String(1000 + Math.floor(Math.random() * 9000));
  }
  write(id);
  if (fromUrl !== null) {
    // Stored now: drop it from the address so links and the reported page stay clean.
    var url = new URL(location.href);
    url.searchParams.delete("visitorid");
    history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  }

  window.GLANCE_COBROWSE = Object.assign({}, window.GLANCE_COBROWSE, { visitorid: id });
  window.DemoShopIdentity = { storageKey: STORAGE_KEY, valid: VALID_VISITOR_ID, visitorId: id, save: write };
})();
