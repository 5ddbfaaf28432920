"""What analysing a spec text gives, for the tests that need it: its rows by
name, or the one located error it raises."""

from __future__ import annotations

import pytest

import cnncalc
from cnncalc.errors import SpecError


def rows(text: str, **options: object) -> dict[str, dict]:
    """The JSON rows of a spec's report, by layer name."""
    return {row["name"]: row for row in cnncalc.analyze(text, **options).to_dict()["layers"]}  # type: ignore[arg-type]


def error_of(text: str) -> SpecError:
    """The error a spec text raises (the test fails if it raises none)."""
    with pytest.raises(SpecError) as info:
        cnncalc.analyze(text)
    return info.value
