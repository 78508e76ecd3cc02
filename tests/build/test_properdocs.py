"""Beyond MkDocs 1.6: ProperDocs (PyPI ``properdocs``, the maintained MkDocs 1.x fork) builds the
project's site with the same plugin and theme, and the result is the MkDocs build's, byte for
byte, but for the generator tag each page carries."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.support import AS_OF, ROOT, dated_env

_GENERATOR = re.compile(rb'<meta name="generator" content="mkdocs-[^"]*, mkdocs-material-[^"]*">')


def files(site: Path) -> dict[str, bytes]:
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


def test_properdocs_builds_the_same_site_but_the_generator_tag(
    project_build: tuple[Path, str], tmp_path: Path
) -> None:
    site = tmp_path / "site"
    env = {**dated_env(AS_OF), "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "properdocs", "build", "--strict"]
    command += ["--config-file", str(ROOT / "mkdocs.yml"), "--site-dir", str(site)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    ours, theirs = files(project_build[0]), files(site)
    assert sorted(ours) == sorted(theirs)
    generators = set()
    for name, content in ours.items():
        other = theirs[name]
        generators |= {tag.decode() for tag in _GENERATOR.findall(other)}
        assert _GENERATOR.sub(b"", content) == _GENERATOR.sub(b"", other), name
    assert any("ProperDocs" in tag for tag in generators), generators  # it was ProperDocs
