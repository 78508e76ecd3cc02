// The banner (a non-modal region, first in keyboard order) and the dialog (a native modal <dialog>:
// focus stays inside, Escape closes it, and neither is a choice).

var LANG = (document.documentElement.lang || "").slice(0, 2).toLowerCase();
if (!CONFIG.texts[LANG]) LANG = Object.keys(CONFIG.texts)[0];
var T = CONFIG.texts[LANG];
var _banner, _dialog, _returnTo;

function _el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
}

function _button(text, action) {
  var b = _el("button", "ppc-btn", text);
  b.type = "button";
  b.setAttribute("data-ppc", action);
  return b;
}

function _actions(list) {
  var row = _el("div", "ppc-actions");
  list.forEach(function (a) { row.append(_button(T[a[0]], a[1])); });
  return row;
}

// The page keeps room below the banner, so a focused element is never hidden behind it: it can
// scroll past the banner, and scrolls focused elements clear of it.
function _pad() {
  var px = _banner && !_banner.hidden ? _banner.offsetHeight + "px" : "";
  document.documentElement.style.scrollPaddingBottom = document.body.style.paddingBottom = px;
}

// Shows the banner while there is no choice (``choice`` is falsy), hides it once there is one.
function _showBanner(choice) {
  if (!_banner && choice) return;
  if (!_banner) {
    _banner = _el("section", "ppc-banner");
    _banner.setAttribute("aria-label", T.region);
    var link = _el("a", "", T.policy_link);
    link.href = CONFIG.policyUrl;
    _banner.append(_el("p", "ppc-text", T.banner));
    if (GPC) _banner.append(_el("p", "ppc-gpc", T.gpc));
    // The three choices come first in keyboard order, the policy link after them.
    _banner.append(_actions([["accept_all", "all"], ["reject_all", "none"], ["manage", "manage"]]), link);
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
  if (GPC) _dialog.append(_el("p", "ppc-gpc", T.gpc));
  CONFIG.categories.forEach(function (c) {
    var row = _el("div", "ppc-category"), label = _el("label"), box = _el("input");
    box.type = "checkbox";
    box.name = c.id;
    box.setAttribute("role", "switch");
    box.checked = box.disabled = c.necessary;
    label.append(box, " " + c.title[LANG] + (c.necessary ? " (" + T.always_on + ")" : ""));
    row.append(label, _el("p", "", c.description[LANG]));
    if (c.services.length) row.append(_el("p", "ppc-services", c.services.join(", ")));
    _dialog.append(row);
  });
  _dialog.append(_actions([["accept_all", "all"], ["reject_all", "none"], ["save", "save"]]));
  var close = _button("×", "close");
  close.className += " ppc-close";
  close.setAttribute("aria-label", T.close);
  _dialog.append(close);
  _dialog.onclose = function () {
    if (_returnTo && _returnTo.focus) _returnTo.focus();
  };
  // Tab and Shift+Tab go round inside the dialog, never out to the page or the browser.
  _dialog.onkeydown = function (e) {
    var all = _dialog.querySelectorAll("button,input:not([disabled])"), n = all.length - 1;
    var at = document.activeElement;
    if (e.key === "Tab" && (e.shiftKey ? at === all[0] || at === title : at === all[n])) {
      e.preventDefault();
      all[e.shiftKey ? n : 0].focus();
    }
  };
  document.body.append(_dialog);
}

function _openDialog() {
  if (!_dialog) _buildDialog();
  _returnTo = document.activeElement;
  OPTIONAL.forEach(function (c) { _dialog.querySelector("[name=" + c.id + "]").checked = !!state.granted[c.id]; });
{%- if config.receipts %}
  // The choice's date and reference (the id its receipts carry), to quote in a question.
  var ref = _dialog.querySelector(".ppc-ref");
  if (state.record) {
    if (!ref) _dialog.querySelector("h2").after(ref = _el("p", "ppc-ref"));
    ref.textContent = T.reference.replace("{date}", new Date(state.record.ts).toLocaleDateString(LANG)).replace("{id}", state.record.id);
  }
{%- endif %}
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
