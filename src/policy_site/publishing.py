"""What a build publishes beside the pages, as files (path in the site -> content): the feed, the
manifest, the print and words stylesheets, the consent bundle's files and ``gpc.json``; then,
once the pages are written, the security headers that fit them. Pure of any generator: an
adapter writes the files (``policy_site.adapter`` for MkDocs).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from policy_site.consent import Bundle, ConsentConfig, check_gated_markup
from policy_site.consent.archive import Release, releases_json
from policy_site.consent.include import shared_files
from policy_site.consent.services import service_ids
from policy_site.problems import PolicySiteError, Problem
from policy_site.security import (
    CLOUDFLARE_LINE_LIMIT,
    HEADERS_FILE,
    NGINX_FILE,
    NGINX_LOCATIONS_FILE,
    NGINX_UPSTREAM_FILE,
    content_security_policy,
    headers_file,
    nginx_locations,
    nginx_snippet,
    nginx_upstream,
    scan_site,
    security_headers,
)
from policy_site.site import Site
from policy_site.versions import Policy, PolicyVersion
from policy_site.versions.anchors import Anchors, policy_anchors
from policy_site.versions.calendar import calendar
from policy_site.versions.feeds import atom_feed, json_feed
from policy_site.versions.manifest import manifest
from policy_site.versions.print_css import (
    PRINT_STYLESHEET,
    WORDS_STYLESHEET,
    print_stylesheet,
    words_stylesheet,
)
from policy_site.versions.timeline import WITHDRAWN

__all__ = [
    "RELEASES",
    "Consent",
    "Headers",
    "PublishError",
    "gated_markup_problems",
    "header_files",
    "published_files",
    "rendered_chains",
    "section_anchors",
    "site_consent",
    "write_files",
]

#: Where the ledger of consent releases is published, in the site.
RELEASES = "consent/releases.json"


class PublishError(PolicySiteError):
    """The build must not publish: the message says what and how to fix it."""


@dataclass(frozen=True)
class Consent:
    """The consent side of a build: the checked config, its bundle, and the kept bundle files
    (``published_bundles``, by file name) that every build publishes again."""

    config: ConsentConfig
    bundle: Bundle
    kept: Mapping[str, bytes]
    #: Where the config is, as mkdocs.yml names it (for messages).
    source: str
    #: The ledger of every release (consent/archive.py), published with the files.
    releases: Sequence[Release] = ()


def site_consent(site: Site) -> Consent | None:
    """The consent side of ``site``'s build, or None when it has no consent bundle."""
    if site.consent is None or site.bundle is None:
        return None
    kept = site.kept
    files, releases = (kept.files, kept.releases) if kept else ({}, ())
    return Consent(site.consent, site.bundle, files, site.config.options.consent, releases)


def gated_markup_problems(site: Site, html: str) -> list[str]:
    """What is wrong with the gated markup of a page's ``html``: inside an ``<iframe srcdoc>``
    nothing is gated, so only this site's host and the necessary ones may load there."""
    if site.consent is None:
        return []
    categories = site.consent.categories
    allowed = [urlsplit(site.config.site_url).netloc] + [
        host
        for category in categories
        if category.necessary
        for service in category.services
        for host in service.hosts
    ]
    return check_gated_markup(html, service_ids(categories), allowed)


def write_files(folder: Path, files: Mapping[str, bytes]) -> None:
    """Writes ``files`` (path in the site -> content) into the built site ``folder``."""
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def rendered_chains(
    policy: Policy, rendered: Mapping[str, str]
) -> dict[str, list[tuple[PolicyVersion, str]]]:
    """Each language's versions that applied or will (not the withdrawn), oldest first, with
    their rendered content (by ``PolicyVersion.key``): what ``policy_anchors`` checks."""
    return {
        code: [
            (entry.version, rendered[entry.version.key])
            for entry in timeline.entries
            if entry.status != WITHDRAWN and entry.version.key in rendered
        ]
        for code, timeline in policy.timelines.items()
    }


def section_anchors(
    policy: Policy, rendered: Mapping[str, str], render: Callable[[str], str]
) -> tuple[dict[str, dict[str, Anchors]], list[Problem]]:
    """The section anchors of the versions published (``policy_anchors`` over
    ``rendered_chains``), and every section link a version breaks: among those, and in each
    language's chain of all its versions by effective date, drafts included and withdrawn ones
    left out, so that a heading renamed or removed in a version not in effect yet fails the day
    it is written, not the day it takes effect. ``rendered`` holds the content of the versions
    the pages show, by ``PolicyVersion.key``; ``render`` renders any other's Markdown as the
    pages would."""
    everything = [*policy.versions, *policy.translated_versions]
    content = {v.key: rendered[v.key] if v.key in rendered else render(v.body) for v in everything}
    anchors, problems = policy_anchors(rendered_chains(policy, content))
    planned: dict[str, list[tuple[PolicyVersion, str]]] = {}
    for version in sorted(everything, key=lambda version: version.effective):
        if version.withdrawn is None:
            code = version.language or policy.settings.language
            planned.setdefault(code, []).append((version, content[version.key]))
    problems += policy_anchors(planned)[1]
    return anchors, list(dict.fromkeys(problems))


