"""Cost charts as SVG: a network's figure per layer (folded as the table folds
it), one panel per metric side by side; several networks' totals side by side.
The metrics are the registry's (cnncalc/metrics.py): a chart is named by a
metric's table column ('params', 'macs', 'memory')."""

from __future__ import annotations

from collections.abc import Sequence

from ...metrics import METRICS, Metric
from ...report import Report
from ..table import lines
from ..units import exact, human
from .svg import document, esc, num, text, text_width

CHARTS: dict[str, Metric] = {metric.column.lower(): metric for metric in METRICS if metric.column}
FONT = 10.0
ROW = 17.0  # a bar's row
BAR = 300.0  # the longest bar
HEADER = 58.0
# No chart draws more bars than this (20,000 layers made a 5.5 MB chart): past it the blocks fold
# further, and if even --depth 0 has more, the first MOST_BARS are drawn, with a note saying so.
MOST_BARS = 500
COLOURS = ("#3498db", "#e67e22", "#27ae60", "#8e44ad", "#c0392b", "#16a085")


def chart_metric(name: str) -> Metric:
    """The metric a chart is named by; ValueError naming the choices."""
    found = CHARTS.get(name.lower())
    if found is None:
        raise ValueError(f"'{name}' is not a chart; the charts are {', '.join(CHARTS)}")
    return found


def chart_rows(report: Report, metrics: Sequence[Metric], depth: int | None) -> list[tuple[str, list[int]]]:
    """(label, one figure per metric) per table line, the input first; lines where every figure is 0 left out."""
    size = report.dtype_bytes
    found = [("input", [m.input(report.input_activations, size) for m in metrics])]
    for line in lines(report, depth):
        if not line.header:
            found.append((line.name, [sum(m.row(row, size) for row in line.rows) for m in metrics]))
    return [(label, values) for label, values in found if any(values)]


def chart_svg(
    report: Report, metric: str | Sequence[str] = "params", depth: int | None = None, ids: str = "cnncalc"
) -> str:
    """Per-layer bars of one metric (or several, side by side: 'params' beside 'memory'
    shows where the weights are and where the activations are)."""
    names = [metric] if isinstance(metric, str) else list(metric)
    metrics = [chart_metric(name) for name in names]
    rows = chart_rows(report, metrics, depth)
    bound = ""
    if len(rows) > MOST_BARS:
        rows, depth, bound = _bounded(report, metrics, depth, len(rows))
    label_w = max(text_width(label, FONT) for label, _ in rows) + 12
    value_w = max(text_width(human(m.unit, v) + " 100.0%", FONT) for m in metrics for _, vs in rows for v in vs) + 10
    panel_w = BAR + value_w + 16
    width = 16 + label_w + panel_w * len(metrics) + 8
    height = HEADER + ROW * len(rows) + 40
    size = report.dtype_bytes
    body = [text(16, 22, f"{report.name or report.file}: per layer", 15, font_weight="bold", fill="#1b2631")]
    for n, m in enumerate(metrics):
        x0 = 16 + label_w + panel_w * n
        total = sum(m.row(row, size) for row in report.rows) + m.input(report.input_activations, size)
        most = max(values[n] for _, values in rows) or 1
        body.append(text(x0, 44, f"{m.label} (total {exact(m.unit, total)})", FONT + 1, font_weight="bold"))
        for r, (label, values) in enumerate(rows):
            y = HEADER + ROW * r
            value = values[n]
            bar = BAR * value / most
            share = f"{100 * value / total:.1f}%" if total else ""
            body.append(
                f'<rect x="{num(x0)}" y="{num(y + 2)}" width="{num(bar)}" height="{num(ROW - 5)}" '
                f'fill="{COLOURS[n % len(COLOURS)]}"><title>{esc(label)}: {exact(m.unit, value)}</title></rect>'
            )
            if value:
                body.append(text(x0 + bar + 4, y + ROW - 5, f"{human(m.unit, value)} {share}", FONT, fill="#34495e"))
    for r, (label, _) in enumerate(rows):
        body.append(text(16 + label_w - 8, HEADER + ROW * r + ROW - 5, label, FONT, "end", fill="#1b2631"))
    body.append(_rule(16 + label_w - 2, HEADER - 2, HEADER + ROW * len(rows)))
    left_out = len(list(lines(report, depth))) + 1 - len(rows)
    if bound:
        body.append(text(16, height - 14, "note: " + bound, FONT, fill="#b9770e"))
        width = max(width, 16 + text_width("note: " + bound, FONT) + 16)
    elif left_out:
        note = f"{left_out} rows with no {' and no '.join(m.label for m in metrics)} are not shown."
        body.append(text(16, height - 14, note, FONT, fill="#5d6d7e"))
    return document(
        width, height, f"{report.name or report.file}: {', '.join(m.label for m in metrics)} per layer", body
    )


