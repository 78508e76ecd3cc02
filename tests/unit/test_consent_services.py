"""Services in consent.yml (issue 24, point 2): a category with two or more is chosen service by
service, each with an id that gated markup names (``data-service``), and may grant Consent Mode
signals of its own; ids leave the consent revision as it was."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from policy_site.consent.bundle import consent_revision
from policy_site.consent.config import load_consent
from policy_site.consent.markup import check_gated_markup
from policy_site.consent.services import service_ids, slug
from tests.unit.test_consent_bundle import CATEGORIES, REVISION, reloaded
from tests.unit.test_consent_config import REAL, Mutation, problems, real_data, removing, setting
from tests.unit.test_consent_config import write as written

ADS = "categories.advertising.services"
PER_SERVICE = (
    "a category with more than one service lets visitors choose each one, and gated markup names "
    'one with data-service="<id>"'
)
GA4 = {"name": "GA4 (second property)", "hosts": ["www.google-analytics.com"]}


def test_the_projects_advertising_is_chosen_per_service() -> None:
    config = load_consent(REAL)
    advertising = config.categories[2]
    assert [s.id for s in advertising.services] == ["google-ads", "meta-pixel"]
    assert [s.consent_mode for s in advertising.services] == [
        ("ad_storage", "ad_user_data", "ad_personalization"), ()
    ]  # fmt: skip
    assert [c.per_service for c in config.categories] == [False, False, True]
    assert service_ids(config.categories) == {
        "necessary": [], "analytics": [], "advertising": ["google-ads", "meta-pixel"]
    }  # fmt: skip


def test_a_service_grants_its_consent_mode_signals_in_place_of_its_category() -> None:
    assert load_consent(REAL).consent_mode_signals == {
        "ad_storage": ["google-ads"],
        "ad_user_data": ["google-ads"],
        "ad_personalization": ["google-ads"],
        "analytics_storage": ["analytics"],
    }


def test_services_signals_replace_the_categorys_own(tmp_path: Path) -> None:
    data = real_data()
    data["categories"]["advertising"]["consent_mode"] = ["ad_storage", "analytics_storage"]
    data["categories"]["advertising"]["services"][1]["consent_mode"] = ["ad_storage"]
    signals = load_consent(written(tmp_path, data)).consent_mode_signals
    assert signals["ad_storage"] == ["google-ads", "meta-pixel"]
    assert signals["analytics_storage"] == ["analytics"]  # advertising's own no longer counts


def add_ga4(data: dict[str, Any]) -> None:
    """Analytics gets a second service, so is chosen per service."""
    data["categories"]["analytics"]["services"].append(dict(GA4))


@pytest.mark.parametrize(
    ("mutate", "key", "fix"),
    [
        pytest.param(removing(f"{ADS}.1.id"), f"{ADS}[1].id",
                     f"is missing: {PER_SERVICE}: add id: meta-pixel", id="missing-id"),
        pytest.param(add_ga4, "categories.analytics.services[0].id",
                     f"is missing: {PER_SERVICE}: add id: google-analytics-4",
                     id="second-service-asks-for-ids"),
        pytest.param(setting(f"{ADS}.1.id", "Meta Pixel"), f"{ADS}[1].id",
                     "'Meta Pixel' is not a service id: lower-case letters, digits, '-' or '_', "
                     "starting with a letter, at most 32 characters, e.g. meta-pixel.",
                     id="id-with-a-space"),
        pytest.param(setting(f"{ADS}.1.id", "9pixel"), f"{ADS}[1].id",
                     "'9pixel' is not a service id", id="id-starting-with-a-digit"),
        pytest.param(setting(f"{ADS}.1.id", "m" * 33), f"{ADS}[1].id",
                     f"'{'m' * 33}' is not a service id", id="id-too-long"),
        pytest.param(setting(f"{ADS}.1.id", "google-ads"), f"{ADS}[1].id",
                     f"'google-ads' is also the id of {ADS}[0].id: give each service an id of its "
                     "own.", id="duplicate-id-in-a-category"),
        pytest.param(setting("categories.analytics.services.0.id", "meta-pixel"), f"{ADS}[1].id",
                     "'meta-pixel' is also the id of categories.analytics.services[0].id",
                     id="duplicate-id-across-categories"),
        pytest.param(setting("categories.analytics.services.0.consent_mode", ["analytics_storage"]),
                     "categories.analytics.services[0].consent_mode",
                     "only a service of a category with two or more services is chosen on its own; "
                     "here the category's consent_mode applies (categories.analytics.consent_mode)"
                     ": list the signals there, and remove them here.",
                     id="consent-mode-on-a-category-chosen-whole"),
        pytest.param(setting("categories.necessary.services.0.consent_mode", ["ad_storage"]),
                     "categories.necessary.services[0].consent_mode",
                     "a necessary category grants no Consent Mode signal: remove it.",
                     id="consent-mode-on-a-necessary-service"),
        pytest.param(setting(f"{ADS}.1.consent_mode", ["ads"]), f"{ADS}[1].consent_mode",
                     "must list the Consent Mode signals this service grants, of: ad_storage, "
                     "ad_user_data, ad_personalization, analytics_storage.",
                     id="unknown-service-signal"),
    ],
)  # fmt: skip
def test_service_errors_name_file_key_and_fix(
    tmp_path: Path, mutate: Mutation, key: str, fix: str
) -> None:
    data = real_data()
    mutate(data)
    path = written(tmp_path, data)
    assert f"{path}: '{key}': {fix}" in problems(path)


def test_an_id_is_optional_where_a_category_is_chosen_whole(tmp_path: Path) -> None:
    data = real_data()
    data["categories"]["analytics"]["services"][0]["id"] = "ga4"
    data["categories"]["necessary"]["services"].append({"name": "CDN", "hosts": ["cdn.example"]})
    config = load_consent(written(tmp_path, data))
    assert service_ids(config.categories)["analytics"] == ["ga4"]
    assert not config.categories[0].per_service  # necessary, with two services


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Meta Pixel", "meta-pixel"), ("Google Analytics 4", "google-analytics-4"),
     ("3D Secure (Visa)", "d-secure-visa"), ("???", "service"), ("A" * 40, "a" * 32)],
)  # fmt: skip
def test_the_suggested_id_is_a_valid_one(name: str, expected: str) -> None:
    assert slug(name) == expected


def test_ids_leave_the_consent_revision_unchanged(tmp_path: Path) -> None:
    """The revision hashes what the visitor is asked about (names and hosts): ids and a service's
    signals change neither, so no visitor is asked again for them."""
    config = load_consent(REAL)
    base = consent_revision(config, REVISION)
    bare = [
        dataclasses.replace(c, services=tuple(
            dataclasses.replace(s, id=None, consent_mode=()) for s in c.services
        ))
        for c in config.categories
    ]  # fmt: skip
    assert consent_revision(dataclasses.replace(config, categories=tuple(bare)), REVISION) == base
    data = real_data()
    data["categories"]["advertising"]["services"][0]["id"] = "gads"
    data["categories"]["advertising"]["services"][0].pop("consent_mode")
    data["categories"]["analytics"]["services"][0]["id"] = "ga4"
    assert consent_revision(reloaded(data, tmp_path), REVISION) == base


SERVICE_FIX = "; advertising's services are google-ads, meta-pixel (consent/consent.yml)."


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param('<img data-category="advertising" data-service="tiktok" data-src="/p.gif">',
                     "<img data-category='advertising' data-service='tiktok'>: unknown service"
                     + SERVICE_FIX, id="unknown-service"),
        pytest.param('<script type="text/plain" data-category="analytics" '
                     'data-service="google-ads"></script>',
                     "<script data-category='analytics' data-service='google-ads'>: google-ads is "
                     'a service of advertising, not of analytics: write data-category="advertising"'
                     "; analytics's services have no id: give one in consent/consent.yml.",
                     id="service-of-another-category"),
        pytest.param('<img data-service="meta-pixel" data-src="https://px.example/p.gif">',
                     "<img data-service='meta-pixel'> has no data-category, which the consent "
                     'runtime gates by: add data-category="advertising"' + SERVICE_FIX,
                     id="service-without-category"),
        pytest.param('<IMG DATA-SERVICE="tiktok" DATA-SRC="https://px.example/p.gif">',
                     "<img data-service='tiktok'> has no data-category, which the consent runtime "
                     "gates by: add data-category, and one of its services (consent/consent.yml).",
                     id="unknown-service-without-category"),
    ],
)  # fmt: skip
def test_data_service_problems_name_the_element_and_the_fix(html: str, expected: str) -> None:
    assert check_gated_markup(html, CATEGORIES) == [expected]


def test_a_service_of_the_elements_category_passes() -> None:
    page = (
        '<script type="text/plain" data-category="advertising" data-service="google-ads" '
        'src="https://www.googletagmanager.com/gtag/js?id=AW-1"></script>\n'
        '<img data-category="advertising" data-service="meta-pixel" '
        'data-src="https://www.facebook.com/tr?id=1" alt="">\n'
    )
    assert check_gated_markup(page, CATEGORIES) == []
    # An unknown category is said once, not again for its service.
    (problem,) = check_gated_markup('<img data-category="ads" data-service="x">', CATEGORIES)
    assert "unknown category" in problem