def published_files(
    policy: Policy,
    site_url: str,
    site_name: str,
    rendered: Mapping[str, str],
    anchors: Mapping[str, Mapping[str, Anchors]],
    consent: Consent | None,
) -> dict[str, bytes]:
    """Every file the build adds beside the pages: the feeds in each language. Raises
    PublishError (a site name the feed cannot carry)."""
    settings = policy.settings
    folder = settings.policy_dir
    files: dict[str, bytes] = {}
    for code in settings.languages:
        here = f"{settings.prefix(code)}{folder}"
        try:
            files[f"{here}/feed.xml"] = atom_feed(policy, site_url, site_name, code)
        except ValueError as err:
            raise PublishError(str(err)) from None
        files[f"{here}/feed.json"] = json_feed(policy, site_url, site_name, code)
    ledger = site_url + RELEASES if consent is not None and consent.releases else None
    files |= {
        f"{folder}/changes.ics": calendar(policy, site_url, site_name),
        f"{folder}/versions.json": manifest(policy, site_url, rendered, anchors, ledger).encode(),
        PRINT_STYLESHEET: print_stylesheet(policy, site_url).encode(),
        WORDS_STYLESHEET: words_stylesheet(policy).encode(),
    }
    if consent is not None:
        files |= {f"assets/{name}": content for name, content in consent.kept.items()}
        current = shared_files(consent.bundle, consent.config, site_url, policy.timeline.today)
        files |= {path: text.encode() for path, text in current.items()}
        gpc = {"gpc": True, "lastUpdate": consent.config.gpc_last_update.isoformat()}
        files[".well-known/gpc.json"] = (json.dumps(gpc) + "\n").encode()
        if consent.releases:
            files[RELEASES] = releases_json(list(consent.releases)).encode()
    return files


@dataclass(frozen=True)
class Headers:
    files: dict[str, bytes]
    #: Said to the person building (a warning: it fails the strict build).
    warnings: list[str]
    summary: str


def header_files(site: Path, site_host: str, consent: Consent | None) -> Headers:
    """The security headers for the written ``site``: a CSP allowing exactly the inline scripts
    its pages hold and the hosts consent.yml declares. Raises PublishError when a page loads from
    an undeclared host before any consent."""
    necessary: list[str] = []
    declared: list[str] = []
    for category in consent.config.categories if consent else ():
        hosts = [host for service in category.services for host in service.hosts]
        declared += hosts
        necessary += hosts if category.necessary else []
    scan = scan_site(site, site_host, necessary)
    if scan.problems:
        where = "the consent file (plugins.policy-site.consent)"
        key = "categories.necessary.services"
        if consent is not None:
            where = consent.source
            key = next(
                f"categories.{c.id}.services" for c in consent.config.categories if c.necessary
            )
        raise PublishError(
            "Pages load from other hosts before any consent:\n  "
            + "\n  ".join(scan.problems)
            + "\nGate it (data-category, see the markup contract in manual/docs/consent.md), "
            "serve the file from "
            f"this site, or declare its host under {key} in {where} if the site cannot work "
            "without it."
        )
    headers = security_headers(content_security_policy(scan.script_hashes, declared))
    settings = consent.config.receipts if consent is not None else None
    endpoint = settings.endpoint if settings is not None else None
    rules = headers_file(headers)
    warnings = []
    if max(map(len, rules.splitlines())) > CLOUDFLARE_LINE_LIMIT:
        warnings.append(
            f"{HEADERS_FILE} has a line over {CLOUDFLARE_LINE_LIMIT} characters, which Cloudflare "
            "Pages ignores: declare fewer hosts in consent.yml, or serve the nginx snippet instead."
        )
    files = {
        HEADERS_FILE: rules.encode(),
        NGINX_FILE: nginx_snippet(headers).encode(),
        NGINX_LOCATIONS_FILE: nginx_locations(headers, receipts=endpoint).encode(),
    }
    if settings is not None:
        files[NGINX_UPSTREAM_FILE] = nginx_upstream(settings.upstream).encode()
    *first, last = files
    summary = (
        f"Security headers written to {', '.join(first)} and {last}: "
        f"{len(scan.script_hashes)} inline script hashes over {scan.pages} pages."
    )
    return Headers(files, warnings, summary)
