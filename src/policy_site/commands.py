"""How a message names a command the reader runs next: the edges' business, not the core's.

The core always writes a command as the installed console script, ``policy-site <name>``. Where
this repository's wrappers run the tool (``scripts/_bootstrap.sh`` sets POLICY_SITE_SCRIPTS), the
command line and the MkDocs adapter show it as ``./scripts/<name>`` (``for_reader``).
"""

from __future__ import annotations

import os
import re

__all__ = ["COMMANDS", "SCRIPTS_ENV", "command", "for_reader"]

SCRIPTS_ENV = "POLICY_SITE_SCRIPTS"
#: The subcommands a message may tell the reader to run.
COMMANDS = ("init", "build", "serve", "check", "new-version", "withdraw", "notice", "snippet",
            "audit", "receipts")  # fmt: skip
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
