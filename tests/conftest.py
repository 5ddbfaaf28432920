"""Shared pytest configuration."""

import os

from hypothesis import settings

# Every property draws the same examples on every run, so a commit (and CI) passes or fails
# reproducibly; CNNCALC_FUZZ_RANDOM=1 draws new ones to explore. Settings objects made in the
# test modules inherit this profile for what they do not set.
settings.register_profile("reproducible", derandomize=True, database=None)
settings.register_profile("explore", database=None)
settings.load_profile("explore" if os.environ.get("CNNCALC_FUZZ_RANDOM") else "reproducible")


def pytest_addoption(parser):
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite tests/golden/* from the current output instead of comparing",
    )
    parser.addoption(
        "--run-slow",
        action="store_true",
        default=False,
        help="also run the tests marked slow (the long fuzz run); skipped by default",
    )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow"):
        return
    import pytest

    skip = pytest.mark.skip(reason="slow: run with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def pytest_configure(config):
    # The table's width follows $COLUMNS: a shell that exports it must not change the goldens.
    os.environ.pop("COLUMNS", None)


def pytest_terminal_summary(terminalreporter):
    # Where tests/test_html_browser.py left its screenshots, for a person to look at.
    folders = {
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        for name, value in getattr(report, "user_properties", ())
        if name == "screenshots"
    }
    for folder in sorted(folders):
        terminalreporter.write_line(f"HTML report screenshots: {folder}")
