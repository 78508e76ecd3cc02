// Start-up, choices, Global Privacy Control, Google Consent Mode, other tabs, and the public API.

var GPC = navigator.globalPrivacyControl === true;
{%- if config.receipts %}
// This script's own file: a receipt names it, and the receiver finds its release by it.
var BUNDLE = ((document.currentScript || {}).src || "").split("/").pop();
{%- endif %}
var state = { record: _load() };
// No choice: every optional category false, as own keys (a polluted Object.prototype grants none).
state.granted = state.record ? state.record.c : _all(false);
var _listeners = [];
var _channel = window.BroadcastChannel ? new BroadcastChannel("privacy-consent") : null;

function _copy(r) {
  return r && JSON.parse(JSON.stringify(r));
}

function gtag() {
  (window.dataLayer = window.dataLayer || []).push(arguments);
}

// Each signal is granted while a category it follows is (consent.yml's consent_mode).
function _consentMode(kind) {
  var m = CONFIG.consentMode, s = {};
  if (!m) return;
  Object.keys(m).forEach(function (k) {
    s[k] = m[k].some(function (id) { return state.granted[id]; }) ? "granted" : "denied";
  });
  gtag("consent", kind, s);
}

// The granted categories for "accept all": everything, except what GPC refuses.
function _all(on) {
  var c = {};
  OPTIONAL.forEach(function (o) { c[o.id] = on && !(GPC && o.gpc); });
  return c;
}

function _newId() {
  return Array.prototype.map.call(crypto.getRandomValues(new Uint8Array(8)), function (b) {
    return (b + 256).toString(16).slice(1);
  }).join("");
}

{%- if config.receipts %}
function _any(r) {
  return !!r && OPTIONAL.some(function (o) { return r.c[o.id]; });
}
{%- endif %}

// ``how``: b (the banner), d (the dialog), p (a placeholder's Allow) or a (the API): how a
// receipt says the choice was made.
function _choose(c, how) {
  var before = state.record;
  var r = { v: 1, id: before ? before.id : _newId(), ts: Date.now(), pv: CONFIG.revision, c: c, gpc: GPC };
  // Stored, and the other tabs told, before anything of the page's runs. They are sent the value
  // itself: a cookie just written may not be readable in another tab yet.
  var value = _save(r);
  if (_channel) _channel.postMessage(value);
{%- if config.receipts %}
  // The receipt goes before the choice applies (a withdrawal reloads the page): sendBeacon
  // queues it, and the browser sends it even if the page is gone. Its keys are short, as every
  // page carries this code: the receiver stores the record with full names (receipts/validate.py).
  try {
    navigator.sendBeacon(CONFIG.receipts, new Blob([JSON.stringify({
      v: 1, i: _newId(), s: r.id, t: new Date(r.ts).toISOString(),
      e: before ? (_any(before) && !_any(r) ? "w" : "c") : _any(r) ? "g" : "r",
      m: how, c: c, r: r.pv, b: BUNDLE, l: document.documentElement.lang || "und",
      p: location.pathname, g: GPC
    })], { type: "application/json" }));
  } catch (e) { /* no sendBeacon, or it refused: the choice applies all the same */ }
{%- endif %}
  _apply(r);
}

function _apply(r) {
  var before = state.granted;
  state.record = r;
  state.granted = r ? r.c : _all(false);
  _closeDialog();
  _showBanner(r);
  _sweep(state.granted);
  // A script that already ran cannot be unloaded: the page reloads (the navigation starts after
  // this; the listeners are told first), and the script will not run again.
  var reload = Object.keys(_ran).some(function (id) { return before[id] && !state.granted[id]; });
  if (reload) location.reload();
  // A dataLayer that throws stops here: nothing more is enabled (as at start-up, no Consent Mode
  // means nothing gated runs), but a withdrawal has been swept and reloads.
  _consentMode("update");
  if (!reload) _enableAll(document);
  // Each listener runs isolated, with a copy of the record: what it throws is reported, and the
  // others and the DOM event follow.
  _listeners.forEach(function (f) {
    try {
      f(_copy(r));
    } catch (e) {
      try { (window.reportError || console.error)(e); } catch (x) { /* reporting failed too */ }
    }
  });
  document.dispatchEvent(new CustomEvent("privacyconsent:change", { detail: _copy(r) }));
}

// Another tab, or a sub domain sharing the cookie, may have changed the choice: another tab sends
// the new value (read by the cookie's rules; any other message means "read the cookie"), the
// Cookie Store API says so at once where the browser has it, and the page re-reads when shown.
// Messages and cookie events arrive in no set order: a record older than the one in force is
// not applied (the cookie is read instead).
function _sync(e) {
  var r = e && _parse(e.data);
  if (!r || r.ts < (state.record || r).ts) r = _load();
  if (JSON.stringify(r) !== JSON.stringify(state.record)) _apply(r);
}

function _onClick(e) {
  var t = e.target.closest && e.target.closest("[data-ppc],[data-privacy-consent]");
  if (!t) return;
  var a = t.getAttribute("data-ppc") || "settings";
  if (a === "settings" || a === "manage") _openDialog();
  else if (a === "close") _closeDialog();
  else if (a === "all" || a === "none") _choose(_all(a === "all"), t.closest(".ppc-dialog") ? "d" : "b");
  else if (a === "save") _choose(_dialogChoice(), "d");
  else if (a === "allow") {
    var c = Object.assign({}, _all(false), state.granted);
    c[t.value] = true;
    _choose(c, "p");
  }
}

function _start() {
  _enableAll(document);
  _watch();
  _showBanner(state.record);
  document.addEventListener("click", _onClick);
  window.addEventListener("resize", _pad);
}

_consentMode("default");
if (state.record) _consentMode("update");
_sweep(state.granted);
document.documentElement.classList.add("ppc-js");
if (_channel) _channel.onmessage = _sync;
if (window.cookieStore) cookieStore.addEventListener("change", _sync);
document.addEventListener("visibilitychange", function () { if (!document.hidden) _sync(); });
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", _start);
else _start();

function _fail() {
  throw new TypeError("PrivacyConsent: invalid argument");
}

// Arguments are checked before anything changes: accept() takes an array of optional category
// ids (own elements only, each read once; no hole but at the end, no other property), on() the
// event "change" and a function.
window.PrivacyConsent = {
  get: function () { return _copy(state.record); },
  accept: function (ids) {
    var c = _all(false);
    if (!Array.isArray(ids)) _fail();
    Object.keys(ids).forEach(function (k, i) {
      var o = _category(ids[k]);
      if (k !== "" + i || !o || o.necessary) _fail();
      c[o.id] = true;
    });
    _choose(c, "a");
  },
  acceptAll: function () { _choose(_all(true), "a"); },
  rejectAll: function () { _choose(_all(false), "a"); },
  show: _openDialog,
  on: function (event, f) {
    if (event !== "change" || typeof f != "function") _fail();
    _listeners.push(f);
  }
};
