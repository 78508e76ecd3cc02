"""The audit's limits and labels, shared by its modules."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


#: The host name a SITE_DIR is served under: a .test name, which Chromium maps to loopback.
DEFAULT_HOST = "www.site.test"
#: Quiet time with no request in flight after ``load`` before a page counts as settled (seconds).
DEFAULT_SETTLE = 0.2
#: How many consent states run at a time, each in its own browser context.
DEFAULT_JOBS = 4
#: A meta refresh due within this many seconds is followed, as a visitor's browser does.
MAX_REFRESH = 5.0
#: The most a page is given to settle; a page still busy then is recorded as it is.
MAX_SETTLE = 4.0
#: Time allowed for a page load, and for the runtime to record a click's choice (ms / seconds).
LOAD_TIMEOUT_MS = 20_000
CHOICE_TIMEOUT = 5.0
#: URL mode without a sitemap: at most this many pages are found by following links.
CRAWL_LIMIT = 200
#: Request types that are beacons when they go to another host.
BEACON_TYPES = frozenset({"image", "ping", "beacon"})
REPORT_FORMAT = 1
#: How the visit of the page where the choice is made is labelled until the click: before consent.
BEFORE_CHOICE = "(before the choice on "
#: The storage areas recorded (as the page's globals name them), and what an entry of each is.
STORAGE_AREAS = {
    "localStorage": "localStorage key",
    "sessionStorage": "sessionStorage key",
    "indexedDB": "IndexedDB database",
    "caches": "Cache Storage cache",
}

#: A hashed consent bundle file: consent.<hash>.css, consent.<language>.<hash>.js.
_CONSENT_SCRIPT = re.compile(
    r"/consent\.(?:[a-z]{2,3}(?:-[A-Za-z0-9]+)*\.)?[0-9a-f]{12}\.(?:js|css)$"
)
