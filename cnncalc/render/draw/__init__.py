"""Pictures as standalone SVG text, with no Graphviz, browser or LaTeX: the
architecture (``diagram_svg``), per-layer cost bars (``chart_svg``) and several
networks' totals side by side (``compare_chart_svg``). Pure functions of
reports: the same report gives the same bytes; only cli.py writes files.

``ids`` prefixes every id a picture defines (its arrow marker), so several
pictures can share one HTML page."""

from __future__ import annotations

from ...report import Report
from .chart import CHARTS, chart_metric, chart_svg, compare_chart_svg
from .diagram import STYLES, diagram_layout, diagram_svg as _diagram_svg
from .items import items

__all__ = [
    "CHARTS",
    "STYLES",
    "chart_metric",
    "chart_svg",
    "compare_chart_svg",
    "diagram_depth",
    "diagram_layout",
    "diagram_svg",
]

MOST_ITEMS = 40  # a diagram folds its blocks until it draws at most this many tensors, unless told a depth


def diagram_depth(report: Report, style: str = "3d") -> int | None:
    """The deepest folding (None: none) whose diagram draws at most MOST_ITEMS tensors."""
    deepest = max((row.depth for row in report.rows), default=0)
    for depth in range(deepest, -1, -1):
        if len(items(report, depth, merge_pointwise=style == "3d")) <= MOST_ITEMS:
            return None if depth == deepest else depth
    return 0


def diagram_svg(
    report: Report, style: str = "3d", depth: int | str | None = "auto", layout: str = "nchw", ids: str = "cnncalc"
) -> str:
    """The architecture as a standalone SVG: ``style`` "3d" (NN-SVG blocks) or "flat"
    (boxes); ``depth`` folds blocks nested deeper (None: every layer; "auto": as
    deep as fits MOST_ITEMS tensors); ``layout`` "nchw" or "nhwc" for shapes."""
    if depth == "auto":
        depth = diagram_depth(report, style)
    if isinstance(depth, str):
        raise ValueError(f"depth '{depth}' is not a number, None or 'auto'")
    return _diagram_svg(report, style, depth, layout, ids)
