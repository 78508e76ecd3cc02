"""The consent states an audit visits, and what consent.yml declares for each category."""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from policy_site.consent.config import ConsentConfig
from policy_site.consent.services import Service
from policy_site.problems import PolicySiteError


class AuditError(PolicySiteError):
    """The audit could not run (no site, no Chromium, a bad consent.yml): exit status 2."""


@contextmanager
def could_not_run(what: str) -> Iterator[None]:
    """The boundary of one part of the audit (``what``: a state, the report): an unexpected
    exception in it becomes an AuditError that names the part, the exception and the line of
    policy-site it came from, so the audit stops with exit status 2 and no traceback, and the
    fault can still be found. PolicySiteError passes as it is, and so does Playwright missing
    (the command line names the extra to install)."""
    try:
        yield
    except PolicySiteError:
        raise
    except ModuleNotFoundError as err:
        if (err.name or "").split(".")[0] == "playwright":
            raise
        raise AuditError(_fault(what, err)) from err
    except Exception as err:
        raise AuditError(_fault(what, err)) from err


def _fault(what: str, err: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(err.__traceback__) if f.name != "could_not_run"]
    ours = [f for f in frames if "policy_site" in Path(f.filename).parts] or frames
    where = ""
    if ours:
        frame = ours[-1]
        parts = Path(frame.filename).parts
        file = (
            "/".join(parts[parts.index("policy_site") :])
            if "policy_site" in parts
            else frame.filename
        )
        where = f" (at {file}:{frame.lineno}, in {frame.name})"
    if type(err).__module__.split(".")[0] == "playwright":
        blame = "Chromium or Playwright failed: run the audit again, and report it if it recurs."
    else:
        blame = (
            "This is a fault in policy-site, not in the site: please report it, with this message."
        )
    first = str(err).strip().splitlines()[0] if str(err).strip() else ""
    return f"The audit stopped: {what} could not run: {type(err).__name__}: {first}{where}. {blame}"


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
    #: The one service of ``category`` chosen on its own (``only``, a category chosen per
    #: service): the others of that category stay off.
    service: str | None = None

    @property
    def before_consent(self) -> bool:
        return not self.granted

    def allows(self, category: str, service: str) -> bool:
        """Whether this state allows ``service`` of ``category``: every service of a category
        it grants, but only the one chosen in a state that chose one alone."""
        return category in self.granted and (
            self.service is None or category != self.category or service == self.service
        )


def title(config: ConsentConfig, category_id: str, language: str | None = None) -> str:
    """A category's title in ``language`` (else consent.yml's first language): as the site's
    visitors read it."""
    category = config.category(category_id)
    if category is None:
        return category_id
    return category.title.get(language or "") or category.title[config.languages[0]]


def service_name(config: ConsentConfig, category_id: str, service_id: str) -> str:
    """A service's name, as the dialog labels its switch."""
    category = config.category(category_id)
    found = [s.name for s in category.services if s.id == service_id] if category else []
    return found[0] if found else service_id


def consent_states(config: ConsentConfig, language: str | None = None) -> list[State]:
    """The states to audit, in order: no choice first (its pages show the banner). A category
    is named by its title in ``language`` (else consent.yml's first language); a category chosen
    per service is followed by each of its services alone (``only-<category>-<service id>``).
    A site with no optional category shows no banner, there being nothing to choose: it has the
    two states without a choice, with and without GPC."""
    optional = [c for c in config.categories if not c.necessary]
    if not optional:
        return [
            State("no-choice", "No choice (no banner: nothing to choose)", "none", frozenset()),
            State("gpc-no-choice", "GPC on, no choice", "none", frozenset(), gpc=True),
        ]
    every = frozenset(c.id for c in optional)
    states = [
        State("no-choice", "No choice (banner open)", "none", frozenset()),
        State("reject-all", "Reject all", "reject", frozenset()),
        State("accept-all", "Accept all", "accept", every),
    ]
    for c in optional:
        named = title(config, c.id, language)
        alone = frozenset({c.id})
        states.append(State(f"only-{c.id}", f"{named} only", "only", alone, category=c.id))
        states += [
            State(
                f"only-{c.id}-{s.id}",
                f"{s.name} only ({named})",
                "only",
                alone,
                category=c.id,
                service=s.id,
            )
            for s in c.services
            if c.per_service and s.id is not None
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


def expected_services(config: ConsentConfig, state: State) -> dict[str, bool] | None:
    """The record's ``s`` after ``state``'s choice: each service of a category chosen per
    service, on where the state allows it; None (no ``s``) in a refusal or without such a
    category."""
    found = {
        s.id: state.allows(c.id, s.id)
        for c in config.categories
        if c.per_service
        for s in c.services
        if s.id is not None
    }
    return found if found and state.granted else None


@dataclass(frozen=True)
class Declared:
    """What consent.yml says belongs to which category: cookie names, storage keys, hosts,
    IndexedDB database names and Cache Storage cache names."""

    cookies: dict[str, tuple[re.Pattern[str], ...]]
    storage: dict[str, tuple[re.Pattern[str], ...]]
    hosts: dict[str, frozenset[str]]
    indexeddb: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    caches: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    #: The id of the category the site cannot work without (``necessary: true``), whatever its
    #: name: "necessary", "notwendig", "essentiels".
    necessary: str = "necessary"
    #: The services of each category chosen per service.
    services: dict[str, tuple[Service, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, config: ConsentConfig) -> Declared:
        necessary = next((c.id for c in config.categories if c.necessary), "necessary")
        cookies = {c.id: tuple(re.compile(i.regex) for i in c.cookies) for c in config.categories}
        # The consent cookie is necessary whatever the list says.
        consent_cookie = re.compile(f"^{re.escape(config.cookie.name)}$")
        cookies[necessary] = (*cookies.get(necessary, ()), consent_cookie)
        return cls(
            necessary=necessary,
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
            services={c.id: c.services for c in config.categories if c.per_service},
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
        return [cid for cid, hosts in self.hosts.items() if _names(hosts, netloc)]

    def refused_services(self, netloc: str, state: State) -> list[Service]:
        """The services this host belongs to that ``state`` does not allow, though it grants
        their category (it chose another service of it alone): none when the service chosen, a
        category granted besides, or the necessary one names the host too (a host two services
        share is allowed while either is)."""
        category, cats = state.category or "", self.host_categories(netloc)
        if state.service is None or category not in cats:
            return []
        if self.allowed([c for c in cats if c != category], state):
            return []
        owners = [s for s in self.services.get(category, ()) if _names(s.hosts, netloc)]
        return [] if any(state.allows(category, s.id or "") for s in owners) else owners

    def allowed(self, categories: Sequence[str], state: State) -> bool:
        """True if something of these categories may happen in ``state`` (necessary always
        may)."""
        return self.necessary in categories or bool(set(categories) & state.granted)


def _names(hosts: Iterable[str], netloc: str) -> bool:
    """Whether ``hosts`` name ``netloc`` (``host`` or ``host:port``)."""
    name = netloc.rsplit(":", 1)[0] if not netloc.endswith("]") else netloc
    return netloc in hosts or name in hosts


# -- what one state's browser context records ---------------------------------------------------
