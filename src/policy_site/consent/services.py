"""A category's services in ``consent.yml``: their names, hosts and ids, and what they grant.

An optional category with two or more services is chosen service by service (``per_service``):
each of its services needs an ``id`` (gated markup names it, ``data-service="google-ads"``), and
may list the Consent Mode signals it grants in place of the category's. An id is unique across
the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from policy_site.consent.checker import Checker

if TYPE_CHECKING:
    from policy_site.consent.config import Category

__all__ = [
    "CONSENT_MODE_SIGNALS",
    "SERVICE_ID",
    "Service",
    "check_services",
    "granting",
    "read_service",
    "service_ids",
    "slug",
]

#: Google Consent Mode v2's signals. Each is granted while a category (or service) it follows is.
CONSENT_MODE_SIGNALS = ("ad_storage", "ad_user_data", "ad_personalization", "analytics_storage")
#: A service host as a CSP source: a host name and, when it is not the default, a port.
_HOST_PORT = re.compile(
    r"\A(?=[^:]{1,253}(:|\Z))([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(:[1-9][0-9]{0,4})?\Z"
)
#: A service's id, as consent.yml gives it and data-service names it.
SERVICE_ID = re.compile(r"\A[a-z][a-z0-9_-]{0,31}\Z")
_ID_RULE = "lower-case letters, digits, '-' or '_', starting with a letter, at most 32 characters"
_PER_SERVICE = (
    "a category with more than one service lets visitors choose each one, and gated markup names "
    'one with data-service="<id>"'
)


@dataclass(frozen=True)
class Service:
    name: str
    hosts: tuple[str, ...]
    #: How gated markup names it (``data-service``); required in a category chosen per service.
    id: str | None = None
    #: The Consent Mode signals granted while it is allowed, in a category chosen per service.
    consent_mode: tuple[str, ...] = ()


def slug(name: str) -> str:
    """An id for a service named ``name``, to suggest: ``Meta Pixel`` -> ``meta-pixel``."""
    words = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-").lstrip("0123456789-")
    return words[:32].rstrip("-") or "service"


def read_service(check: Checker, value: Any, key: str) -> Service:
    allowed = ("id", "name", "hosts", "consent_mode")
    found = check.mapping(value, key, allowed, ("name", "hosts"))
    hosts = found.get("hosts") or []
    if not isinstance(hosts, list):
        check.fail(f"{key}.hosts", "must be a list of host names, e.g. [tags.example.com].")
        hosts = []
    for index, host in enumerate(hosts):
        if not isinstance(host, str) or not _HOST_PORT.match(host):
            check.fail(
                f"{key}.hosts[{index}]",
                f"{host!r} is not a host name: write it without scheme or path, with a port "
                "only when it is not the default (www.example.com, tags.example.com:8443).",
            )
    name = check.text(found.get("name"), f"{key}.name")
    service_id = found.get("id")
    if service_id is not None and (
        not isinstance(service_id, str) or not SERVICE_ID.match(service_id)
    ):
        check.fail(f"{key}.id", f"{service_id!r} is not a service id: {_ID_RULE}, e.g. "
                   f"{slug(name or 'Meta Pixel')}.")  # fmt: skip
        service_id = None
    signals = found.get("consent_mode", ())
    if not isinstance(signals, list | tuple) or not all(s in CONSENT_MODE_SIGNALS for s in signals):
        check.fail(f"{key}.consent_mode", "must list the Consent Mode signals this service "
                   f"grants, of: {', '.join(CONSENT_MODE_SIGNALS)}.")  # fmt: skip
        signals = ()
    return Service(name, tuple(map(str, hosts)), service_id, tuple(map(str, signals)))


def check_services(check: Checker, categories: Iterable[Category]) -> None:
    """Each service of a category chosen per service has an id; ids are unique across the file;
    a service lists Consent Mode signals only where it is chosen on its own."""
    seen: dict[str, str] = {}
    for category in categories:
        for index, service in enumerate(category.services):
            key = f"categories.{category.id}.services[{index}]"
            if service.id is None and category.per_service:
                check.fail(f"{key}.id", f"is missing: {_PER_SERVICE}: add id: "
                           f"{slug(service.name)}")  # fmt: skip
            elif service.id in seen:
                check.fail(f"{key}.id", f"{service.id!r} is also the id of {seen[service.id]}: "
                           "give each service an id of its own.")  # fmt: skip
            elif service.id is not None:
                seen[service.id] = f"{key}.id"
            if service.consent_mode and not category.per_service:
                check.fail(f"{key}.consent_mode", _not_per_service(category))


def _not_per_service(category: Category) -> str:
    if category.necessary:
        return "a necessary category grants no Consent Mode signal: remove it."
    return (
        "only a service of a category with two or more services is chosen on its own; here "
        f"the category's consent_mode applies (categories.{category.id}.consent_mode): list the "
        "signals there, and remove them here."
    )


def granting(category: Category, signal: str) -> list[str]:
    """The ids whose consent grants ``signal`` in ``category``: its services' where it is chosen
    per service and one of them lists ``consent_mode``; the category's own id otherwise."""
    if category.per_service and any(service.consent_mode for service in category.services):
        return [s.id for s in category.services if s.id and signal in s.consent_mode]
    return [category.id] if signal in category.consent_mode else []


def service_ids(categories: Iterable[Category]) -> dict[str, list[str]]:
    """Each category's id and the ids of its services that have one (for ``data-service``)."""
    return {c.id: [s.id for s in c.services if s.id is not None] for c in categories}
