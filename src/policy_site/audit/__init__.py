"""``./scripts/audit [SITE_DIR | URL]``: what the site does in a browser, in each consent state.

Every page of the built site is loaded in Chromium in each consent state: no choice, reject all,
accept all, each optional category of ``consent/consent.yml`` alone, and Global Privacy Control on
(``navigator.globalPrivacyControl`` and the ``Sec-GPC`` header) with no choice and with accept all.
Each state gets a fresh browser context, and is set the way a visitor sets it: by clicking the
banner, or the dialog's switches and "Save choices". Then every page is visited, and recorded:
requests by host (first party is the site's own host), cookies, storage (localStorage and
sessionStorage keys, IndexedDB databases, Cache Storage caches), beacons (images, pings,
``sendBeacon`` and ``fetch(..., {keepalive})`` to other hosts), console errors and
Content-Security-Policy violations (not the browser's own guess at ``/favicon.ico`` for a page
that names no icon, which it makes or not depending on timing).

It is judged against consent.yml. Before consent (no choice, reject all, GPC with no choice) any
third-party request or beacon, and any cookie, storage key, IndexedDB database or cache not
declared under ``necessary``, is a violation; after a choice, anything that belongs only to a
category the visitor did not grant is one; console errors and CSP violations are violations in
every state. The choice the runtime recorded must be the one clicked. The banner, the dialog and
its switches are found by the site's own words in the page's language (that of the consent script
it loaded), so a site in any language is audited, and reported on, in its own.

The report is ``audit/report.json`` (stable key order, no clock time unless ``--as-of`` or
``SOURCE_DATE_EPOCH`` gives one) and ``audit/report.html`` (self-contained, no script), with
screenshots of the banner and the dialog. The exit status is 1 when there is any violation (each
one printed), 2 when the audit could not run (an unexpected failure inside a state among it: one
message naming the state, the error and where, never a traceback), 0 otherwise. A page served with
no Content-Security-Policy is audited too, and the report says the CSP check was skipped there.

``SITE_DIR`` is served with the headers its build wrote (``policy_site.serve``) under a test host
name that Chromium maps to loopback and treats as a secure origin (the site is HTTPS in
production); every other host name fails to resolve unless ``--map`` maps it. A ``URL`` is audited
live: its pages come from its sitemap, or else from following its links. The states run side by
side (``--jobs``) in one Chromium, through Playwright's async API in a thread of its own.

Playwright is imported only when the audit runs, so this module imports without it.
"""

from policy_site.audit.cli import main
from policy_site.audit.html import render_html
from policy_site.audit.pages import sitemap_pages
from policy_site.audit.report import Report
from policy_site.audit.run import audit
from policy_site.audit.settings import DEFAULT_HOST
from policy_site.audit.states import AuditError, Declared, State, consent_states

__all__ = [
    "DEFAULT_HOST",
    "AuditError",
    "Declared",
    "Report",
    "State",
    "audit",
    "consent_states",
    "main",
    "render_html",
    "sitemap_pages",
]
