"""Pictures as standalone SVG text, with no Graphviz, browser or LaTeX: the
architecture (``diagram_svg``), per-layer cost bars (``chart_svg``) and several
networks' totals side by side (``compare_chart_svg``). Pure functions of
reports: the same report gives the same bytes; only the CLI (cnncalc/cli/) writes files.

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
    "bounded_depth",
    "diagram_depth",
    "diagram_layout",
    "diagram_note",
    "diagram_svg",
]

MOST_ITEMS = 40  # a diagram folds its blocks until it draws at most this many tensors, unless told a depth
# No diagram draws more tensors than this, whatever the depth asked: 20,000 boxes made a 14 MB SVG in
# 6 s that no viewer shows whole. Past it the blocks fold further, and if even --depth 0 is too many
# (thousands of layers written flat) the first MOST_BOXES are drawn; a note in the picture says which.
MOST_BOXES = 500


def diagram_depth(report: Report, style: str = "3d") -> int | None:
    """The deepest folding (None: none) whose diagram draws at most MOST_ITEMS tensors."""
    deepest = max((row.depth for row in report.rows), default=0)
    for depth in range(deepest, -1, -1):
        if len(items(report, depth, merge_pointwise=style == "3d")) <= MOST_ITEMS:
            return None if depth == deepest else depth
    return 0


def bounded_depth(report: Report, style: str, depth: int | None) -> tuple[int | None, int | None, str]:
    """What a diagram at ``depth`` draws within MOST_BOXES: the depth, how many tensors to keep
    (None: all), and a note saying what was folded or left out ("" when nothing was)."""
    pointwise = style == "3d"
    drawn = len(items(report, depth, merge_pointwise=pointwise))
    if drawn <= MOST_BOXES:
        return depth, None, ""
    deepest = max((row.depth for row in report.rows), default=0)
    asked = "every layer" if depth is None else f"--depth {depth}"
    for folded in range(deepest - 1 if depth is None else min(depth, deepest) - 1, -1, -1):
        if len(items(report, folded, merge_pointwise=pointwise)) <= MOST_BOXES:
            return (
                folded,
                None,
                (
                    f"folded to --depth {folded}: {asked} would draw {drawn:,} boxes, more than the "
                    f"{MOST_BOXES} a diagram draws"
                ),
            )
    at_zero = len(items(report, 0, merge_pointwise=pointwise))
    return (
        0,
        MOST_BOXES,
        (
            f"the first {MOST_BOXES} of {at_zero:,} boxes: a diagram draws at most {MOST_BOXES}, even with "
            "every block folded (--depth 0); cnncalc summary lists every layer"
        ),
    )


def diagram_note(report: Report, style: str = "3d", depth: int | str | None = "auto") -> str:
    """What diagram_svg at ``depth`` says it folded or left out ("" when nothing), for the CLI to
    say on standard error too: a note inside a picture is easy to miss."""
    if depth == "auto":
        depth = diagram_depth(report, style)
    if isinstance(depth, str):
        raise ValueError(f"depth '{depth}' is not a number, None or 'auto'")
    return bounded_depth(report, style, depth)[2]


def diagram_svg(
    report: Report, style: str = "3d", depth: int | str | None = "auto", layout: str = "nchw", ids: str = "cnncalc"
) -> str:
    """The architecture as a standalone SVG: ``style`` "3d" (NN-SVG blocks) or "flat"
    (boxes); ``depth`` folds blocks nested deeper (None: every layer; "auto": as
    deep as fits MOST_ITEMS tensors); ``layout`` "nchw" or "nhwc" for shapes.
    At most MOST_BOXES tensors, whatever the depth (bounded_depth), with a note saying so."""
    if depth == "auto":
        depth = diagram_depth(report, style)
    if isinstance(depth, str):
        raise ValueError(f"depth '{depth}' is not a number, None or 'auto'")
    depth, keep, note = bounded_depth(report, style, depth)
    return _diagram_svg(report, style, depth, layout, ids, keep=keep, note=note)
