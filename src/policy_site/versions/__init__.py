"""Effective-dated policy versions: one Markdown file per version, named by its effective date."""

from policy_site.versions.model import (
    PolicyVersion,
    VersionError,
    current_version,
    load_versions,
    split_front_matter,
)

__all__ = [
    "PolicyVersion",
    "VersionError",
    "current_version",
    "load_versions",
    "split_front_matter",
]
