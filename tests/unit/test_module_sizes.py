"""Modules of one idea, none over 400 lines (issue 21, point 7)."""

from __future__ import annotations

from pathlib import Path

import policy_site

SOURCE = Path(policy_site.__file__).parent
LIMIT = 400

#: The MkDocs events: at most this many lines (issue 21, point 4).
EVENTS = SOURCE / "adapter" / "plugin.py"
EVENTS_LIMIT = 200


def test_no_module_is_over_400_lines() -> None:
    sizes = {
        path.relative_to(SOURCE).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(SOURCE.rglob("*.py"))
    }
    offenders = [f"{name} ({lines} lines)" for name, lines in sizes.items() if lines > LIMIT]
    assert offenders == [], f"over {LIMIT} lines, split by concept: {', '.join(offenders)}"


def test_the_plugin_module_holds_events_only() -> None:
    lines = len(EVENTS.read_text(encoding="utf-8").splitlines())
    assert lines <= EVENTS_LIMIT, f"{EVENTS.name}: {lines} lines; move what is not an event out"
