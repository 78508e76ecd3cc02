// Start-up, choices, Global Privacy Control, Google Consent Mode, other tabs, and the public API.
// Last in the bundle: its start-up code runs once every other file has declared its names.
//
// Takes from the bundle: CONFIG, window, document.
// Takes from record.js: OPTIONAL, SERVICES, _services, _grants, _load, _parse, _save, _sweep.
// Takes from gate.js: _category, _enableAll, _watch, _ran.
// Takes from ui.js: _showBanner, _pad, _openDialog, _closeDialog.
// Takes from receipts.js (called only when CONFIG.receipts is set): _receipt.
// Provides: state (to record.js, gate.js, ui.js), GPC, _all (to ui.js), _choose (to gate.js,
// ui.js), _newId (to receipts.js), and window.PrivacyConsent to the page.

var GPC = navigator.globalPrivacyControl === true, state = { record: _load() }, _listeners = [],
  _channel = window.BroadcastChannel ? new BroadcastChannel("privacy-consent") : null;

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
    // [category] or [category, service]: the service where it is chosen on its own.
    s[k] = m[k].some(function (x) { return _grants(state.record, x[0], x[1]); }) ? "granted" : "denied";
  });
  gtag("consent", kind, s);
}

// The categories granted by ``from``: true (accept all), false (reject all) or a record's choice
// (its own keys: a false is never looked into, as a polluted Object.prototype would answer),
// except what Global Privacy Control refuses.
function _all(from) {
  var c = {};
  OPTIONAL.forEach(function (o) { c[o.id] = (from === true || !!from && from[o.id] === true) && !(GPC && o.gpc); });
  return c;
}

function _newId() {
  return Array.from(crypto.getRandomValues(new Uint8Array(8)), function (b) {
    return (b + 256).toString(16).slice(1);
  }).join("");
}

// The new record of choice ``c`` (and ``s``, of the services chosen on their own: each on with
// its category where not given), stored, and the other tabs told, before anything of the page's
// runs. They are sent the value itself: a cookie just written may not be readable in another tab
// yet. ``how``: b (the banner), d (the dialog), p (a placeholder's Allow), a (the API) or g (Global
// Privacy Control): how a receipt says the choice was made.
function _record(c, how, s) {
  var before = state.record, r, value;
  // A category chosen per service is on while one of its services is.
  s = _services(c, s);
  SERVICES.forEach(function (x) { c[x[1]] = false; });
  SERVICES.forEach(function (x) { c[x[1]] = c[x[1]] || s[x[0]]; });
  // A refusal has none: it holds as it is when a service is added (record.js).
  if (!OPTIONAL.some(function (o) { return c[o.id]; })) s = undefined;
  r = { v: 1, id: before ? before.id : _newId(), ts: Date.now(), pv: CONFIG.revision, c: c, s: s, gpc: GPC };
  value = _save(r);
  if (_channel) _channel.postMessage(value);
  // With receipts on, the receipt goes now, before the choice applies (receipts.js).
  if (CONFIG.receipts) _receipt(r, before, how);
  return r;
}

function _choose(c, how, s) {
  _apply(_record(c, how, s));
}

function _apply(r) {
  var was = state.record, reload;
  state.record = r;
  state.granted = r ? r.c : _all(false);
  _closeDialog();
  _showBanner(r);
  _sweep(state.granted);
  // A script that already ran cannot be unloaded: the page reloads (the navigation starts after
  // this; the listeners are told first), and the script will not run again.
  reload = _ran.some(function (x) { return _grants(was, x[0], x[1]) && !_grants(r, x[0], x[1]); });
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

// A page's own button (data-privacy-consent="settings", as in its footer) opens the dialog.
function _onClick(e) {
  if (e.target.closest && e.target.closest("[data-privacy-consent]")) _openDialog();
}

function _start() {
  _enableAll(document);
  _watch();
  _showBanner(state.record);
  document.addEventListener("click", _onClick);
  window.addEventListener("resize", _pad);
}

// A choice made before the browser sent Global Privacy Control yields to the signal (CCPA
// regulations 7025(c)(3)): what GPC refuses goes off, as a new choice made by GPC. One made with
// the signal on stands: it is the visitor's explicit opt-in.
if (GPC && state.record && !state.record.gpc) {
  var gpc = _all(state.record.c);
  if (JSON.stringify(gpc) !== JSON.stringify(state.record.c)) state.record = _record(gpc, "g", state.record.s);
}
// No choice: every optional category false, as own keys (a polluted Object.prototype grants none).
state.granted = state.record ? state.record.c : _all(false);
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
