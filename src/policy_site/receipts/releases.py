"""The releases a site published, as the receiver and the exports look receipts up in them: no
more than the standard library and the ledger's reader, so that ``export`` and ``verify`` need
none of the receipts extra (fastjsonschema, aiohttp)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policy_site.consent.archive import LEDGER, Release
from policy_site.problems import PolicySiteError

__all__ = ["Releases"]


@dataclass(frozen=True)
class Releases:
    """The releases this site published, by the bundle file each names."""

    #: The first release that holds each file: the one a receipt naming it is checked against.
    by_file: Mapping[str, Release]
    by_id: Mapping[str, Release]

    @classmethod
    def of(cls, releases: Sequence[Release]) -> Releases:
        by_file: dict[str, Release] = {}
        for release in releases:
            for path in release.files:
                by_file.setdefault(path.rpartition("/")[2], release)
        return cls(by_file, {release.id: release for release in releases})

    def release_of(self, receipt: Mapping[str, Any], ledger: Path) -> Release:
        """The release a stored receipt was checked against (its ``release``; in a receipt
        stored before it had one, the first that holds its bundle). Raises PolicySiteError,
        naming ``ledger`` and the fix, when that ledger lacks it or names a release that does
        not hold that bundle."""
        bundle = str(receipt["bundle"])
        found = self.by_id.get(str(receipt.get("release", ""))) or self.by_file.get(bundle)
        if found is None or not any(p.endswith("/" + bundle) for p in found.files):
            raise PolicySiteError(
                f"{ledger}: no release holds {bundle}, which receipt {receipt['id']} names: "
                f"give the site's own ledger with --releases PATH/{LEDGER}"
            )
        return found
