"""Renderers: Report → text, one function per format. Only ``table`` and ``plain``
(its rich-free layout, handing what it does not cover to rich) import rich."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..report import Report

FORMATS = ("table", "json", "csv", "markdown", "html")


def renderer(fmt: str) -> Callable[..., str]:
    """The render function of a format (imported lazily: rich only for tables)."""
    if fmt == "table":
        from .table import render_table

        return render_table
    if fmt == "html":
        from .html import render_html

        return render_html
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


FOLD_AT = 300  # a table longer than this is folded unless --depth says otherwise


def fold_levels(report: Report, depth: str | None, fold_long: bool = True) -> tuple[int | None, str]:
    """``--depth`` as the levels shown (None: every row), and a note when a
    long table was folded without being asked. ValueError for anything but N ≥ 0 or 'all'."""
    if depth is None or depth == "all":
        if depth is None and fold_long and len(report.rows) > FOLD_AT:
            levels = _fold_depth(report, FOLD_AT)
            return levels, f"note: {len(report.rows):,} layers, folded to --depth {levels}; --depth all shows every row"
        return None, ""
    try:
        levels = int(depth)
    except ValueError:
        raise ValueError(f"'{depth}' is not a number or 'all'") from None
    if levels < 0:
        raise ValueError("must be 0 or more")
    return levels, ""


def _fold_depth(report: Report, most: int) -> int:
    """The deepest folding that shows at most ``most`` lines."""
    deepest = max((row.depth for row in report.rows), default=0)
    lines_at = [0] * (deepest + 1)  # lines at each depth: counted once, not once per depth tried
    for depth in itertools.chain((row.depth for row in report.rows), (group.depth - 1 for group in report.groups)):
        if depth <= deepest:
            lines_at[depth] += 1
    shown = sum(lines_at)
    for levels in range(deepest, -1, -1):
        if shown <= most:
            return levels
        shown -= lines_at[levels]
    return 0


def document(
    report: Report,
    fmt: str,
    *,
    layout: str = "nchw",
    depth: str | None = None,
    width: int = 160,
    color: bool = False,
    ascii: bool = False,
    view: str = "default",
) -> tuple[str, Iterable[str]]:
    """A report in ``fmt``: a note for the user (or "") and the pieces of text to
    write in turn. Only the table folds a long report unasked; Markdown folds
    when ``depth`` is a number; both show ``view``'s figure columns. ValueError for a bad ``depth``."""
    options: dict[str, Any] = {"layout": layout, "view": view}
    note = ""
    if fmt == "table":
        levels, note = fold_levels(report, depth)
        options.update(depth=levels, width=width, color=color, ascii=ascii)
    elif fmt == "markdown":
        options["depth"] = fold_levels(report, depth, fold_long=False)[0]
    elif fmt == "html":  # every row is on the page; blocks deeper than the levels start closed
        options["depth"], note = fold_levels(report, depth)
        if note:
            note = f"note: {len(report.rows):,} layers, blocks deeper than {options['depth']} start closed; --depth all opens them"
    return note, chunked(fmt)(report, **options)
