"""The browser bench's pure helpers (benchmarks/bench_banner.py): the CLS sum, which responses are
the library's, and the tables. Nothing here runs a browser or is timed."""

from __future__ import annotations

import re

import pytest

from benchmarks import bench, bench_banner, bench_pages
from benchmarks.bench_banner import BannerResults, Run

OURS_JS, OURS_CSS, DIALOG = (
    "consent.en.d7cd40f59e9e.js",
    "consent.aa43333bd9b9.css",
    "consent.dialog.1.js",
)


def _run(
    click: float,
    shifts: tuple[tuple[float, bool], ...] = (),
    before: tuple[tuple[str, int], ...] = ((OURS_JS, 4000), (OURS_CSS, 600)),
    opened: tuple[tuple[str, int], ...] = ((OURS_JS, 4000), (OURS_CSS, 600), (DIALOG, 1500)),
) -> Run:
    return Run(100.0, 101.0, 10.0, 80.0, shifts, click, before, opened)


def test_cls_sums_the_shifts_that_followed_no_input() -> None:
    assert bench_banner.layout_shift([]) == 0
    assert bench_banner.layout_shift([(0.1, False), (0.25, True), (0.05, False)]) == (
        pytest.approx(0.15)
    )
    assert _run(5.0, ((0.02, False), (0.5, True))).cls == pytest.approx(0.02)


def test_our_files_are_every_consent_script_and_stylesheet_each_once() -> None:
    base = "http://bench.test:8000/assets/"
    urls = [
        base + OURS_CSS,
        base + OURS_JS,
        base + "vanilla-init.js",
        base + "consent/other.js",
        base + "myconsent.js",
        base + "consents.js",
        base + "consent.json",
        base + OURS_JS,
        base + DIALOG + "?v=1",
        base + "consent-dialog.sv.2.css#x",
    ]
    assert bench_banner.counted(urls, bench_pages.OURS) == [
        base + OURS_CSS,
        base + OURS_JS,
        base + DIALOG + "?v=1",
        base + "consent-dialog.sv.2.css#x",
    ]
    vanilla = re.compile("cookieconsent\\.umd\\.js|cookieconsent\\.css")
    assert bench_banner.counted(
        [base + "cookieconsent.css", base + "vanilla-init.js"], vanilla
    ) == [base + "cookieconsent.css"]


def test_the_bytes_are_the_sum_of_each_phases_responses() -> None:
    run = _run(5.0)
    assert (run.bytes_before_click, run.bytes_dialog_open) == (4600, 6100)


def test_the_summary_takes_the_largest_cls_and_the_median_of_the_rest() -> None:
    runs = [_run(30.0, ((0.1, False),)), _run(10.0), _run(20.0)]
    assert bench_banner.summary_value(runs, "cls") == pytest.approx(0.1)
    assert bench_banner.summary_value(runs, "click_to_dialog") == 20.0
    assert bench_banner.summary_cell("cls", 0.0) == "0"
    assert bench_banner.summary_cell("cls", 0.012345) == "0.01235"
    assert bench_banner.summary_cell("bytes_dialog_open", 6100.0) == "6,100"
    assert bench_banner.summary_cell("click_to_dialog", 20.04) == "20.0 ms"


def test_the_dialog_table_gives_bytes_files_time_and_cls() -> None:
    vanilla = ((("cookieconsent.umd.js", 13000), ("cookieconsent.css", 2474)),) * 2
    results = BannerResults(
        "156",
        {
            "ours": [_run(30.0, ((0.1, False),)), _run(10.0), _run(20.0)],
            "vanilla-cookieconsent 3.1.0": [_run(130.0, (), *vanilla)],
            "other": "no visible #x after 10000 ms",
        },
    )
    rows = bench_banner.dialog_table(results).split("\n\n")[0].splitlines()
    assert rows[2:] == [
        f"| ours | 4,600 | 6,100 | {DIALOG} (1,500) | 20.0 ms | 0 / 0.1 | 3 |",
        "| vanilla-cookieconsent 3.1.0 | 15,474 | 15,474 | none | 130.0 ms | 0 / 0 | 1 |",
        "| other | not measured: no visible #x after 10000 ms | | | | | |",
    ]


def test_every_summary_row_of_the_browser_runs_is_a_measure_of_a_run() -> None:
    runs = [_run(10.0)]
    for field, _ in bench.BANNER_ROWS:
        assert isinstance(bench_banner.summary_value(runs, field), float), field
