"""``receipts:`` in consent.yml: where the consent script sends a receipt of each choice, checked
key by key as the rest of the file (consent/config.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from policy_site.consent.checker import Checker

__all__ = ["ReceiptsSettings", "read_receipts"]

_ENDPOINT = re.compile(r"\A/(?!/)[A-Za-z0-9/_.-]*\Z")
#: host:port, the host a name, an IPv4 address or an IPv6 one in brackets, as nginx takes them.
_UPSTREAM = re.compile(r"\A(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):([0-9]{1,5})\Z")


@dataclass(frozen=True)
class ReceiptsSettings:
    """Where the consent script sends a receipt of each choice (a path of this site), and where
    the site's web server passes it on (``policy-site receipts serve``)."""

    endpoint: str
    #: ``host:port`` of each receiver, one or more (several: behind an nginx ``upstream``).
    upstream: tuple[str, ...]


def read_receipts(check: Checker, value: Any) -> ReceiptsSettings | None:
    """The receipts' settings, or None: no receipts (the key is left out)."""
    if value is None:
        return None
    found = check.mapping(value, "receipts", ("endpoint", "upstream"), ("endpoint",))
    endpoint = found.get("endpoint", "/consent/receipts")
    if not isinstance(endpoint, str) or not _ENDPOINT.match(endpoint):
        check.fail(
            "receipts.endpoint",
            f"{endpoint!r}: a path of this site, such as /consent/receipts (the receipts go to "
            "the page's own origin only), with no query.",
        )
    upstream = found.get("upstream", "127.0.0.1:8001")
    if upstream == []:
        check.fail("receipts.upstream", "is an empty list: give one host:port or more.")
    servers = upstream if isinstance(upstream, list) else [upstream]
    for server in servers:
        port = _UPSTREAM.match(server) if isinstance(server, str) else None
        if port is None or not 0 < int(port[1]) < 65536:
            check.fail(
                "receipts.upstream",
                f"{server!r}: host:port of policy-site receipts serve, such as 127.0.0.1:8001 "
                "or [::1]:8001 (a port from 1 to 65535), or a list of them (several receivers "
                "on one PostgreSQL database).",
            )
    if len(set(map(str, servers))) < len(servers):
        check.fail("receipts.upstream", "names a receiver twice: list each host:port once.")
    return ReceiptsSettings(str(endpoint), tuple(map(str, servers)))
