// The banner (a non-modal region, first in keyboard order), and the loading of the dialog
// (dialog.js, a file of its own).
//
// Takes from the bundle: CONFIG, window, document.
// Takes from record.js: OPTIONAL, _grants.
// Takes from main.js: GPC, state, _all, _choose.
// Provides: T, _el, _button (to gate.js), _showBanner, _pad,
// _openDialog, _closeDialog (to main.js).

// The script is in one language: a page loads the one of its own language (bundle.py).
var T = CONFIG.texts, _banner, _dialog, _loading,
  // This script's own URL and nonce, read while it runs: the dialog's file is loaded like it.
  _me = document.currentScript || {}, _src = (_me.src || "").split(/[?#]/)[0], _nonce = _me.nonce || "";

function _el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
}

function _button(text, onclick) {
  var b = _el("button", "ppc-btn", text);
  b.type = "button";
  b.onclick = onclick;
  return b;
}

// The three choices, alike: accept all, reject all, and ``third`` (its text) doing ``f``.
// ``how`` is where they are, for the receipt: b (the banner) or d (the dialog).
function _actions(how, third, f) {
  var row = _el("div", "ppc-actions");
  row.append(
    _button(T.accept_all, function () { _choose(_all(true), how); }),
    _button(T.reject_all, function () { _choose(_all(false), how); }),
    _button(third, f)
  );
  return row;
}

// The page keeps room below the banner, so a focused element is never hidden behind it: it can
// scroll past the banner, and scrolls focused elements clear of it.
function _pad() {
  document.documentElement.style.scrollPaddingBottom = document.body.style.paddingBottom =
    _banner && !_banner.hidden ? _banner.offsetHeight + "px" : "";
}

// Shows the banner while there is no choice (``choice`` is falsy), hides it once there is one;
// none on a site with no optional category, where there is nothing to choose.
function _showBanner(choice) {
  if (!_banner) {
    if (choice || !OPTIONAL.length) return;
    _banner = _el("section", "ppc-banner");
    _banner.setAttribute("aria-label", T.region);
    var link = _el("a", "", T.policy_link);
    link.href = CONFIG.policyUrl;
    _banner.append(_el("p", "ppc-text", T.banner));
    if (GPC) _banner.append(_el("p", "ppc-gpc", T.gpc));
    // The three choices come first in keyboard order, the policy link after them.
    _banner.append(_actions("b", T.manage, _openDialog), link);
    document.body.prepend(_banner);
  }
  _banner.hidden = !!choice;
  _pad();
}


// The dialog is a file of its own (dialog.js), loaded the first time it is asked for, so that a
// page loads only the banner's code before any click. It comes from this script's folder, with
// its integrity; it calls window.ppcDialog with its own open and close, and is handed what it
// needs of this bundle.
function _openDialog() {
  if (_dialog) return _dialog.open();
  if (_loading) return;
  var s = _loading = _el("script");
  window.ppcDialog = function (d) {
    _dialog = d;
    return {
      state: state, gpc: GPC, all: _all, grants: _grants, choose: _choose, el: _el, button: _button,
      actions: _actions, banner: _showBanner
    };
  };
  s.src = _src.replace(/[^/]*$/, CONFIG.dialog[0]);
  s.integrity = CONFIG.dialog[1];
  s.crossOrigin = "anonymous";
  s.nonce = _nonce;
  // Loaded: it opens (unless the file was not the dialog). Not loaded (offline, a proxy that
  // altered it): the next click tries again, and the banner's own choices stay.
  s.onload = s.onerror = function () {
    delete window.ppcDialog;
    s.remove();
    _loading = 0;
    if (_dialog) _dialog.open();
  };
  document.body.append(s);
}

function _closeDialog() {
  if (_dialog) _dialog.close();
}
