"""Rules across versions: one per date, notice periods, what a later version must say, wording,
and the effective date that the text states."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from policy_site.versions.model import PolicyVersion, Problem

__all__ = [
    "CHECK_BACK_RULE",
    "StatedDate",
    "check_rules",
    "lint_wording",
    "restate_effective_date",
    "stated_effective_dates",
]

#: EDPB/WP29 WP260 rev.01 para 29: telling readers to check the policy for changes themselves is
#: "insufficient and unfair"; changes must be actively notified.
CHECK_BACK_RULE = "check-back-wording"
_CHECK_BACK = re.compile(
    r"\b(check|consult|review|visit|revisit)\b[^.?!]{0,60}?\b(periodically|regularly|often|"
    r"frequently|from time to time|back)\b"
    r"|\b(periodically|regularly|frequently)\s+(check|consult|review|visit)\b",
    re.IGNORECASE,
)

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")  # fmt: skip
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_ORDINAL = r"(?:st|nd|rd|th)?"
#: A date as a policy's text writes it: "October 1, 2007", "1 October 2007", "2007-10-01".
_DATE = (
    rf"(?P<md>(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}}){_ORDINAL},?\s+(?P<y1>\d{{4}}))"
    rf"|(?P<dm>(?P<d2>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<m2>{_MONTH}),?\s+(?P<y2>\d{{4}}))"
    r"|(?P<iso>\d{4}-\d{2}-\d{2})"
)
#: Not inside a word or a number; "_" (emphasis) may touch it.
_ANY_DATE = re.compile(rf"(?<![A-Za-z0-9])(?:{_DATE})(?![0-9])", re.IGNORECASE)
#: Outside the "Effective Date" section, only a sentence that says so: "... is effective as of".
_STATEMENT = re.compile(
    rf"\bis\s+effective\s+(?:as\s+of|from|on)\s+[_*]*(?P<date>(?:{_DATE}))(?![0-9])", re.IGNORECASE
)
#: The closing section's title: a heading ("## Effective Date") or a line of emphasis alone
#: ("_**Effective Date**_", as the 2007 text has it).
_SECTION = re.compile(
    r"\A\s{0,3}(?:#{1,6}\s+)?[_*]*\s*effective\s+date\s*[_*]*:?\s*#*\s*\Z", re.IGNORECASE
)
_HEADING = re.compile(r"\A\s{0,3}#{1,6}\s")


@dataclass(frozen=True)
class StatedDate:
    """An effective date that a version's text states: where, as written, and the day (None when
    the text names a day that does not exist)."""

    #: Index of the line in ``body.splitlines()``.
    index: int
    start: int
    end: int
    text: str
    day: dt.date | None
    #: How it is written: "md" (October 1, 2007), "dm" (1 October 2007) or "iso".
    style: str


def _month(name: str) -> int:
    return next(
        i for i, month in enumerate(_MONTHS, 1) if month.casefold().startswith(name.casefold()[:3])
    )


def _stated(index: int, match: re.Match[str], group: int | str) -> StatedDate:
    if match.group("iso"):
        style, parts = "iso", tuple(int(part) for part in match.group("iso").split("-"))
    elif match.group("md"):
        style, parts = (
            "md",
            (int(match.group("y1")), _month(match.group("m1")), int(match.group("d1"))),
        )
    else:
        style, parts = (
            "dm",
            (int(match.group("y2")), _month(match.group("m2")), int(match.group("d2"))),
        )
    try:
        day: dt.date | None = dt.date(*parts)
    except ValueError:
        day = None
    start, end = match.span(group)
    return StatedDate(index, start, end, match.group(group), day, style)


def stated_effective_dates(body: str) -> list[StatedDate]:
    """The dates in the body's "Effective Date" section (a heading or an emphasised line, up to the
    next heading), and elsewhere the dates of a sentence such as "... is effective as of <date>"."""
    found: list[StatedDate] = []
    in_section = False
    for index, line in enumerate(body.splitlines()):
        if _SECTION.match(line):
            in_section = True
            continue
        if _HEADING.match(line):
            in_section = False
        if in_section:
            found += [_stated(index, match, 0) for match in _ANY_DATE.finditer(line)]
        else:
            found += [_stated(index, match, "date") for match in _STATEMENT.finditer(line)]
    return found


def _written(day: dt.date, style: str) -> str:
    if style == "iso":
        return day.isoformat()
    month = _MONTHS[day.month - 1]
    return f"{day.day} {month} {day.year}" if style == "dm" else f"{month} {day.day}, {day.year}"


def restate_effective_date(body: str, day: dt.date) -> tuple[str, list[tuple[int, str, str]]]:
    """``body`` with each stated effective date (see stated_effective_dates) replaced by ``day``,
    written the same way; and what was replaced: (line index, old text, new text)."""
    lines = body.splitlines(keepends=True)
    replaced: list[tuple[int, str, str]] = []
    for stated in reversed(stated_effective_dates(body)):
        new = _written(day, stated.style)
        if stated.text != new:
            line = lines[stated.index]
            lines[stated.index] = line[: stated.start] + new + line[stated.end :]
            replaced.append((stated.index, stated.text, new))
    return "".join(lines), replaced[::-1]


def _stated_date(version: PolicyVersion) -> list[Problem]:
    problems: list[Problem] = []
    for stated in stated_effective_dates(version.body):
        if stated.day == version.effective:
            continue
        expected = _written(version.effective, stated.style)
        if stated.day is None:
            said = f"states the effective date '{stated.text}', which is not a date"
        else:
            said = (
                f"states the effective date '{stated.text}' ({stated.day}), but 'effective' is "
                f"{version.id}"
            )
        problems.append(
            Problem(
                version.path,
                version.body_line + stated.index,
                None,
                f"the text {said}: write '{expected}' there, or correct 'effective' "
                "(and the file name) if the text has the right date.",
            )
        )
    return problems


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
        problems += _withdrawal(version)
        problems += _stated_date(version)
        problems += _errata_dates(version)
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
        try:
            later = f" to {announced + dt.timedelta(days=notice_days)} or later"
        except OverflowError:
            later = " later"
        return [
            Problem(
                version.path,
                version.line("announced"),
                "announced",
                f"gives {notice} days' notice of a material change; at least {notice_days} are "
                f"needed. {fix} 'effective'{later}.",
            )
        ]
    return []


def _errata_dates(version: PolicyVersion) -> list[Problem]:
    """An erratum corrects a version in effect, or a clarification or editorial one announced
    (a material one is announced again instead: see lock.py)."""
    problems: list[Problem] = []
    material = version.change == "material" or version.announced is None
    first = version.effective if material else version.announced
    assert first is not None
    for erratum in version.errata:
        if erratum.date < first:
            since = f"took effect ({version.id})" if material else f"was announced ({first})"
            problems.append(
                Problem(
                    version.path,
                    version.line("errata"),
                    "errata",
                    f"{erratum.date} is before the version {since}; an erratum corrects a "
                    "published version. Edit the text instead.",
                )
            )
    return problems


def _withdrawal(version: PolicyVersion) -> list[Problem]:
    withdrawn = version.withdrawn
    if withdrawn is None:
        return []
    if withdrawn.date >= version.effective:
        said = f"is {withdrawn.date}, but the version took effect on {version.id}"
        fix = "a version in effect is replaced by a new version, not withdrawn"
    elif version.announced is not None and withdrawn.date < version.announced:
        said = f"is {withdrawn.date}, before the version was announced ({version.announced})"
        fix = "a draft that was never announced is deleted, not withdrawn"
    else:
        return []
    return [Problem(version.path, version.line("withdrawn"), "withdrawn", f"{said}: {fix}.")]


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
