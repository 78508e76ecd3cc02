"""The consent states an audit visits, and what consent.yml declares for each category."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from policy_site.consent.config import ConsentConfig
from policy_site.problems import PolicySiteError

if TYPE_CHECKING:
    pass


class AuditError(PolicySiteError):
    """The audit could not run (no site, no Chromium, a bad consent.yml): exit status 2."""


# -- consent states and what consent.yml declares ------------------------------------------------


@dataclass(frozen=True)
class State:
    """A consent state, and how a visitor reaches it."""

    id: str
    label: str
    #: ``none`` (no click), ``reject``, ``accept`` (the banner's buttons) or ``only`` (the dialog).
    action: str
    #: The optional categories this state grants; empty means "before consent".
    granted: frozenset[str]
    gpc: bool = False
    category: str | None = None

    @property
    def before_consent(self) -> bool:
        return not self.granted


def consent_states(config: ConsentConfig) -> list[State]:
    """The states to audit, in order: no choice first (its pages show the banner)."""
    optional = [c for c in config.categories if not c.necessary]
    every = frozenset(c.id for c in optional)
    states = [
        State("no-choice", "No choice (banner open)", "none", frozenset()),
        State("reject-all", "Reject all", "reject", frozenset()),
        State("accept-all", "Accept all", "accept", every),
    ]
    states += [
        State(f"only-{c.id}", f"{c.title['en']} only", "only", frozenset({c.id}), category=c.id)
        for c in optional
    ]
    states += [
        State("gpc-no-choice", "GPC on, no choice", "none", frozenset(), gpc=True),
        State(
            "gpc-accept-all",
            "GPC on, Accept all",
            "accept",
            frozenset(c.id for c in optional if not c.gpc),
            gpc=True,
        ),
    ]
    return states


@dataclass(frozen=True)
class Declared:
    """What consent.yml says belongs to which category: cookie names, storage keys, hosts,
    IndexedDB database names and Cache Storage cache names."""

    cookies: dict[str, tuple[re.Pattern[str], ...]]
    storage: dict[str, tuple[re.Pattern[str], ...]]
    hosts: dict[str, frozenset[str]]
    indexeddb: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    caches: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, config: ConsentConfig) -> Declared:
        cookies = {c.id: tuple(re.compile(i.regex) for i in c.cookies) for c in config.categories}
        # The consent cookie is necessary whatever the list says.
        consent_cookie = re.compile(f"^{re.escape(config.cookie.name)}$")
        cookies["necessary"] = (*cookies.get("necessary", ()), consent_cookie)
        return cls(
            cookies=cookies,
            storage={
                c.id: tuple(re.compile(i.regex) for i in c.storage) for c in config.categories
            },
            hosts={
                c.id: frozenset(h for s in c.services for h in s.hosts) for c in config.categories
            },
            indexeddb={
                c.id: tuple(re.compile(i.regex) for i in c.indexeddb) for c in config.categories
            },
            caches={c.id: tuple(re.compile(i.regex) for i in c.caches) for c in config.categories},
        )

    def cookie_categories(self, name: str) -> list[str]:
        return [cid for cid, found in self.cookies.items() if any(p.search(name) for p in found)]

    def storage_categories(self, key: str, area: str = "localStorage") -> list[str]:
        """The categories declaring ``key`` in ``area`` (see STORAGE_AREAS): a Web Storage key, an
        IndexedDB database name (``indexedDB``) or a Cache Storage cache name (``caches``)."""
        declared = {"indexedDB": self.indexeddb, "caches": self.caches}.get(area, self.storage)
        return [cid for cid, found in declared.items() if any(p.search(key) for p in found)]

    def host_categories(self, netloc: str) -> list[str]:
        """Categories whose services name this host (``host`` or ``host:port``)."""
        name = netloc.rsplit(":", 1)[0] if not netloc.endswith("]") else netloc
        return [cid for cid, hosts in self.hosts.items() if netloc in hosts or name in hosts]


def _allowed(categories: Sequence[str], state: State) -> bool:
    """True if something of these categories may happen in ``state`` (necessary always may)."""
    return "necessary" in categories or bool(set(categories) & state.granted)


# -- what one state's browser context records ---------------------------------------------------
