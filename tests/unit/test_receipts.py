"""Receipts of consent choices: the strict check of what a browser sends (the store is tested in
tests/service/test_store.py, on SQLite and on a real PostgreSQL server)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_site.consent.archive import Release, read_releases, releases_json
from policy_site.receipts.validate import (
    MAX_BYTES,
    Invalid,
    Releases,
    check_receipt,
    expand,
    parse_receipt,
)
from tests.support import ROOT

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
RELEASES = read_releases(ROOT / "consent" / "published")
CURRENT = next(r for r in RELEASES if r.revision.startswith("2007-10-01."))
JSON = "application/json"
#: 2026-12-02T11:59:58.123Z, in milliseconds, as the script's Date.now() gives it.
SENT = 1_796_212_798_123


def receipt(record: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    """A receipt as the project's current bundle (English) would send it (receipt.schema.json):
    the record its cookie holds, with ``record``'s changes; ``expand`` gives what is stored."""
    bundle = next(p for p in CURRENT.files if ".en." in p).rpartition("/")[2]
    choice = {
        "v": 1, "id": "fedcba9876543210", "ts": SENT, "pv": CURRENT.revision,
        "c": {"analytics": True, "advertising": False}, "gpc": False,
    }  # fmt: skip
    value: dict[str, Any] = {
        "v": 1, "i": "0123456789abcdef", "r": choice | (record or {}), "o": None, "m": "b",
        "b": bundle, "p": "/privacy/",
    }  # fmt: skip
    return value | changes


def now_ms() -> int:
    """The receiver's clock now, as a receipt's time (a receiver refuses one far from it)."""
    return int(dt.datetime.now(dt.UTC).timestamp() * 1000)


def accepted(value: dict[str, Any], content_type: str = JSON) -> dict[str, Any]:
    parsed = parse_receipt(json.dumps(value).encode(), content_type)
    check_receipt(parsed, Releases.of(RELEASES), NOW)
    return parsed


def refused(body: bytes, content_type: str = JSON) -> Invalid:
    with pytest.raises(Invalid) as caught:
        check_receipt(parse_receipt(body, content_type), Releases.of(RELEASES), NOW)
    return caught.value


def test_a_receipt_of_the_current_bundle_is_accepted_with_full_names() -> None:
    assert accepted(receipt()) == {
        "v": 1, "id": "0123456789abcdef", "subject": "fedcba9876543210",
        "time": "2026-12-02T11:59:58.123Z", "event": "given", "method": "banner",
        "categories": {"analytics": True, "advertising": False}, "previous": None,
        "revision": CURRENT.revision, "bundle": receipt()["b"], "language": "en",
        "path": "/privacy/", "gpc": False, "services": None, "previous_services": None,
    }  # fmt: skip
    assert accepted(receipt(), "application/json; charset=utf-8") == expand(receipt())
    methods = {code: accepted(receipt(m=code))["method"] for code in "bdpag"}
    assert methods == {"b": "banner", "d": "dialog", "p": "placeholder", "a": "api", "g": "gpc"}


ON, OFF = {"analytics": True, "advertising": False}, {"analytics": False, "advertising": False}
ALL = {"analytics": True, "advertising": True}


