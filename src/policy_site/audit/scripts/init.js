// Reports CSP violations and beacon calls of every frame to the audit (bindings in browser.py).
(() => {
  const csp = window.__policyAuditCsp, beacon = window.__policyAuditBeacon;
  document.addEventListener("securitypolicyviolation", (e) => csp({
    document: location.href, directive: e.effectiveDirective,
    blocked: e.blockedURI || "inline", sample: e.sample || ""}));
  const tell = (kind, url) => {
    try { beacon({kind: kind, url: String(new URL(String(url), location.href))}); } catch (e) {}
  };
  if (navigator.sendBeacon) {
    const send = navigator.sendBeacon.bind(navigator);
    navigator.sendBeacon = function (url, data) {
      tell("sendBeacon", url);
      return send(url, data);
    };
  }
  if (window.fetch) {
    const fetch = window.fetch;
    window.fetch = function (input, init) {
      if ((init && init.keepalive) || (input && input.keepalive)) {
        const url = typeof input === "string" || input instanceof URL ? input : input.url;
        tell("fetch keepalive", url);
      }
      return fetch.apply(this, arguments);
    };
  }
})();
