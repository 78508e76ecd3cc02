"""The bench's pure helpers: reading Lighthouse's report and writing the tables. Nothing here is
timed, and nothing runs a browser or Lighthouse."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from benchmarks import bench, bench_site
from benchmarks.bench_site import FailingAudit, LighthouseRun

FRAME_ERROR = (
    'Required TraceElements gatherer encountered an error: Dependency "RootCauses" failed with '
    "exception: Cannot read properties of undefined (reading 'frame_sequence')"
)


def _report() -> dict[str, Any]:
    """A Lighthouse report (LHR) cut down to what the bench reads, with one audit of each kind."""
    return {
        "lighthouseVersion": "12.2.3",
        "environment": {"benchmarkIndex": 1145.5},
        "configSettings": {"formFactor": "mobile"},
        "categories": {
            "performance": {
                "score": 0.915,
                "auditRefs": [
                    {"id": "first-contentful-paint", "weight": 10},
                    {"id": "cumulative-layout-shift", "weight": 25},
                    {"id": "uses-text-compression", "weight": 0},
                ],
            },
            "accessibility": {
                "score": 0.9,
                "auditRefs": [
                    {"id": "color-contrast", "weight": 7},
                    {"id": "aria-dialog-name", "weight": 7},
                ],
            },
            "best-practices": {
                "score": 0.96,
                "auditRefs": [{"id": "errors-in-console", "weight": 1}],
            },
            "seo": {"score": 1, "auditRefs": [{"id": "meta-description", "weight": 1}]},
        },
        "audits": {
            "first-contentful-paint": {
                "title": "First Contentful Paint",
                "score": 0.61,
                "scoreDisplayMode": "numeric",
                "displayValue": "2.7\u00a0s",
            },
            "cumulative-layout-shift": {
                "title": "Cumulative Layout Shift",
                "score": 1,
                "scoreDisplayMode": "numeric",
            },
            "uses-text-compression": {
                "title": "Enable text compression",
                "score": 0,
                "scoreDisplayMode": "metricSavings",
            },
            "color-contrast": {
                "title": "Background and foreground colors do not have a sufficient contrast",
                "score": 0,
                "scoreDisplayMode": "binary",
                "details": {
                    "items": [
                        {
                            "node": {
                                "selector": "div.md-copyright > button.ppc-settings",
                                "explanation": "Fix any of the following:\n  Element has "
                                "insufficient color contrast of 1.17 (foreground color: #000000)",
                            }
                        }
                    ]
                },
            },
            "aria-dialog-name": {
                "title": "ARIA dialog elements have accessible names",
                "score": None,
                "scoreDisplayMode": "notApplicable",
            },
            "errors-in-console": {
                "title": "Browser errors were logged to the console",
                "score": 0,
                "scoreDisplayMode": "binary",
                "details": {
                    "items": [
                        {
                            "source": "network",
                            "description": "Failed to load resource: 404 (File not found)",
                            "sourceLocation": {"url": "http://127.0.0.1:1/privacy/sitemap.xml"},
                        }
                    ]
                },
            },
            "meta-description": {"title": "Has a meta description", "score": 1},
            "layout-shifts": {
                "title": "Avoid large layout shifts",
                "score": None,
                "scoreDisplayMode": "error",
                "errorMessage": FRAME_ERROR,
            },
        },
    }


def test_scores_are_percentages_in_lighthouse_order() -> None:
    run = bench_site.parse_lighthouse(_report())
    assert list(run.scores.items()) == [
        ("performance", 92),
        ("accessibility", 90),
        ("best-practices", 96),
        ("seo", 100),
    ]
    assert (run.form_factor, run.lighthouse_version, run.benchmark_index) == (
        "mobile",
        "12.2.3",
        1145.5,
    )


def test_failing_audits_are_the_weighted_ones_below_one() -> None:
    failing = {audit.id: audit for audit in bench_site.failing_audits(_report())}
    # Passing (CLS, meta-description), weightless (uses-text-compression) and not applicable
    # (aria-dialog-name) audits lower no score.
    assert sorted(failing) == ["color-contrast", "errors-in-console", "first-contentful-paint"]
    assert failing["first-contentful-paint"].detail == "2.7 s"
    assert failing["first-contentful-paint"].score == pytest.approx(0.61)
    assert failing["color-contrast"].detail == (
        "`div.md-copyright > button.ppc-settings` (Element has insufficient color contrast of "
        "1.17 (foreground color: #000000))"
    )
    assert failing["errors-in-console"].detail == (
        "Failed to load resource: 404 (File not found) (http://127.0.0.1:1/privacy/sitemap.xml)"
    )


def test_audits_lighthouse_could_not_run_are_kept_apart() -> None:
    run = bench_site.parse_lighthouse(_report())
    assert run.errors == (("layout-shifts", FRAME_ERROR),)
    assert "layout-shifts" not in {audit.id for audit in run.failing}


def _run(performance: int, accessibility: int = 100) -> LighthouseRun:
    scores: dict[str, int | None] = {
        "performance": performance,
        "accessibility": accessibility,
        "best-practices": 100,
        "seo": 100,
    }
    return LighthouseRun("mobile", scores, (), (), "12.2.3", None)


def test_the_median_run_is_chosen_by_its_performance_score() -> None:
    runs = [_run(80), _run(94), _run(91)]
    assert bench_site.median_run(runs) is runs[2]
    # An even count takes the lower of the two middle runs.
    assert bench_site.median_run([_run(90), _run(95)]).scores["performance"] == 90
    with pytest.raises(ValueError, match="no Lighthouse runs"):
        bench_site.median_run([])


def test_a_score_shows_its_range_only_when_the_runs_differ() -> None:
    assert bench_site.score_spread([_run(80), _run(94), _run(91)], "performance") == "91 (80-94)"
    assert bench_site.score_spread([_run(80), _run(94)], "seo") == "100"


def test_findings_list_only_what_keeps_a_score_below_100() -> None:
    contrast = FailingAudit("accessibility", "color-contrast", "Contrast", 0.0, "`button`")
    fcp_mobile = FailingAudit("performance", "first-contentful-paint", "FCP", 0.61, "2.7 s")
    fcp_desktop = FailingAudit("performance", "first-contentful-paint", "FCP", 0.97, "0.6 s")
    mobile = LighthouseRun(
        "mobile",
        {"performance": 92, "accessibility": 90, "best-practices": 100, "seo": 100},
        (fcp_mobile, contrast),
        (("layout-shifts", FRAME_ERROR), ("render-blocking-resources", "Cannot read properties "
         "of undefined (reading 'frame_sequence')")),
        "12.2.3",
        None,
    )  # fmt: skip
    desktop = LighthouseRun(
        "desktop",
        {"performance": 100, "accessibility": 90, "best-practices": 100, "seo": 100},
        (fcp_desktop, contrast),
        (),
        "12.2.3",
        None,
    )
    lines = bench.lighthouse_findings({"mobile": mobile, "desktop": desktop})
    assert lines == [
        # Desktop's FCP is not listed: its Performance is 100.
        "- Performance (mobile 92), `first-contentful-paint`, FCP: 2.7 s (score 0.61)",
        "- Accessibility (mobile 90, desktop 90), `color-contrast`, Contrast: `button` "
        "(score 0.00)",
        "- Lighthouse could not run `layout-shifts`, `render-blocking-resources` (no weight in any "
        "score): Cannot read properties of undefined (reading 'frame_sequence')",
    ]


def test_markdown_table_aligns_and_escapes() -> None:
    table = bench.markdown_table(("a", "b"), [("x | y", "1,234")], "lr")
    assert table.splitlines() == ["| a | b |", "| --- | ---: |", "| x \\| y | 1,234 |"]


def test_summary_table_has_one_row_per_measure() -> None:
    rows = [
        bench.Row("time to banner", "95.7 ms", "vanilla-cookieconsent", "233.2 ms", "0.41"),
        bench.Row("/privacy/ requests", "8"),
    ]
    lines = bench.summary_table(rows).splitlines()
    assert lines[0] == "| measure | policy-site | against | theirs | policy-site ÷ theirs |"
    assert lines[2:] == [
        "| time to banner | 95.7 ms | vanilla-cookieconsent | 233.2 ms | 0.41 |",
        "| /privacy/ requests | 8 | — | — | — |",
    ]


def test_ratio_of_nothing_is_not_a_number() -> None:
    assert bench.ratio(1.0, 4.0) == "0.25"
    assert bench.ratio(None, 4.0) == "n/a"
    assert bench.ratio(1.0, 0) == "n/a"


def test_the_date_is_source_date_epochs_else_today() -> None:
    assert bench.bench_date({"SOURCE_DATE_EPOCH": "1798759800"}) == dt.date(2026, 12, 31)
    # Not the build's --as-of: the bench is dated when it is measured.
    assert bench.bench_date({"POLICY_SITE_AS_OF": "2030-01-01"}) == dt.datetime.now(dt.UTC).date()


def test_cpu_model_comes_from_cpuinfo() -> None:
    cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\n"
    assert bench.cpu_model(cpuinfo) == "AMD EPYC"
    assert bench.cpu_model("processor\t: 0\n")  # falls back to what the platform knows


def test_chrome_flags_keep_the_resolver_rules_in_one_quoted_flag() -> None:
    flags = bench_site.chrome_flags()
    assert flags.startswith("--headless=new ")
    assert '--host-resolver-rules="MAP 127.0.0.1 127.0.0.1, MAP * ~NOTFOUND"' in flags
