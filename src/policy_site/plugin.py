"""The MkDocs adapter: events only. The decisions are made in ``policy_site.versions``."""

from __future__ import annotations

import datetime as dt
import posixpath
from pathlib import Path

from jinja2 import Environment
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files

from policy_site.dates import BuildDateError, build_date, long_date
from policy_site.versions import PolicyVersion, VersionError, current_version, load_versions

__all__ = ["PolicySiteConfig", "PolicySitePlugin"]

log = get_plugin_logger(__name__)


class PolicySiteConfig(Config):
    """Options of the ``policy-site`` plugin in ``mkdocs.yml``."""

    #: Folder under ``docs_dir`` holding ``YYYY-MM-DD.md`` version files.
    versions_dir = c.Type(str, default="privacy/versions")
    #: Time zone in which "today" is read when no build date is given.
    timezone = c.Type(str, default="UTC")


class PolicySitePlugin(BasePlugin[PolicySiteConfig]):
    """Publishes the version in effect at ``/privacy/`` beside a permanent page per version."""

    def __init__(self) -> None:
        self.today: dt.date | None = None
        self.versions: list[PolicyVersion] = []
        self.current: PolicyVersion | None = None

    @property
    def policy_dir(self) -> str:
        """Where the policy in effect is published: the parent of the versions folder."""
        return posixpath.dirname(self.config.versions_dir.strip("/"))

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        try:
            self.today = build_date(self.config.timezone)
            self.versions = load_versions(Path(config.docs_dir) / self.config.versions_dir)
            self.current = current_version(self.versions, self.today)
        except (BuildDateError, VersionError) as err:
            raise PluginError(str(err)) from None
        log.info("Build date %s: version %s is in effect.", self.today, self.current.id)
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        assert self.current is not None
        src_uri = posixpath.join(self.policy_dir, "index.md")
        if files.get_file_from_path(src_uri) is not None:
            raise PluginError(
                f"docs/{src_uri} exists, but that page is generated from the version in effect. "
                "Delete it: the policy's text lives in the version files."
            )
        text = self.current.path.read_text(encoding="utf-8")
        files.append(File.generated(config, src_uri, content=text))
        return files

    def on_env(self, env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment:
        env.filters["long_date"] = long_date
        return env
