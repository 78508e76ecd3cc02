// Gated markup (the contract page authors write) comes alive only for an allowed category:
//   <script type="text/plain" data-category="..." [src]>   <img|iframe data-category data-src>
//
// Takes from the bundle: CONFIG, document.
// Takes from record.js: _each.
// Takes from ui.js: T, _el, _button.
// Takes from main.js: state, _choose.
// Provides: _category, _enableAll, _watch, _ran (to main.js).

var SELECTOR = "[data-category]", _ran = {}, _queue = Promise.resolve();

function _category(id) {
  return CONFIG.categories.filter(function (c) { return c.id === id; })[0];
}

function _allowed(id) {
  var c = _category(id);
  return !!c && (c.necessary || !!state.granted[id]);
}

// Scripts run one after another in document order; an external one is awaited unless async.
function _run(old) {
  return new Promise(function (done) {
    var s = document.createElement("script");
    _each(old.attributes, function (a) {
      if (!/^(type|data-category|data-type)$/.test(a.name)) s.setAttribute(a.name, a.value);
    });
    if (old.nonce) s.nonce = old.nonce;
    if (old.getAttribute("data-type")) s.type = old.getAttribute("data-type");
    if (old.hasAttribute("src")) {
      s.async = old.hasAttribute("async");
      s.onload = s.onerror = done;
      if (s.async) done();
    } else {
      s.text = old.text;
    }
    old.parentNode.replaceChild(s, old);
    if (!old.hasAttribute("src")) done();
  });
}

function _enable(el) {
  var id = el.getAttribute("data-category");
  if (el._ppc || !_allowed(id)) return _placeholder(el, id);
  el._ppc = 1;
  _ran[id] = 1;
  if (el.tagName === "SCRIPT") {
    if (el.type === "text/plain") _queue = _queue.then(function () { return _run(el); });
    return;
  }
  ["srcset", "src"].forEach(function (name) {
    if (el.hasAttribute("data-" + name)) el.setAttribute(name, el.getAttribute("data-" + name));
  });
  if (el._ppcBox) {
    el._ppcBox.remove();
    el.hidden = false;
  }
}

// An iframe waiting for consent shows why, with a button that allows its category.
function _placeholder(el, id) {
  var c = _category(id);
  if (el.tagName !== "IFRAME" || el._ppcBox || !c) return;
  var box = _el("div", "ppc-placeholder");
  box.append(_el("p", "", T.blocked + " " + c.title + "."), _button(T.allow + " " + c.title, function () {
    var choice = Object.assign({}, state.granted);
    choice[id] = true;
    _choose(choice, "p");
  }));
  el.parentNode.insertBefore(box, el);
  el._ppcBox = box;
  el.hidden = true;
}

function _enableAll(root) {
  if (root.matches && root.matches(SELECTOR)) _enable(root);
  if (root.querySelectorAll) _each(root.querySelectorAll(SELECTOR), _enable);
}

function _watch() {
  new MutationObserver(function (changes) {
    // Text nodes too: _enableAll passes over what has no elements.
    changes.forEach(function (change) { _each(change.addedNodes, _enableAll); });
  }).observe(document.documentElement, { childList: true, subtree: true });
}
