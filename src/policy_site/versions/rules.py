"""Rules across versions: one per date, notice periods, what a later version must say, wording."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence

from policy_site.versions.model import PolicyVersion, Problem

__all__ = ["CHECK_BACK_RULE", "check_rules", "lint_wording"]

#: EDPB/WP29 WP260 rev.01 para 29: telling readers to check the policy for changes themselves is
#: "insufficient and unfair"; changes must be actively notified.
CHECK_BACK_RULE = "check-back-wording"
_CHECK_BACK = re.compile(
    r"\b(check|consult|review|visit|revisit)\b[^.?!]{0,60}?\b(periodically|regularly|often|"
    r"frequently|from time to time|back)\b"
    r"|\b(periodically|regularly|frequently)\s+(check|consult|review|visit)\b",
    re.IGNORECASE,
)


def check_rules(versions: Sequence[PolicyVersion], notice_days: int) -> list[Problem]:
    """Problems that only show across versions. ``versions`` are sorted oldest first."""
    problems: list[Problem] = []
    by_date: dict[str, list[PolicyVersion]] = defaultdict(list)
    for version in versions:
        by_date[version.id].append(version)
    for same in by_date.values():
        if len(same) > 1:
            names = ", ".join(str(version.path) for version in same)
            problems.append(
                Problem(
                    same[0].path,
                    same[0].line("effective"),
                    "effective",
                    f"{len(same)} versions take effect on {same[0].id} ({names}); keep one.",
                )
            )
    for index, version in enumerate(versions):
        if index > 0:
            for key in ("summary", "change"):
                if getattr(version, key) is None:
                    hint = (
                        "plain words on what changed"
                        if key == "summary"
                        else "material, clarification or editorial"
                    )
                    problems.append(
                        Problem(
                            version.path,
                            1,
                            None,
                            f"key '{key}' is missing: "
                            f"every version after the first needs it ({hint}).",
                        )
                    )
        problems += _announcement(version, notice_days)
        for erratum in version.errata:
            if erratum.date < version.effective:
                problems.append(
                    Problem(
                        version.path,
                        version.line("errata"),
                        "errata",
                        f"{erratum.date} is before the version took effect ({version.id}); an "
                        "erratum corrects a version in effect. Edit the text instead.",
                    )
                )
    return problems


def _announcement(version: PolicyVersion, notice_days: int) -> list[Problem]:
    announced = version.announced
    if announced is None:
        if version.change == "material":
            return [
                Problem(
                    version.path,
                    version.line("change"),
                    "announced",
                    "is missing: a material change must be announced at least "
                    f"{notice_days} days before it takes effect; add 'announced: YYYY-MM-DD'.",
                )
            ]
        return []
    if announced > version.effective:
        return [
            Problem(
                version.path,
                version.line("announced"),
                "announced",
                f"{announced} is after the effective date {version.id}: a change is announced "
                "before it takes effect.",
            )
        ]
    notice = (version.effective - announced).days
    if version.change == "material" and notice < notice_days:
        try:
            fix = f"Announce it by {version.effective - dt.timedelta(days=notice_days)} or move"
        except OverflowError:  # effective in the first days of year 1: no day is early enough
            fix = "Move"
        return [
            Problem(
                version.path,
                version.line("announced"),
                "announced",
                f"gives {notice} days' notice of a material change; at least {notice_days} are "
                f"needed. {fix} 'effective' later.",
            )
        ]
    return []


def lint_wording(versions: Sequence[PolicyVersion]) -> list[Problem]:
    """Wording warnings for every version after the first (the 2007 text is history)."""
    warnings: list[Problem] = []
    for version in versions[1:]:
        if CHECK_BACK_RULE in version.waivers:
            continue
        for number, line in enumerate(version.body.splitlines(), start=version.body_line):
            match = _CHECK_BACK.search(line)
            if match:
                warnings.append(
                    Problem(
                        version.path,
                        number,
                        None,
                        f"'{match.group(0)}': asking readers to check for changes themselves "
                        "is insufficient and unfair (EDPB WP260 para 29). Say how changes are "
                        f"notified instead, or waive with 'lint: {{{CHECK_BACK_RULE}: reason}}'.",
                    )
                )
    return warnings
