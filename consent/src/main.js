// Start-up, choices, Global Privacy Control, Google Consent Mode, other tabs, and the public API.

var GPC = navigator.globalPrivacyControl === true;
var state = { record: _load() };
// No choice: every optional category false, as own keys (a polluted Object.prototype grants none).
state.granted = state.record ? state.record.c : _all(false);
var _listeners = [];
var _channel = window.BroadcastChannel ? new BroadcastChannel("privacy-consent") : null;

function gtag() {
  (window.dataLayer = window.dataLayer || []).push(arguments);
}

function _consentMode(kind) {
  if (!CONFIG.consentMode) return;
  var ads = state.granted.advertising ? "granted" : "denied";
  gtag("consent", kind, {
    ad_storage: ads, ad_user_data: ads, ad_personalization: ads,
    analytics_storage: state.granted.analytics ? "granted" : "denied"
  });
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

function _choose(c) {
  var r = { v: 1, id: state.record ? state.record.id : _newId(), ts: Date.now(), pv: CONFIG.revision, c: c, gpc: GPC };
  _save(r);
  _apply(r);
  if (_channel) _channel.postMessage(1);
}

function _apply(r) {
  var before = state.granted;
  state.record = r;
  state.granted = r ? r.c : _all(false);
  _closeDialog();
  _showBanner(r);
  _consentMode("update");
  _sweep(state.granted);
  // A script that already ran cannot be unloaded: reload, and it will not run again.
  if (Object.keys(_ran).some(function (id) { return before[id] && !state.granted[id]; })) return location.reload();
  _enableAll(document);
  _listeners.forEach(function (f) { f(r); });
  document.dispatchEvent(new CustomEvent("privacyconsent:change", { detail: r }));
}

// Another tab, or a sub domain sharing the cookie, may have changed the choice.
function _sync() {
  var r = _load();
  if (JSON.stringify(r) !== JSON.stringify(state.record)) _apply(r);
}

function _onClick(e) {
  var t = e.target.closest && e.target.closest("[data-ppc],[data-privacy-consent]");
  if (!t) return;
  var a = t.getAttribute("data-ppc") || "settings";
  if (a === "settings" || a === "manage") _openDialog();
  else if (a === "close") _closeDialog();
  else if (a === "all" || a === "none") _choose(_all(a === "all"));
  else if (a === "save") _choose(_dialogChoice());
  else if (a === "allow") {
    var c = Object.assign({}, _all(false), state.granted);
    c[t.value] = true;
    _choose(c);
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
document.addEventListener("visibilitychange", function () { if (!document.hidden) _sync(); });
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", _start);
else _start();

window.PrivacyConsent = {
  get: function () { return state.record ? JSON.parse(JSON.stringify(state.record)) : null; },
  accept: function (ids) {
    var c = _all(false);
    OPTIONAL.forEach(function (o) { c[o.id] = ids.indexOf(o.id) >= 0; });
    _choose(c);
  },
  acceptAll: function () { _choose(_all(true)); },
  rejectAll: function () { _choose(_all(false)); },
  show: _openDialog,
  on: function (event, f) { if (event === "change") _listeners.push(f); }
};
