"""``policy-site audit``: the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from policy_site.audit.run import audit
from policy_site.audit.settings import DEFAULT_HOST, DEFAULT_JOBS, DEFAULT_SETTLE
from policy_site.audit.states import could_not_run
from policy_site.commands import command, install_extra
from policy_site.problems import PolicySiteError


def _host_mapping(text: str) -> tuple[str, str]:
    host, sep, address = text.partition("=")
    if not sep or not host.strip() or not address.strip():
        raise argparse.ArgumentTypeError(
            f"{text!r}: write HOST=IP, e.g. ads.partner.test=127.0.0.1"
        )
    return host.strip(), address.strip()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=command("audit"),
        description="Load every page of the site in Chromium in each consent state, record what "
        "it does, judge it against consent.yml and write audit/report.json and report.html. "
        "Exit status: 0 clean, 1 violations (each printed), 2 the audit could not run.",
    )
    parser.add_argument(
        "target", nargs="?", default="site", help="a built site's folder (default: site) or a URL"
    )
    parser.add_argument("--consent", type=Path, default=Path("consent/consent.yml"))
    parser.add_argument("--out", type=Path, default=Path("audit"))
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"the host name a folder is served under (default {DEFAULT_HOST})",
    )
    parser.add_argument(
        "--map",
        dest="maps",
        action="append",
        default=[],
        type=_host_mapping,
        metavar="HOST=IP",
        help="resolve HOST to IP in Chromium (repeatable); other hosts resolve nowhere, but for a "
        "URL's own host, which resolves as it really does",
    )
    parser.add_argument(
        "--as-of", help="the date or time the report says it was made (else SOURCE_DATE_EPOCH)"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=DEFAULT_JOBS,
        help=f"consent states audited at a time (default {DEFAULT_JOBS})",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=DEFAULT_SETTLE,
        help=f"seconds with no request in flight after load before a page counts as done "
        f"(default {DEFAULT_SETTLE})",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """``policy-site audit``: 0 clean, 1 violations. Raises PolicySiteError (AuditError,
    ChromiumMissingError among them) when the audit cannot run: policy_site.cli.main says it and
    exits 2."""
    args = _parser().parse_args(argv)
    try:
        with could_not_run("the audit"):  # what no part of it caught: one message, exit 2
            report = audit(
                args.target,
                consent=args.consent,
                out=args.out,
                host=args.host,
                host_map=dict(args.maps),
                as_of=args.as_of,
                settle=args.settle,
                jobs=args.jobs,
                log=lambda text: print(text, file=sys.stderr, flush=True),
            )
    except ModuleNotFoundError:  # Playwright's: could_not_run lets no other through
        raise PolicySiteError(
            "Playwright is missing: the audit drives Chromium through it, and it comes "
            f"with policy-site's audit extra: install it with {install_extra('audit')}"
        ) from None
    for violation in report.violations:
        print(f"VIOLATION {violation}")
    summary = report.data["summary"]
    for row in summary:
        print(
            f"{row['state']:<18} {row['verdict']:<4}  pages {row['pages']}, requests "
            f"{row['first_party_requests']} first / {row['third_party_requests']} third party, "
            f"cookies {row['cookies']}, storage {row['storage_keys']}, beacons {row['beacons']}, "
            f"errors {row['console_errors'] + row['csp_violations']}, "
            f"violations {row['violations']}"
        )
    verdict = f"{len(report.violations)} violation(s)" if report.violations else "clean"
    print(f"audit: {verdict}; report: {report.json_path} and {report.html_path}")
    return report.exit_code


if __name__ == "__main__":  # as policy-site audit, through the command line's one catch
    from policy_site.cli import main as command_line

    raise SystemExit(command_line(["audit", *sys.argv[1:]]))
