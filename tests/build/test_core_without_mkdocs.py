"""The core needs no MkDocs (issue 21, point 4): no module but the adapter imports ``mkdocs`` or
``material``, and with both made unimportable the core loads the site and produces every file a
build writes beside the theme's pages (feeds, calendar, manifest, print CSS, consent files, the
ledger, gpc.json, headers): the same files, byte for byte, as the real build.

The versions' HTML, which MkDocs renders, is rendered here by Python-Markdown with the site's
own extensions, as another generator's adapter would.
"""

from __future__ import annotations

import ast
import hashlib
import json
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT, build, dated_env

PACKAGE = ROOT / "src" / "policy_site"
#: The adapter: the only package that may import MkDocs or its theme.
ADAPTER = "adapter"
AS_OF = "2026-12-01"

#: Run with mkdocs and material unimportable: prints {path in the site: sha256} of every file the
#: core publishes for the project's own site, and the modules that were imported.
SCRIPT = """
import hashlib, json, sys
from pathlib import Path

class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("mkdocs", "material"):
            raise ModuleNotFoundError(f"No module named {name!r} (made unimportable)")
        return None

sys.meta_path.insert(0, Refuse())
import markdown
from policy_site.publishing import Consent, header_files, published_files, rendered_chains
from policy_site.site import load_site, read_config
from policy_site.versions.anchors import policy_anchors

root, site_dir = Path(sys.argv[1]), Path(sys.argv[2])
config = read_config(root / "mkdocs.yml")
site = load_site(config)
policy = site.policy
converter = markdown.Markdown(
    extensions=list(config.markdown),
    extension_configs={name: dict(options) for name, options in config.markdown.items()},
)
rendered = {}
for version in [*policy.versions, *policy.translated_versions]:
    converter.reset()
    rendered[version.key] = converter.convert(version.body)
anchors, problems = policy_anchors(rendered_chains(policy, rendered))
assert not problems, problems
consent = Consent(site.consent, site.bundle, site.kept.files, config.options.consent,
                  site.kept.releases)
files = published_files(policy, config.site_url, config.site_name, rendered, anchors, consent)
files |= header_files(site_dir, "www.toontrack.com", consent).files
print(json.dumps({
    "files": {path: hashlib.sha256(content).hexdigest() for path, content in files.items()},
    "imported": sorted(name for name in sys.modules if name.startswith(("mkdocs", "material"))),
}))
"""


def test_no_module_but_the_adapter_imports_mkdocs_or_material() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] == ADAPTER:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            offenders += [
                f"{path.relative_to(PACKAGE)}:{node.lineno}: {name}"
                for name in names
                if name.split(".")[0] in ("mkdocs", "material")
            ]
    assert offenders == [], "the core imports MkDocs: " + ", ".join(offenders)


def test_the_core_writes_every_published_file_without_mkdocs(tmp_path: Path) -> None:
    site = tmp_path / "site"
    built = build(ROOT, site)
    assert built.returncode == 0, built.stderr
    made = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ROOT), str(site)],
        capture_output=True, text=True, env=dated_env(AS_OF), check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    result = json.loads(made.stdout)
    assert result["imported"] == []
    files: dict[str, str] = result["files"]
    expected = {"privacy/feed.xml", "privacy/feed.json", "sv/privacy/feed.xml",
                "privacy/changes.ics", "privacy/versions.json", "consent/releases.json",
                ".well-known/gpc.json", "_headers", "_headers.nginx.conf",
                "consent/consent.json"}  # fmt: skip
    assert expected <= set(files), expected - set(files)
    differ = [
        path
        for path, digest in files.items()
        if hashlib.sha256((site / path).read_bytes()).hexdigest() != digest
    ]
    assert differ == [], f"the core without MkDocs writes these otherwise: {differ}"
