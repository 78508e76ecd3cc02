"""What the lock records of a version: the hash of its text, and of the front matter readers see
(title, summary, change class, section anchors and the errata published so far)."""

from __future__ import annotations

import hashlib
import json

from policy_site.versions.model import PolicyVersion

__all__ = ["body_sha256", "front_sha256", "normalize_body"]


def normalize_body(body: str) -> str:
    """The text that is hashed: line endings and trailing spaces do not count as changes."""
    lines = [line.rstrip() for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n") + "\n"


def body_sha256(body: str) -> str:
    return hashlib.sha256(normalize_body(body).encode("utf-8")).hexdigest()


def front_sha256(version: PolicyVersion, errata: int | None = None) -> str:
    """The hash of what the front matter shows readers, with the first ``errata`` errata (all of
    them when None): a lock entry recorded with n errata is compared with ``front_sha256(v, n)``,
    so that an erratum added since is not a change, and one rewritten is."""
    shown = version.errata if errata is None else version.errata[:errata]
    front = {
        "title": version.title,
        "summary": version.summary,
        # A translation takes its change class from the version it translates.
        "change": version.change if version.language is None else None,
        "anchors": dict(version.anchors),
        "errata": [[erratum.date.isoformat(), erratum.text] for erratum in shown],
    }
    text = json.dumps(front, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
