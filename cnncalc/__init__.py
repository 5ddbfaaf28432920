"""cnncalc: shapes, params, MACs, memory and receptive field of a CNN from a
YAML spec, by arithmetic alone.

    >>> import cnncalc
    >>> report = cnncalc.analyze("specs/vgg16.yaml")
    >>> report.totals.trainable
    138357544
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .errors import CnnCalcError, Diagnostic, SourceLoc, SpecError
from .report import Report

__all__ = ["CnnCalcError", "Diagnostic", "Report", "SourceLoc", "SpecError", "analyze", "load_graph"]
__version__ = "0.1.0"


def load_graph(
    source: str | os.PathLike[str] | Mapping[str, Any],
    *,
    args: Mapping[str, Any] | None = None,
    max_layers: int | None = None,
) -> Any:
    """The expanded graph of a spec given as a path, YAML text or a dict."""
    from .pipeline import graph_of  # not at import: `import cnncalc` stays light

    return graph_of(source, _options(args=args, max_layers=max_layers))


def analyze(
    source: str | os.PathLike[str] | Mapping[str, Any],
    *,
    batch: int = 1,
    dtype: str | None = None,
    input: tuple[int, ...] | None = None,
    args: Mapping[str, Any] | None = None,
    max_layers: int | None = None,
) -> Report:
    """Analyse a spec (a path, YAML text or a dict) and return the report.

    ``args`` overrides the spec's top-level ``args`` (``--set``); ``input``
    replaces its input shape (channels first)."""
    from .pipeline import graph_of, report_of

    options = _options(batch=batch, dtype=dtype, input=input, args=args, max_layers=max_layers)
    return report_of(graph_of(source, options), options)


def _options(*, args: Mapping[str, Any] | None, max_layers: int | None, **given: Any) -> Any:
    """The pipeline's Options for the API's keywords (None: the default)."""
    from .pipeline import Options

    if max_layers is not None:
        given["max_layers"] = max_layers
    return Options(overrides=args or {}, **given)
