"""Effective-dated policy versions: one Markdown file per version, named by its effective date.

Pure logic, no MkDocs: ``load_policy`` reads and checks the versions as of a build date; the other
modules turn the result into redlines, a feed and a manifest.
"""

from policy_site.versions.model import PolicyVersion, Problem, VersionError
from policy_site.versions.policy import Policy, Settings, load_policy
from policy_site.versions.timeline import Entry, Timeline

__all__ = [
    "Entry",
    "Policy",
    "PolicyVersion",
    "Problem",
    "Settings",
    "Timeline",
    "VersionError",
    "load_policy",
]
