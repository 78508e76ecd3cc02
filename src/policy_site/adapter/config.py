"""The plugin's options as MkDocs validates them: each the core's option (``policy_site.options``)
in a ``config_options`` class, so that the build and ``check`` refuse the same values in the same
words; and the core's ``SiteConfig`` made from the config MkDocs read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config.base import BaseConfigOption, Config, ValidationError
from mkdocs.config.defaults import MkDocsConfig

from policy_site.options import OPTIONS, OptionError, Options
from policy_site.site import SiteConfig

__all__ = ["PolicySiteConfig", "site_config"]


class _Checked(BaseConfigOption[Any]):
    """One of the plugin's options, checked by its validator in ``policy_site.options``."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.option = OPTIONS[key]

    def run_validation(self, value: object, /) -> Any:
        try:
            return self.option.check(value)
        except OptionError as err:
            raise ValidationError(f"{err} ({self.option.help})") from None


class PolicySiteConfig(Config):
    """Options of the ``policy-site`` plugin in ``mkdocs.yml`` (``policy_site.options``)."""

    versions_dir = _Checked("versions_dir")
    lock_file = _Checked("lock_file")
    notice_days = _Checked("notice_days")
    timezone = _Checked("timezone")
    consent = _Checked("consent")
    published_bundles = _Checked("published_bundles")
    language = _Checked("language")
    languages = _Checked("languages")
    contact = _Checked("contact")
    locale_dir = _Checked("locale_dir")


def site_config(config: MkDocsConfig, options: PolicySiteConfig) -> SiteConfig:
    """What the core reads of mkdocs.yml, from the config MkDocs read and validated."""
    return SiteConfig(
        config_file=Path(config.config_file_path),
        docs_dir=Path(config.docs_dir),
        site_url=config.site_url or "",
        site_name=config.site_name,
        theme_language=config.theme.get("language"),
        options=Options(**{key: options[key] for key in OPTIONS}),
    )
