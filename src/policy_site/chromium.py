"""Where the Chromium for browser tests and audits is, and how it is started here.

Playwright's own browser downloads are impossible on these machines, so Debian's ``chromium``
package is used. A missing browser is an error with a fix, never a reason to skip.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from policy_site.problems import PolicySiteError

__all__ = ["CHROMIUM_ENV", "DEFAULT_CHROMIUM", "ChromiumMissingError", "executable", "launch_args"]

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ENV = "POLICY_SITE_CHROMIUM"


class ChromiumMissingError(PolicySiteError):
    """No Chromium binary where one was expected."""


def executable(environ: Mapping[str, str] | None = None) -> str:
    """The Chromium binary to launch: ``$POLICY_SITE_CHROMIUM``, else ``/usr/bin/chromium``."""
    env = os.environ if environ is None else environ
    path = env.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        raise ChromiumMissingError(
            f"Chromium not found at {path}. Install Debian's package "
            "('apt-get install chromium'), "
            f"or set {CHROMIUM_ENV} to a Chromium binary."
        )
    return path


def launch_args(host_map: Mapping[str, str] | None = None) -> list[str]:
    """Command-line flags: quiet (no background calls home) and, optionally, hosts mapped locally.

    ``host_map`` maps host name patterns to addresses; everything else is mapped to an unroutable
    address, so that a page can never reach the internet even if it tried.
    """
    rules = [f"MAP {pattern} {address}" for pattern, address in (host_map or {}).items()]
    rules.append("MAP * ~NOTFOUND")
    return [
        f"--host-resolver-rules={', '.join(rules)}",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
        "--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,Translate",
    ]
