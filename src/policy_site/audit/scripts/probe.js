// What a page holds: its language and scripts, its storage keys, IndexedDB databases and caches
// (none where the browser has no such API here), and whether the banner (a region named in one
// of the languages of consent.yml) is on screen, and by which name.
async (regions) => {
  const keys = (area) => { try { return Object.keys(window[area]); } catch (e) { return []; } };
  const names = async (list) => {
    try { return (await list()).map((d) => typeof d === "string" ? d : String(d.name)); }
    catch (e) { return []; }
  };
  const shown = (e) => !!e && !e.hidden && e.getClientRects().length > 0 &&
    getComputedStyle(e).visibility !== "hidden";
  const region = Array.from(document.querySelectorAll("[aria-label]")).find(
    (e) => regions.includes(e.getAttribute("aria-label")) && shown(e));
  const refresh = document.querySelector("meta[http-equiv='refresh' i]");
  return {href: location.href, ready: document.readyState,
    lang: document.documentElement.lang || "", banner: !!region,
    region: region ? region.getAttribute("aria-label") : null,
    scripts: Array.from(document.scripts, (s) => s.src).filter(Boolean),
    refresh: refresh ? refresh.getAttribute("content") : null,
    localStorage: keys("localStorage"), sessionStorage: keys("sessionStorage"),
    indexedDB: await names(() => indexedDB.databases()), caches: await names(() => caches.keys())};
}
