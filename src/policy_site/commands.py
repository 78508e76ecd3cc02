"""How a message names a command the reader runs next: the edges' business, not the core's.

The core always writes a command as the installed console script, ``policy-site <name>``. Where
this repository's wrappers run the tool (``scripts/_bootstrap.sh`` sets POLICY_SITE_SCRIPTS), the
command line and the MkDocs adapter show it as ``./scripts/<name>`` (``for_reader``). An extra
that a command needs is named with the pip command that adds it to this installation
(``install_extra``).
"""

from __future__ import annotations

import json
import os
import re
from importlib import metadata
from urllib.parse import unquote, urlsplit

__all__ = ["COMMANDS", "SCRIPTS_ENV", "command", "for_reader", "install_extra"]

SCRIPTS_ENV = "POLICY_SITE_SCRIPTS"
#: The subcommands a message may tell the reader to run.
COMMANDS = ("init", "publish", "build", "serve", "check", "new-version", "announce", "withdraw",
            "notice", "snippet", "audit", "receipts")  # fmt: skip
_NAMED = re.compile(rf"\bpolicy-site ({'|'.join(map(re.escape, COMMANDS))})\b")


def for_reader(text: str) -> str:
    """``text`` with each ``policy-site <command>`` as the reader runs it here."""
    if not os.environ.get(SCRIPTS_ENV):
        return text
    return _NAMED.sub(lambda match: f"./scripts/{match.group(1)}", text)


def command(line: str) -> str:
    """``check --update-lock`` -> ``./scripts/check --update-lock`` or
    ``policy-site check --update-lock``."""
    return for_reader(f"policy-site {line}")


def install_extra(extra: str) -> str:
    """The command that adds the optional dependencies ``extra`` (pyproject.toml) to this
    installation, from where policy-site was installed: the package index has no policy-site."""
    try:
        recorded = metadata.distribution("policy-site").read_text("direct_url.json")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        recorded = None
    return install_command(extra, recorded)


def install_command(extra: str, direct_url: str | None) -> str:
    """``pip install`` of ``extra`` from the source pip recorded for policy-site
    (``direct_url.json``, PEP 610: a checkout, a wheel file or a URL); without a record, the
    form to fill in."""
    try:
        found = json.loads(direct_url) if direct_url else {}
        url = str(found.get("url", ""))
    except (ValueError, AttributeError):
        url = ""
    parts = urlsplit(url)
    if parts.scheme == "file" and parts.path:
        editable = "-e " if (found.get("dir_info") or {}).get("editable") else ""
        return f"pip install {editable}'{unquote(parts.path)}[{extra}]'"
    if url:
        vcs = (found.get("vcs_info") or {}).get("vcs")
        commit = (found.get("vcs_info") or {}).get("commit_id")
        where = f"{vcs}+{url}@{commit}" if vcs and commit else url
        return f"pip install 'policy-site[{extra}] @ {where}'"
    return (
        f"pip install '/path/to/checkout[{extra}]' (the checkout, or the wheel file, that "
        "policy-site was installed from)"
    )
