"""Rules across versions: one per date, notice periods, what a later version must say, wording,
and the effective date that the text states."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from policy_site.versions.model import PolicyVersion, Problem

__all__ = [
    "CHECK_BACK_RULE",
    "WORDINGS",
    "StatedDate",
    "check_rules",
    "check_stated_date",
    "errata_dates",
    "lint_wording",
    "restate_effective_date",
    "stated",
    "stated_effective_dates",
]

CHECK_BACK_RULE = "check-back-wording"

_HEADING = re.compile(r"\A\s{0,3}#{1,6}\s")
_ORDINAL = r"(?:st|nd|rd|th)?"


@dataclass(frozen=True)
class _Wording:
    """How a language writes what the rules look for: dates, the "Effective Date" section, a
    sentence stating the effective date, and the "check back for changes" that WP260 rejects."""

    months: tuple[str, ...]
    #: A date as a policy's text writes it: groups md (month first), dm (day first) or iso.
    date: str
    section: re.Pattern[str]
    #: A sentence outside that section that states the effective date: group "date".
    statement_before: str
    check_back: re.Pattern[str] | None

    @cached_property
    def any_date(self) -> re.Pattern[str]:
        # Not inside a word or a number; "_" (emphasis) may touch it.
        return re.compile(rf"(?<![^\W\d_])(?<![0-9])(?:{self.date})(?![0-9])", re.IGNORECASE)

    @cached_property
    def statement(self) -> re.Pattern[str]:
        return re.compile(
            rf"{self.statement_before}\s+[_*]*(?P<date>(?:{self.date}))(?![0-9])", re.IGNORECASE
        )

    def month(self, name: str) -> int:
        return next(
            i
            for i, month in enumerate(self.months, 1)
            if month.casefold().startswith(name.casefold()[:3])
        )

    def written(self, day: dt.date, style: str) -> str:
        if style == "iso":
            return day.isoformat()
        month = self.months[day.month - 1]
        return (
            f"{day.day} {month} {day.year}" if style == "dm" else f"{month} {day.day}, {day.year}"
        )


_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")  # fmt: skip
_SV_MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
              "september", "oktober", "november", "december")  # fmt: skip
_EN_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_SV_MONTH = r"(?:jan|feb|mar|apr|maj|jun|jul|aug|sep|sept|okt|nov|dec)[a-zå]*\.?"
#: The wordings the rules know. A language without one gets the checks that need no wording (an
#: ISO date in a section titled in no known language is not found: the check is silent, not wrong).
WORDINGS: dict[str, _Wording] = {
    "en": _Wording(
        months=_EN_MONTHS,
        date=(
            rf"(?P<md>(?P<m1>{_EN_MONTH})\s+(?P<d1>\d{{1,2}}){_ORDINAL},?\s+(?P<y1>\d{{4}}))"
            rf"|(?P<dm>(?P<d2>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<m2>{_EN_MONTH}),?\s+"
            r"(?P<y2>\d{4}))|(?P<iso>\d{4}-\d{2}-\d{2})"
        ),
        # A heading ("## Effective Date") or a line of emphasis alone ("_**Effective Date**_",
        # as the 2007 text has it).
        section=re.compile(
            r"\A\s{0,3}(?:#{1,6}\s+)?[_*]*\s*effective\s+date\s*[_*]*:?\s*#*\s*\Z", re.IGNORECASE
        ),
        statement_before=r"\bis\s+effective\s+(?:as\s+of|from|on)",
        # EDPB/WP29 WP260 rev.01 para 29: telling readers to check the policy for changes
        # themselves is "insufficient and unfair"; changes must be actively notified.
        check_back=re.compile(
            r"\b(check|consult|review|visit|revisit)\b[^.?!]{0,60}?\b(periodically|regularly|"
            r"often|frequently|from time to time|back)\b"
            r"|\b(periodically|regularly|frequently)\s+(check|consult|review|visit)\b",
            re.IGNORECASE,
        ),
    ),
    "sv": _Wording(
        months=_SV_MONTHS,
        # Swedish writes the day first: "1 januari 2027" ("den 1 januari 2027").
        date=(
            rf"(?P<dm>(?P<d2>\d{{1,2}}):?[ae]?\s+(?P<m2>{_SV_MONTH}),?\s+(?P<y2>\d{{4}}))"
            r"|(?P<iso>\d{4}-\d{2}-\d{2})"
        ),
        section=re.compile(
            r"\A\s{0,3}(?:#{1,6}\s+)?[_*]*\s*(?:datum\s+för\s+)?ikraftträdande(?:datum)?"
            r"\s*[_*]*:?\s*#*\s*\Z",
            re.IGNORECASE,
        ),
        statement_before=r"\b(?:gäller\s+(?:från\s+och\s+med|fr\.\s*o\.\s*m\.|från)"
        r"|träder\s+i\s+kraft)(?:\s+den)?",
        check_back=re.compile(
            r"\b(besök\w*|kontroller\w*|gå\s+in\s+på|titta\s+på|läs\w*)\b[^.?!]{0,60}?"
            r"\b(regelbundet|ofta|då\s+och\s+då|emellanåt|igen)\b"
            r"|\b(regelbundet|ofta|emellanåt)\s+(besök\w*|kontroller\w*|läs\w*)\b",
            re.IGNORECASE,
        ),
    ),
}


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


def stated(index: int, match: re.Match[str], group: int | str, wording: _Wording) -> StatedDate:
    found = match.groupdict()
    if found.get("iso"):
        style, parts = "iso", tuple(int(part) for part in found["iso"].split("-"))
    elif found.get("md"):
        style, parts = "md", (int(found["y1"]), wording.month(found["m1"]), int(found["d1"]))
    else:
        style, parts = "dm", (int(found["y2"]), wording.month(found["m2"]), int(found["d2"]))
    try:
        day: dt.date | None = dt.date(*parts)
    except ValueError:
        day = None
    start, end = match.span(group)
    return StatedDate(index, start, end, match.group(group), day, style)


def stated_effective_dates(body: str, language: str = "en") -> list[StatedDate]:
    """The dates in the body's "Effective Date" section (a heading or an emphasised line, up to the
    next heading), and elsewhere the dates of a sentence such as "... is effective as of <date>",
    as ``language`` writes them (none in a language the rules have no wording for)."""
    wording = WORDINGS.get(language)
    if wording is None:
        return []
    found: list[StatedDate] = []
    in_section = False
    for index, line in enumerate(body.splitlines()):
        if wording.section.match(line):
            in_section = True
            continue
        if _HEADING.match(line):
            in_section = False
        if in_section:
            found += [stated(index, m, 0, wording) for m in wording.any_date.finditer(line)]
        else:
            found += [stated(index, m, "date", wording) for m in wording.statement.finditer(line)]
    return found


def restate_effective_date(
    body: str, day: dt.date, language: str = "en"
) -> tuple[str, list[tuple[int, str, str]]]:
    """``body`` with each stated effective date (see stated_effective_dates) replaced by ``day``,
    written the same way; and what was replaced: (line index, old text, new text)."""
    lines = body.splitlines(keepends=True)
    replaced: list[tuple[int, str, str]] = []
    wording = WORDINGS.get(language)
    for stated in reversed(stated_effective_dates(body, language)):
        assert wording is not None, "a date is found only in a known wording"
        new = wording.written(day, stated.style)
        if stated.text != new:
            line = lines[stated.index]
            lines[stated.index] = line[: stated.start] + new + line[stated.end :]
            replaced.append((stated.index, stated.text, new))
    return "".join(lines), replaced[::-1]


def check_stated_date(version: PolicyVersion, language: str = "en") -> list[Problem]:
    """The effective date the text states, as ``language`` writes it, against 'effective'."""
    problems: list[Problem] = []
    wording = WORDINGS.get(language)
    for stated in stated_effective_dates(version.body, language):
        assert wording is not None, "a date is found only in a known wording"
        if stated.day == version.effective:
            continue
        expected = wording.written(version.effective, stated.style)
        if stated.day is None:
            said = f"states the effective date '{stated.text}', which is not a date"
        else:
            key = "the version it translates" if version.language else "'effective'"
            said = (
                f"states the effective date '{stated.text}' ({stated.day}), but {key} is "
                f"{version.id}"
            )
        fix = (
            ": a translation states the date of the version it translates"
            if version.language
            else ", or correct 'effective' (and the file name) if the text has the right date"
        )
        problems.append(
            Problem(
                version.path,
                version.body_line + stated.index,
                None,
                f"the text {said}: write '{expected}' there{fix}.",
            )
        )
    return problems


#: The keys every version after the first has, and what each holds.
_AFTER_THE_FIRST = {"summary": "plain words on what changed",
                    "change": "material, clarification or editorial"}  # fmt: skip


def check_rules(versions: Sequence[PolicyVersion], notice_days: int, day: dt.date) -> list[Problem]:
    """Problems that only show across versions (sorted oldest first), as of ``day``."""
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
        for key, hint in _AFTER_THE_FIRST.items() if index > 0 else ():
            if getattr(version, key) is None:
                said = f"key '{key}' is missing: every version after the first needs it ({hint})."
                problems.append(Problem(version.path, 1, None, said))
        problems += _announcement(version, notice_days, day)
        problems += _notified(version)
        problems += _withdrawal(version)
        problems += check_stated_date(version)
        problems += errata_dates(version)
    return problems


def _announcement(version: PolicyVersion, notice_days: int, day: dt.date) -> list[Problem]:
    """A material draft (not announced) fails once announcing it on ``day`` is too late."""
    announced = version.announced
    if announced is None:
        try:
            earliest = day + dt.timedelta(days=notice_days)
        except OverflowError:  # a build dated at the end of year 9999
            earliest = dt.date.max
        if version.change != "material" or version.effective >= earliest or version.withdrawn:
            return []
        message = (
            f"is missing: this material change is a draft, and announced today ({day}) it would "
            f"give {(version.effective - day).days} days' notice; at least {notice_days} are "
            f"needed. Move 'effective' (and the file name) to {earliest} or later, then run "
            f"policy-site announce {earliest}."
        )
        return [Problem(version.path, version.line("change"), "announced", message)]
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


def _notified(version: PolicyVersion) -> list[Problem]:
    """Users are told of a version that readers can see: on or after its announcement."""
    notified, announced = version.notified, version.announced or version.effective
    if notified is None or notified >= announced:
        return []
    return [
        Problem(
            version.path,
            version.line("notified"),
            "notified",
            f"{notified} is before the version was announced ({announced}): an e-mail tells "
            "users of a published text. Write the day the notice was sent.",
        )
    ]


def errata_dates(version: PolicyVersion) -> list[Problem]:
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


def lint_wording(versions: Sequence[PolicyVersion], language: str = "en") -> list[Problem]:
    """Wording warnings for every version after the first (the 2007 text is history) and every
    translation of one, each in its own language where the rule has a wording for it."""
    warnings: list[Problem] = []
    first = min((version.effective for version in versions), default=None)
    for version in versions:
        wording = WORDINGS.get(version.language or language)
        if version.effective == first or CHECK_BACK_RULE in version.waivers or wording is None:
            continue
        if wording.check_back is None:
            continue
        for number, line in enumerate(version.body.splitlines(), start=version.body_line):
            match = wording.check_back.search(line)
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
