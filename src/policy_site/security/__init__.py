"""What the built site may load, and the HTTP headers that make the browser enforce it: the scan
of the built pages (security/scan.py) and the headers written from it (security/headers.py).
"""

from __future__ import annotations

from policy_site.security.headers import (
    CLOUDFLARE_LINE_LIMIT,
    HEADERS_FILE,
    NGINX_FILE,
    NGINX_LOCATIONS_FILE,
    NGINX_UPSTREAM_FILE,
    SHARED_PATHS,
    content_security_policy,
    headers_file,
    nginx_locations,
    nginx_snippet,
    nginx_upstream,
    parse_headers_file,
    security_headers,
)
from policy_site.security.scan import SiteScan, scan_page, scan_site, script_hash

__all__ = [
    "CLOUDFLARE_LINE_LIMIT",
    "HEADERS_FILE",
    "NGINX_FILE",
    "NGINX_LOCATIONS_FILE",
    "NGINX_UPSTREAM_FILE",
    "SHARED_PATHS",
    "SiteScan",
    "content_security_policy",
    "headers_file",
    "nginx_locations",
    "nginx_snippet",
    "nginx_upstream",
    "parse_headers_file",
    "scan_page",
    "scan_site",
    "script_hash",
    "security_headers",
]