@pytest.mark.parametrize(
    ("now", "before", "event"),
    [
        (ON, None, "given"),
        (OFF, None, "refused"),
        (ALL, ON, "changed"),
        (ON, OFF, "changed"),
        (OFF, ALL, "withdrawn"),
        (OFF, OFF, "changed"),
    ],
)
def test_the_event_is_read_from_the_choice_and_the_one_it_replaces(
    now: dict[str, bool], before: dict[str, bool] | None, event: str
) -> None:
    stored = accepted(receipt({"c": now}, o=before))
    assert (stored["event"], stored["categories"], stored["previous"]) == (event, now, before)


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (json.dumps(receipt()).encode(), "text/plain;charset=UTF-8", 415),
        (json.dumps(receipt()).encode(), "", 415),
        (json.dumps(receipt(p="/" + "a" * MAX_BYTES)).encode(), JSON, 413),
        (b'{"v": 1, "v": 1}', JSON, 400),
        (b"\xff\xfe{}", JSON, 400),
        (b"[" * 1020 + b"]" * 1020, JSON, 400),
        (json.dumps(receipt()).replace('"v": 1', '"v": NaN', 1).encode(), JSON, 400),
        (b"null", JSON, 400),
    ],
    ids=["text-plain", "no-type", "too-large", "duplicate-key", "bad-utf8", "deep", "nan", "null"],
)
def test_what_is_not_a_receipt_gets_its_status(body: bytes, content_type: str, status: int) -> None:
    assert refused(body, content_type).status == status


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"b": "consent.en.000000000000.js"}, "bundle:"),
        ({"b": "../../etc/passwd"}, "bundle:"),
        ({"b": "consent.en.js"}, "bundle:"),
        ({"r": {"pv": "2007-10-01.00000000"}}, "revision:"),
        ({"policy_sha256": CURRENT.policy_sha256}, "must not contain"),
        ({"r": {"c": {"analytics": True}}}, "categories:"),
        ({"r": {"c": {"analytics": True, "advertising": False, "extra": True}}}, "categories:"),
        ({"o": {"analytics": True}}, "previous:"),
        ({"m": "gpc"}, "method:"),
        ({"r": {"ts": SENT - 3 * 86_400_000}}, "time:"),
        ({"r": {"ts": "2026-12-02T12:00:00Z"}}, "time:"),
        ({"r": {"ts": 1.5}}, "whole numbers only"),
        # JSON Schema counts 1.0 as an integer: this one was a 500.
        ({"r": {"ts": float(SENT)}}, "whole numbers only"),
        ({"v": True}, "v: must be integer"),  # True == 1 in Python
        ({"p": "/privacy/?utm_source=x"}, "path:"),
        ({"e": "g"}, "must not contain"),
        ({"ip": "192.0.2.1"}, "must not contain"),
        ({"r": {"ua": "Mozilla/5.0"}}, "record: must not contain"),
        ({"i": "NOT-HEX-0123456"}, "id:"),
        ({"i": "0123456789abcdef\n"}, "id:"),  # a pattern's $ matches before a final newline in re
        ({"r": {"id": "NOT-HEX-0123456"}}, "subject:"),
        ({"r": {"c": {"analytics": "yes", "advertising": False}}}, "categories/analytics:"),
        ({"r": {"gpc": 1}}, "gpc:"),
    ],
)
def test_a_receipt_that_disagrees_with_its_release_is_refused(
    changes: dict[str, Any], says: str
) -> None:
    record = changes.pop("r", None)
    problem = refused(json.dumps(receipt(record, **changes)).encode())
    assert problem.status == 400
    assert says in str(problem)


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=30,
    )
)
def test_any_other_json_is_refused_with_a_4xx(value: Any) -> None:
    assert refused(json.dumps(value).encode()).status in (400, 413)


#: Every field a receipt has, its record's as "r/<field>".
FIELDS = sorted([*receipt(), *(f"r/{key}" for key in receipt()["r"])])


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(FIELDS), st.one_of(st.none(), st.integers(), st.text(),
       st.lists(st.integers()), st.dictionaries(st.text(), st.booleans())))  # fmt: skip
def test_a_receipt_with_any_field_replaced_is_refused_or_still_right(key: str, value: Any) -> None:
    top, _, field = key.partition("/")
    changed = receipt({field: value}) if field else receipt(**{top: value})
    outcome: Invalid | dict[str, Any]
    try:
        outcome = accepted(changed)
    except Invalid as problem:
        outcome = problem
    if isinstance(outcome, Invalid):
        assert outcome.status in (400, 413)
    else:
        assert outcome == expand(changed)  # the replacement happened to be valid (another bool)


#: The release of a bundle whose advertising is chosen per service.
PER_SERVICE = dataclasses.replace(CURRENT, services=["google-ads", "meta-pixel"])
GOOGLE_ONLY = {"google-ads": True, "meta-pixel": False}


def checked(value: dict[str, Any], release: Release = PER_SERVICE) -> dict[str, Any]:
    parsed = parse_receipt(json.dumps(value).encode(), JSON)
    check_receipt(parsed, Releases.of([release]), NOW)
    return parsed


