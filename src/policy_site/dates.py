"""The build's notion of "today" (how dates are written for readers is the page words':
``policy_site.locale.Words.long_date``)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from policy_site.problems import PolicySiteError

__all__ = ["AS_OF_ENV", "BuildDateError", "build_date", "record_date", "time_zone"]

#: Environment variable that ``./scripts/build --as-of YYYY-MM-DD`` sets for the plugin.
AS_OF_ENV = "POLICY_SITE_AS_OF"


class BuildDateError(PolicySiteError):
    """The build date given in the environment cannot be understood."""


def time_zone(name: str) -> ZoneInfo:
    """The time zone ``name`` (the plugin's ``timezone`` option). Raises BuildDateError naming
    the option and the fix when the IANA database has no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BuildDateError(
            f"mkdocs.yml: plugins.policy-site.timezone: {name!r} is not a time zone: write an "
            "IANA name, e.g. Europe/Stockholm or UTC."
        ) from None


def build_date(timezone: str = "UTC", environ: Mapping[str, str] | None = None) -> dt.date:
    """Return the date the build treats as today.

    In order: ``POLICY_SITE_AS_OF`` (an ISO date), ``SOURCE_DATE_EPOCH`` (seconds since the epoch,
    read in ``timezone``), else the current date in ``timezone``. Tests always set one of the two.
    """
    env = os.environ if environ is None else environ
    zone = time_zone(timezone)
    as_of = env.get(AS_OF_ENV, "").strip()
    if as_of:
        try:
            return dt.date.fromisoformat(as_of)
        except ValueError:
            raise BuildDateError(
                f"{AS_OF_ENV}={as_of!r} is not a date: write it as YYYY-MM-DD, e.g. 2027-01-01"
            ) from None
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            seconds = int(epoch)
        except ValueError:
            raise BuildDateError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds since 1970-01-01"
            ) from None
        return dt.datetime.fromtimestamp(seconds, tz=zone).date()
    return dt.datetime.now(tz=zone).date()


def record_date(timezone: str = "UTC", environ: Mapping[str, str] | None = None) -> dt.date:
    """The day an edit is judged on (the lock's rules): ``SOURCE_DATE_EPOCH``'s date, else the
    current date, but never a preview's ``POLICY_SITE_AS_OF``: a build previewing a later day
    must not treat a version as already in effect, nor one announced today as a draft."""
    env = dict(os.environ if environ is None else environ)
    env.pop(AS_OF_ENV, None)
    return build_date(timezone, env)
