"""The life cycle's commands after a draft is written (editor.py's ``new-version``): ``announce``
(a draft, or a revised text, is announced today) and ``withdraw`` (an announced version taken
back before it takes effect). Each writes the version's front matter and says what to do next.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import yaml

from policy_site.dates import record_date
from policy_site.editor import (
    Outcome,
    build_day,
    checked_versions,
    given_day,
    read_checked,
    update_lock,
)
from policy_site.problems import PolicySiteError
from policy_site.site import SiteConfig
from policy_site.versions.lock import read_lock
from policy_site.versions.model import PolicyVersion, split_front_matter
from policy_site.versions.timeline import is_published

__all__ = ["announce", "withdraw"]


def announce(config: SiteConfig, version_id: str, environ: Mapping[str, str]) -> Outcome:
    """Announces a draft (or a revised text of an announced version) today: sets 'announced'
    and records the version in the lock, or changes nothing and says why."""
    settings = config.settings()
    today = record_date(settings.timezone, environ)
    version = _version(config, given_day(version_id, "version"))
    if version.effective <= today:
        raise PolicySiteError(
            f"{version.path}: in effect since {version.id}; only a version not in effect yet is "
            "announced. A new text is a new version: policy-site new-version YYYY-MM-DD."
        )
    if version.withdrawn is not None:
        raise PolicySiteError(
            f"{version.path}: withdrawn on {version.withdrawn.date}, and a withdrawal is final: "
            "give the text a new effective date (policy-site new-version)."
        )
    left = f"{version.path} was left as it was."
    entry = read_lock(config.docs_dir / settings.lock_file).get(version.key)
    if (
        version.announced is not None
        and version.announced <= today
        and entry
        and entry.holds(version)
    ):
        return Outcome(
            [
                f"{version.path}: announced on {version.announced}, and its text is the one "
                "announced: there is nothing to announce. A change to it is announced again "
                f"with policy-site announce {version.id}."
            ]
        )
    notice = (version.effective - today).days
    if version.change == "material" and notice < settings.notice_days:
        earliest = today + dt.timedelta(days=settings.notice_days)
        raise PolicySiteError(
            f"{version.path}: announced today ({today}), this material change gives {notice} "
            f"days' notice; at least {settings.notice_days} are needed. Move it to {earliest} "
            f"or later (rename the file and set 'effective'), then run policy-site announce "
            f"{earliest} again."
        )
    problems = checked_versions(config, today)[2]
    if problems:  # said on the lines of the file as it is
        raise PolicySiteError(problems, note=left)
    original = version.path.read_text(encoding="utf-8")
    if version.announced != today:
        head, body, closing = _front_matter(version, original)
        line = f"announced: {today.isoformat()}\n"
        lines = head.splitlines(keepends=True)
        at = version.line("announced") - 1 if version.announced else None
        if at is not None and lines[at].startswith("announced:"):
            lines[at] = line
        else:
            lines.insert(closing, line)
        version.path.write_text("".join(lines) + body, encoding="utf-8")
    out = Outcome()
    try:
        update_lock(config, environ, out)
    except PolicySiteError as err:
        version.path.write_text(original, encoding="utf-8")
        raise PolicySiteError(err.found, note=left) from None
    out.said[:0] = [
        f"{version.path}: announced on {today}; it takes effect on {version.id} "
        f"({notice} days' notice). From the next build readers see it as upcoming."
    ]
    out.said += [
        "Next:",
        "  1. policy-site build, and commit the version file and the lock together.",
        f"  2. policy-site notice {version.id} writes the e-mail to registered users.",
        "  A change to its text from now on is announced again: edit it, then run "
        f"policy-site announce {version.id}.",
    ]
    return out


def _version(config: SiteConfig, day: dt.date) -> PolicyVersion:
    versions = read_checked(config)
    version = next((v for v in versions if v.effective == day), None)
    if version is None:
        ids = ", ".join(v.id for v in versions)
        raise PolicySiteError(f"no version takes effect on {day}; the versions are {ids}.")
    return version


def _front_matter(version: PolicyVersion, text: str) -> tuple[str, str, int]:
    """``text`` split into its front matter (with the '---' lines) and its body, and the index
    of the closing '---' among the front matter's lines."""
    parts = split_front_matter(text)
    assert parts is not None, "read_versions read it"
    head = text[: len(text) - len(parts[1])]
    return head, parts[1], len(head.splitlines()) - 1


def withdraw(
    config: SiteConfig, version_id: str, reason: str, environ: Mapping[str, str]
) -> Outcome:
    """Marks an announced version, not yet in effect, as withdrawn today, with the reason: its
    page stays, saying so, and the archive, feed and manifest say so too."""
    today = build_day(config.settings(), environ)
    day = given_day(version_id, "version")
    if not reason.strip():
        raise PolicySiteError(
            "--reason is empty: say, in plain words, why the version is withdrawn."
        )
    version = _version(config, day)
    if version.withdrawn is not None:
        raise PolicySiteError(f"{version.path}: withdrawn already, on {version.withdrawn.date}.")
    if version.effective <= today:
        raise PolicySiteError(
            f"{version.path}: in effect since {version.id}; a version in effect is not withdrawn "
            "but replaced: policy-site new-version YYYY-MM-DD."
        )
    if not is_published(version, today):
        raise PolicySiteError(
            f"{version.path}: a draft, not announced yet, so no reader has seen it: delete the "
            "file instead (and run policy-site check --update-lock)."
        )
    head, body, closing = _front_matter(version, version.path.read_text(encoding="utf-8"))
    lines = head.splitlines(keepends=True)
    entry = {"withdrawn": {"date": today, "reason": " ".join(reason.split())}}
    lines.insert(closing, yaml.safe_dump(entry, allow_unicode=True, sort_keys=False, width=96))
    version.path.write_text("".join(lines) + body, encoding="utf-8")
    return Outcome(
        [
            f"{version.path}: withdrawn on {today}. Its page stays at its address and says so.",
            "Next:",
            "  1. policy-site check --update-lock, then policy-site build.",
            "  2. Commit the version file and the lock together.",
            "  A text for a later date is a new version: policy-site new-version YYYY-MM-DD.",
        ]
    )
