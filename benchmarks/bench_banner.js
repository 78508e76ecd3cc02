// The init script of ./scripts/bench's browser runs (benchmarks/bench_banner.py), added to each
// page before its own scripts, in window.__bench: when the banner first has a box and is visible
// (checked on every DOM mutation and every animation frame); every layout shift, as [value,
// hadRecentInput]; settle(), two animation frames; open(), which clicks the button that opens the
// dialog, keeping what the page had fetched and the time just before the click, then records the
// first animation frame on which the dialog is visible.
(() => {
  const page = __PAGE__;
  const marks = (window.__bench = {
    banner: null, shifts: [], fetched: null, click: null, dialog: null,
  });
  const shown = (selector) => {
    const el = document.querySelector(selector);
    if (!el) return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 &&
      el.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) marks.shifts.push([entry.value, entry.hadRecentInput]);
  }).observe({ type: 'layout-shift', buffered: true });
  const check = () => {
    if (marks.banner === null && shown(page.banner)) marks.banner = performance.now();
    return marks.banner !== null;
  };
  const observer = new MutationObserver(() => { if (check()) observer.disconnect(); });
  observer.observe(document, { childList: true, subtree: true, attributes: true });
  const frame = () => { if (check()) observer.disconnect(); else requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  const fetched = () => performance.getEntriesByType('resource').map((entry) => entry.name);
  marks.settle = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  marks.open = () => {
    const button = [...document.querySelectorAll(page.button)]
      .find((el) => el.textContent.trim() === page.text);
    if (!button) return false;
    marks.fetched = fetched();
    marks.click = performance.now();
    button.click();
    const opened = () => {
      if (shown(page.dialog)) marks.dialog = performance.now();
      else requestAnimationFrame(opened);
    };
    requestAnimationFrame(opened);
    return true;
  };
  marks.fetchedNow = fetched;
})();