def test_a_receipt_carries_each_service_chosen_on_its_own_and_the_ones_it_replaces() -> None:
    both = {"google-ads": True, "meta-pixel": True}
    stored = checked(receipt({"c": ALL, "s": GOOGLE_ONLY}, o=ALL, q=both))
    assert (stored["services"], stored["previous_services"]) == (GOOGLE_ONLY, both)
    assert checked(receipt({"c": ALL, "s": GOOGLE_ONLY}, q=None))["previous_services"] is None
    # A refusal carries no services' choices (record.js).
    refusal = {"analytics": False, "advertising": False}
    assert checked(receipt({"c": refusal}, o=ALL, q=both))["services"] is None


@pytest.mark.parametrize(
    ("record", "changes", "release", "says"),
    [
        ({"c": ALL}, {}, PER_SERVICE, "services: "),  # the bundle asks per service
        ({"c": ALL, "s": {"google-ads": True}}, {}, PER_SERVICE, "services: "),
        (
            {"c": ALL, "s": GOOGLE_ONLY},
            {"q": {"meta-pixel": True}},
            PER_SERVICE,
            "previous_services",
        ),
        ({"c": ALL, "s": GOOGLE_ONLY}, {}, CURRENT, "asks about none"),  # it does not
        ({"c": ALL, "s": {"google-ads": "yes"}}, {}, PER_SERVICE, "services/google-ads"),
    ],
)
def test_a_receipt_whose_services_are_not_its_releases_is_refused(
    record: dict[str, Any], changes: dict[str, Any], release: Release, says: str
) -> None:
    with pytest.raises(Invalid, match=says) as caught:
        checked(receipt(record, **changes), release)
    assert caught.value.status == 400


def test_a_release_without_services_is_written_as_before() -> None:
    """The ledger's entries of earlier releases stay byte for byte as they were."""
    assert '"services"' not in releases_json([CURRENT])
    assert '"services": [\n        "google-ads",' in releases_json([PER_SERVICE])


UPCOMING = next(r for r in RELEASES if r.revision.startswith("2027-01-01."))


def _of(release: Release, moment: dt.datetime) -> dict[str, Any]:
    """A receipt sent at ``moment`` from the English bundle of ``release``."""
    bundle = next(p for p in release.files if ".en." in p).rpartition("/")[2]
    ms = int(moment.timestamp() * 1000)
    return receipt({"pv": release.revision, "ts": ms}, b=bundle)


def test_a_receipt_of_a_release_not_in_effect_on_its_day_is_refused() -> None:
    """An upcoming version's bundle is published ahead, but no page carries it before that
    version's first day (a preview of that day does: its receipts are not kept)."""
    problem = refused(json.dumps(_of(UPCOMING, NOW)).encode())
    assert problem.status == 400
    assert f"release {UPCOMING.id}" in str(problem)
    assert "takes effect on 2027-01-01; no page shows it on 2026-12-02" in str(problem)


@pytest.mark.parametrize(
    ("release", "moment", "kept"),
    [
        # The first day in UTC, less the skew a visitor's clock may have (MAX_SKEW, 26 h).
        (UPCOMING, dt.datetime(2026, 12, 30, 22, 0, tzinfo=dt.UTC), True),
        (UPCOMING, dt.datetime(2026, 12, 30, 21, 59, 59, 999_000, tzinfo=dt.UTC), False),
        (UPCOMING, dt.datetime(2027, 1, 1, 9, 0, tzinfo=dt.UTC), True),
        # A page cached before the new version took effect still carries the release before it.
        (CURRENT, dt.datetime(2027, 1, 2, 9, 0, tzinfo=dt.UTC), True),
    ],
    ids=["skew-edge", "before-the-skew", "its-first-day", "the-one-it-replaces"],
)
def test_a_release_is_in_effect_from_its_first_day_less_the_clock_skew(
    release: Release, moment: dt.datetime, kept: bool
) -> None:
    parsed = parse_receipt(json.dumps(_of(release, moment)).encode(), JSON)
    if kept:
        assert check_receipt(parsed, Releases.of(RELEASES), moment) == release
    else:
        with pytest.raises(Invalid, match=f"release {release.id}"):
            check_receipt(parsed, Releases.of(RELEASES), moment)
