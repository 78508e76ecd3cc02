"""How a message names a command the reader runs next.

``./scripts/<name>`` where this repository's wrappers run the tool (``scripts/_bootstrap.sh`` sets
POLICY_SITE_SCRIPTS), else the installed console script, ``policy-site <name>``.
"""

from __future__ import annotations

import os

__all__ = ["SCRIPTS_ENV", "command"]

SCRIPTS_ENV = "POLICY_SITE_SCRIPTS"


def command(line: str) -> str:
    """``check --update-lock`` -> ``./scripts/check --update-lock`` or
    ``policy-site check --update-lock``."""
    name, _, rest = line.partition(" ")
    prefix = f"./scripts/{name}" if os.environ.get(SCRIPTS_ENV) else f"policy-site {name}"
    return f"{prefix} {rest}" if rest else prefix
