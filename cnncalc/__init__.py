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
from pathlib import Path
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
    from . import loader

    options: dict[str, Any] = {"overrides": args or {}}
    if max_layers is not None:
        options["max_layers"] = max_layers
    if isinstance(source, Mapping):
        return loader.load_data(source, **options)
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source and _is_file(source)):
        from .source import read_spec

        text, name = read_spec(source)
        return loader.load(text, name, **options)
    if isinstance(source, str):
        return loader.load(source, "<text>", **options)
    raise TypeError(f"analyze() takes a path, YAML text or a dict, not {type(source).__name__}")


def _is_file(text: str) -> bool:
    return text == "-" or text.endswith((".yaml", ".yml")) or os.path.exists(text)


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
    from .engine import run

    graph = load_graph(source, args=args, max_layers=max_layers)
    return run(graph, batch=batch, dtype=dtype, input=input)
