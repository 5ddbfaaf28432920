"""Renderers: Report → text, one function per format. Only ``table`` imports rich."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

FORMATS = ("table", "json", "csv", "markdown")


def renderer(fmt: str) -> Callable[..., str]:
    """The render function of a format (imported lazily: rich only for tables)."""
    if fmt == "table":
        from .table import render_table

        return render_table
    from . import text

    functions: dict[str, Callable[..., Any]] = {
        "json": text.render_json,
        "csv": text.render_csv,
        "markdown": text.render_markdown,
    }
    return functions[fmt]


def chunked(fmt: str) -> Callable[..., Iterable[str]]:
    """The render function of a format as pieces of text to write one after
    another: JSON comes a few thousand layers at a time, so a large report is
    never held whole (50 MB for 100,000 layers)."""
    if fmt == "json":
        from .text import json_chunks

        return json_chunks
    render = renderer(fmt)
    return lambda report, **options: [render(report, **options)]
