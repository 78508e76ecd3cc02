// The banner (a non-modal region, first in keyboard order) and the dialog (a native modal <dialog>:
// focus stays inside, Escape closes it, and neither is a choice; on closing, the browser gives
// focus back to what had it before).
//
// Takes from the bundle: CONFIG, document.
// Takes from record.js: OPTIONAL.
// Takes from receipts.js (called only when CONFIG.receipts is set): _reference.
// Takes from main.js: GPC, state, _all, _choose.
// Provides: T (to gate.js, receipts.js), _el, _button (to gate.js), _showBanner, _pad,
// _openDialog, _closeDialog (to main.js).

// The script is in one language: a page loads the one of its own language (bundle.py).
var T = CONFIG.texts, _banner, _dialog, _ref;

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

// The three choices, alike: accept all, reject all, and ``third`` (its text's key) doing ``f``.
// ``how`` is where they are, for the receipt: b (the banner) or d (the dialog).
function _actions(how, third, f) {
  var row = _el("div", "ppc-actions");
  row.append(
    _button(T.accept_all, function () { _choose(_all(true), how); }),
    _button(T.reject_all, function () { _choose(_all(false), how); }),
    _button(T[third], f)
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
    _banner.append(_actions("b", "manage", _openDialog), link);
    document.body.prepend(_banner);
  }
  _banner.hidden = !!choice;
  _pad();
}


function _buildDialog() {
  _dialog = _el("dialog", "ppc-dialog");
  _dialog.setAttribute("aria-labelledby", "ppc-title");
  var title = _el("h2", "", T.dialog_title);
  title.id = "ppc-title";
  title.tabIndex = -1;
  _dialog.append(title);
  // With receipts on, a line under the title for the choice's reference (see _openDialog).
  if (CONFIG.receipts) _dialog.append(_ref = _el("p", "ppc-ref"));
  if (GPC) _dialog.append(_el("p", "ppc-gpc", T.gpc));
  CONFIG.categories.forEach(function (c) {
    var row = _el("div", "ppc-category"), label = _el("label"), box = _el("input");
    box.type = "checkbox";
    box.name = c.id;
    box.setAttribute("role", "switch");
    box.checked = box.disabled = c.necessary;
    label.append(box, " " + c.title + (c.necessary ? " (" + T.always_on + ")" : ""));
    row.append(label, _el("p", "", c.description));
    if (c.services.length) row.append(_el("p", "ppc-services", c.services.join(", ")));
    _dialog.append(row);
  });
  _dialog.append(_actions("d", "save", function () { _choose(_dialogChoice(), "d"); }));
  var close = _button("×", _closeDialog);
  close.className += " ppc-close";
  close.setAttribute("aria-label", T.close);
  _dialog.append(close);
  // Tab and Shift+Tab go round inside the dialog, never out to the page or the browser.
  _dialog.onkeydown = function (e) {
    var all = _dialog.querySelectorAll("button,input:not([disabled])"), n = all.length - 1,
      at = document.activeElement;
    if (e.key === "Tab" && (e.shiftKey ? at === all[0] || at === title : at === all[n])) {
      e.preventDefault();
      all[e.shiftKey ? n : 0].focus();
    }
  };
  document.body.append(_dialog);
}

function _openDialog() {
  if (!_dialog) _buildDialog();
  OPTIONAL.forEach(function (c) { _dialog.querySelector("[name=" + c.id + "]").checked = !!state.granted[c.id]; });
  // With receipts on, the choice's date and reference, to quote in a question (receipts.js).
  if (CONFIG.receipts) _ref.textContent = _reference(state.record);
  if (!_dialog.open) _dialog.showModal();
  _dialog.querySelector("h2").focus();
}

function _dialogChoice() {
  var c = {};
  OPTIONAL.forEach(function (o) { c[o.id] = _dialog.querySelector("[name=" + o.id + "]").checked; });
  return c;
}

function _closeDialog() {
  if (_dialog && _dialog.open) _dialog.close();
}
