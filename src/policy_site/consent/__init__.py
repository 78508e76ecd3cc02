"""The consent bundle: ``consent.yml`` checked, the runtime rendered, the markup it gates checked.

Pure logic, no MkDocs; the plugin calls it.
"""

from policy_site.consent.bundle import Bundle, consent_revision, render_bundle
from policy_site.consent.config import ConsentConfig, ConsentConfigError, load_consent
from policy_site.consent.markup import check_gated_markup

__all__ = [
    "Bundle",
    "ConsentConfig",
    "ConsentConfigError",
    "check_gated_markup",
    "consent_revision",
    "load_consent",
    "render_bundle",
]
