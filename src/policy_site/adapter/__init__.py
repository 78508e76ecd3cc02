"""The MkDocs adapter (MkDocs 1.6 and ProperDocs): the only part of policy-site that imports
``mkdocs`` or ``material``. ``config`` wraps the core's option validators, ``pages`` makes the
policy's pages (each carries what it shows), ``plugin`` holds the events; the decisions are the
core's (``policy_site.site`` and what it loads)."""

from policy_site.adapter.config import PolicySiteConfig
from policy_site.adapter.plugin import THEME_DIR, PolicySitePlugin

__all__ = ["THEME_DIR", "PolicySiteConfig", "PolicySitePlugin"]
