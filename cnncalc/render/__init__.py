"""Renderers: Report → text, one function per format. Only ``table`` imports rich."""

from __future__ import annotations

from collections.abc import Callable
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
