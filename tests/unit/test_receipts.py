"""Receipts of consent choices: the strict check of what a browser sends (the store is tested in
tests/service/test_store.py, on SQLite and on a real PostgreSQL server)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_site.consent.releases import read_releases
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


def receipt(**changes: Any) -> dict[str, Any]:
    """A receipt as the project's current bundle (English) would send it: short keys
    (receipt.schema.json); ``expand`` gives the names it is stored with."""
    bundle = next(p for p in CURRENT.files if ".en." in p).rpartition("/")[2]
    value: dict[str, Any] = {
        "v": 1, "i": "0123456789abcdef", "s": "fedcba9876543210",
        "t": "2026-12-02T11:59:58.123Z", "e": "g", "m": "b",
        "c": {"analytics": True, "advertising": False},
        "r": CURRENT.revision, "b": bundle, "l": "en", "p": "/privacy/", "g": False,
    }  # fmt: skip
    return value | changes


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
        "categories": {"analytics": True, "advertising": False}, "revision": CURRENT.revision,
        "bundle": receipt()["b"], "language": "en", "path": "/privacy/", "gpc": False,
    }  # fmt: skip
    assert accepted(receipt(), "application/json; charset=utf-8") == expand(receipt())
    events = {code: accepted(receipt(e=code))["event"] for code in "grcw"}
    assert events == {"g": "given", "r": "refused", "c": "changed", "w": "withdrawn"}
    methods = {code: accepted(receipt(m=code))["method"] for code in "bdpa"}
    assert methods == {"b": "banner", "d": "dialog", "p": "placeholder", "a": "api"}


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (json.dumps(receipt()).encode(), "text/plain;charset=UTF-8", 415),
        (json.dumps(receipt()).encode(), "", 415),
        (json.dumps(receipt(p="/" + "a" * MAX_BYTES)).encode(), JSON, 413),
        (b'{"v": 1, "v": 1}', JSON, 400),
        (b"\xff\xfe{}", JSON, 400),
        (b"[" * 1020 + b"]" * 1020, JSON, 400),
        (json.dumps(receipt()).replace('"v": 1', '"v": NaN').encode(), JSON, 400),
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
        ({"r": "2007-10-01.00000000"}, "revision:"),
        ({"policy_sha256": CURRENT.policy_sha256}, "Additional properties"),
        ({"c": {"analytics": True}}, "categories:"),
        ({"c": {"analytics": True, "advertising": False, "extra": True}}, "categories:"),
        ({"m": "gpc"}, "method:"),
        ({"t": "2026-11-29T12:00:00Z"}, "time:"),
        ({"t": "2026-12-02T12:00:00"}, "time:"),
        ({"p": "/privacy/?utm_source=x"}, "path:"),
        ({"e": "given"}, "event:"),
        ({"ip": "192.0.2.1"}, "Additional properties"),
        ({"i": "NOT-HEX-0123456"}, "id:"),
        ({"c": {"analytics": "yes", "advertising": False}}, "categories/analytics:"),
    ],
)
def test_a_receipt_that_disagrees_with_its_release_is_refused(
    changes: dict[str, Any], says: str
) -> None:
    problem = refused(json.dumps(receipt(**changes)).encode())
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


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(receipt())), st.one_of(st.none(), st.integers(), st.text(),
       st.lists(st.integers()), st.dictionaries(st.text(), st.booleans())))  # fmt: skip
def test_a_receipt_with_any_field_replaced_is_refused_or_still_right(key: str, value: Any) -> None:
    changed = receipt(**{key: value})
    outcome: Invalid | dict[str, Any]
    try:
        outcome = accepted(changed)
    except Invalid as problem:
        outcome = problem
    if isinstance(outcome, Invalid):
        assert outcome.status in (400, 413)
    else:
        assert outcome == expand(changed)  # the replacement happened to be valid (another bool)