def _bounded(
    report: Report, metrics: Sequence[Metric], depth: int | None, bars: int
) -> tuple[list[tuple[str, list[int]]], int | None, str]:
    """The bars within MOST_BARS: folded to the deepest depth that has no more, else the first
    MOST_BARS at --depth 0; the depth drawn; and the note saying which."""
    deepest = max((row.depth for row in report.rows), default=0)
    asked = "every layer" if depth is None else f"--depth {depth}"
    for folded in range(deepest - 1 if depth is None else min(depth, deepest) - 1, -1, -1):
        rows = chart_rows(report, metrics, folded)
        if len(rows) <= MOST_BARS:
            return (
                rows,
                folded,
                f"folded to --depth {folded}: {asked} has {bars:,} bars, more than the {MOST_BARS} a chart draws",
            )
    rows = chart_rows(report, metrics, 0)
    return (
        rows[:MOST_BARS],
        0,
        (
            f"the first {MOST_BARS} of {len(rows):,} bars: a chart draws at most {MOST_BARS}, even with every "
            "block folded (--depth 0); cnncalc summary lists every layer"
        ),
    )


def _rule(x: float, y0: float, y1: float) -> str:
    return f'<path d="M{num(x)},{num(y0)} V{num(y1)}" stroke="#566573" stroke-width="1"/>'


def compare_chart_svg(reports: Sequence[Report], names: Sequence[str] | None = None, ids: str = "cnncalc") -> str:
    """Several networks' totals side by side: one group of bars per compared metric,
    each bar scaled to the largest of its group (the units differ between groups)."""
    names = list(names or [r.name or r.file for r in reports])
    metrics = [m for m in METRICS if m.compared and any(r.totals[m.key] for r in reports)]
    label_w = max(text_width(m.label, FONT) for m in metrics) + 14
    group_h = ROW * len(reports) + 10
    legend_h = 18.0 * len(reports)
    value_w = max(text_width(exact(m.unit, r.totals[m.key]), FONT) for m in metrics for r in reports) + 12
    width = max(16 + label_w + BAR + value_w + 16, 16 + max(text_width(n, FONT) for n in names) + 40)
    top = 36 + legend_h + 8
    height = top + group_h * len(metrics) + 12
    body = [text(16, 22, "Totals side by side", 15, font_weight="bold", fill="#1b2631")]
    for k, name in enumerate(names):
        y: float = 36 + 18 * k
        body.append(f'<rect x="16" y="{num(y)}" width="12" height="12" fill="{COLOURS[k % len(COLOURS)]}"/>')
        body.append(text(34, y + 10, name, FONT, fill="#1b2631"))
    for g, m in enumerate(metrics):
        y0 = top + group_h * g
        most = max(r.totals[m.key] for r in reports) or 1
        body.append(text(16 + label_w - 8, y0 + ROW * len(reports) / 2 + 4, m.label, FONT, "end", font_weight="bold"))
        for k, r in enumerate(reports):
            value = r.totals[m.key]
            bar = BAR * value / most
            y = y0 + ROW * k
            body.append(
                f'<rect x="{num(16 + label_w)}" y="{num(y + 2)}" width="{num(bar)}" height="{num(ROW - 5)}" '
                f'fill="{COLOURS[k % len(COLOURS)]}"><title>{esc(names[k])}: {exact(m.unit, value)}</title></rect>'
            )
            body.append(text(16 + label_w + bar + 4, y + ROW - 5, exact(m.unit, value), FONT, fill="#34495e"))
        body.append(_rule(16 + label_w - 2, y0, y0 + ROW * len(reports)))
    return document(width, height, "Totals: " + " vs ".join(names), body)
