"""The build date: never the wall clock when the build is given one."""

from __future__ import annotations

import datetime as dt

import pytest

from policy_site.dates import AS_OF_ENV, BuildDateError, build_date


def test_as_of_wins_over_source_date_epoch() -> None:
    env = {AS_OF_ENV: "2027-01-01", "SOURCE_DATE_EPOCH": "0"}
    assert build_date(environ=env) == dt.date(2027, 1, 1)


def test_source_date_epoch_is_read_in_the_configured_time_zone() -> None:
    # 2026-12-31T23:30:00Z is already 2027-01-01 in Stockholm.
    env = {"SOURCE_DATE_EPOCH": "1798759800"}
    assert build_date("UTC", env) == dt.date(2026, 12, 31)
    assert build_date("Europe/Stockholm", env) == dt.date(2027, 1, 1)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({AS_OF_ENV: "01/02/2027"}, "YYYY-MM-DD"),
        ({"SOURCE_DATE_EPOCH": "yesterday"}, "whole number of seconds"),
    ],
)
def test_a_date_that_cannot_be_read_is_an_error(env: dict[str, str], message: str) -> None:
    with pytest.raises(BuildDateError, match=message):
        build_date(environ=env)


@pytest.mark.parametrize("name", ["Europe/Stokholm", "", "../etc/passwd", "UTC+1"])
def test_an_unknown_time_zone_names_the_option_and_the_fix(name: str) -> None:
    with pytest.raises(BuildDateError) as raised:
        build_date(name, {AS_OF_ENV: "2027-01-01"})
    message = str(raised.value)
    assert message.startswith(f"mkdocs.yml: plugins.policy-site.timezone: {name!r} is not a time")
    assert "e.g. Europe/Stockholm or UTC" in message
