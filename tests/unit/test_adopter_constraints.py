"""adopter-constraints.txt, the pinned set a site installs the package with, is constraints.txt's
pins of exactly what the package needs: every distribution the package requires with its extras
(not ``dev``), transitively, on every Python it supports and on Linux, macOS and Windows, read
from the metadata of what .venv has installed. After a change to constraints.txt or to the
package's dependencies, rewrite it with ``.venv/bin/python -m tests.unit.test_adopter_constraints``.
"""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
CONSTRAINTS = ROOT / "constraints.txt"
ADOPTER = ROOT / "adopter-constraints.txt"
PACKAGE = "policy-site"
#: Extras that are the project's own tools, not a site's.
NOT_FOR_SITES = {"dev"}
#: Required by a dependency and left to the venv, with the reason.
UNPINNED = {
    "setuptools": "calmjs.parse requires it, but reads ply's version with importlib.metadata and "
    "never imports it on Python 3.8 or newer; pinning it would hold back a venv's own",
}
#: The environments a requirement's marker is read in: requires-python >= 3.11, three systems.
ENVIRONMENTS = [
    {
        "python_version": version,
        "python_full_version": f"{version}.0",
        "sys_platform": platform,
        "platform_system": system,
        "os_name": "nt" if platform == "win32" else "posix",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
    }
    for version in ("3.11", "3.12", "3.13", "3.14")
    for platform, system in (("linux", "Linux"), ("darwin", "Darwin"), ("win32", "Windows"))
]
HEADER = """\
# The versions of policy-site's dependencies that the project is tested with, for installing the
# package into a site's own venv:
#   pip install -c adopter-constraints.txt '/path/to/checkout[receipts,postgresql]'
# Every package it needs, with its extras (not the dev tools), at constraints.txt's version.
# Written from constraints.txt by .venv/bin/python -m tests.unit.test_adopter_constraints: do not
# edit it by hand (tests/unit/test_adopter_constraints.py fails while the two disagree).
"""


def normalised(text: str) -> str:
    """A distribution's or an extra's name, normalised (PEP 503)."""
    return str(canonicalize_name(text))


def site_extras() -> set[str]:
    """The package's extras that a site may install."""
    extras = distribution(PACKAGE).metadata.get_all("Provides-Extra") or []
    return {normalised(extra) for extra in extras} - NOT_FOR_SITES


def _applies(requirement: Requirement, extras: frozenset[str]) -> bool:
    """Whether ``requirement`` holds in some supported environment, with ``extras`` asked for."""
    if requirement.marker is None:
        return True
    return any(
        requirement.marker.evaluate({**environment, "extra": extra})
        for environment in ENVIRONMENTS
        for extra in (extras or {""})
    )


def needed() -> set[str]:
    """Every distribution the package needs, with its site extras, but itself and UNPINNED."""
    seen: dict[str, frozenset[str]] = {}
    todo = [(normalised(PACKAGE), frozenset(site_extras()))]
    while todo:
        wanted, extras = todo.pop()
        if wanted in seen and extras <= seen[wanted]:
            continue
        seen[wanted] = seen.get(wanted, frozenset()) | extras
        try:
            requires = distribution(wanted).requires or []
        except PackageNotFoundError:
            raise AssertionError(f"{wanted} is needed but not installed in .venv") from None
        for line in requires:
            requirement = Requirement(line)
            if _applies(requirement, seen[wanted]):
                asked = frozenset(map(normalised, requirement.extras))
                todo.append((normalised(requirement.name), asked))
    return set(seen) - {normalised(PACKAGE)} - set(map(normalised, UNPINNED))


def pins(text: str) -> dict[str, str]:
    """``name==version`` lines by their normalised name, as written."""
    found = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            found[normalised(Requirement(line).name)] = line
    return found


def expected() -> str:
    """adopter-constraints.txt as constraints.txt and the installed metadata make it."""
    pinned = pins(CONSTRAINTS.read_text("utf-8"))
    missing = sorted(needed() - set(pinned))
    assert not missing, f"constraints.txt pins no version of {missing}: add them"
    return HEADER + "".join(f"{pinned[name]}\n" for name in sorted(needed()))


def test_the_adopter_constraints_are_the_project_pins_of_what_the_package_needs() -> None:
    assert ADOPTER.read_text("utf-8") == expected(), (
        "adopter-constraints.txt disagrees with constraints.txt or with the package's "
        "dependencies: rewrite it with .venv/bin/python -m tests.unit.test_adopter_constraints"
    )


def test_they_hold_the_extras_and_leave_out_the_dev_tools() -> None:
    """What the closure is made of: a guard against reading too little or too much."""
    pinned = pins(ADOPTER.read_text("utf-8"))
    constraints = pins(CONSTRAINTS.read_text("utf-8"))
    for package in ("mkdocs", "mkdocs-material", "lxml", "markdown", "aiohttp", "psycopg-binary"):
        assert pinned.get(package) == constraints[package], package
    for tool in ("pytest", "ruff", "mypy", "hypothesis", "properdocs"):
        assert tool not in pinned, tool
    assert "setuptools" not in pinned


if __name__ == "__main__":
    ADOPTER.write_text(expected(), "utf-8")
    print(f"Wrote {ADOPTER.relative_to(ROOT)}", file=sys.stderr)
