"""The terminal table: one row per layer, rows nested under their block or
branch with tree guides, deeper levels folded by ``depth``, inexact rows
highlighted with the division that failed, and a Keras/CS231n footer. Laid
out by render/plain.py, or by rich where plain.py does not cover the table."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from ..metrics import BYTES, METRICS, Metric, columns as figure_columns, in_footer
from ..report import Report
from .escape import visible
from .fit import STEPS, Step, fit, table_width, wrap
from .grid import Grid, bar, lines
from .plain import Console, Table, Text
from .symbols import to_ascii
from .units import count, exact, grouped, heading, nbytes, shape_text

__all__ = ["FIGURES_END", "TABLE_OPTIONS", "bar", "footer", "lines", "render_table"]


def render_table(
    report: Report,
    *,
    layout: str = "nchw",
    depth: int | None = None,
    width: int | None = None,
    color: bool = False,
    ascii: bool = False,
    view: str = "default",
    **_: object,
) -> str:
    """The table at most ``width`` columns wide where it can be: whole columns
    left out and labels shortened in the order of fit.STEPS, never a figure,
    shape or name cut; a line says what was left out. ``ascii`` spells the
    symbols in ASCII (render/symbols.py); ``view`` picks the figure columns (metrics.VIEWS)."""
    width = width or 140
    grid = Grid(report, layout, depth, view)
    if ascii:
        grid.to_ascii()
    ladder = _ladder(figure_columns(report.totals, view))
    widths = grid.widths()
    chosen, total, taken = fit(widths, width, [(step.key, step.variant) for step in ladder])
    out = io.StringIO()
    console = Console(file=out, width=max(width, total), color=color)
    title = grid.title
    if len(title) > total:  # rich would break it inside the table's width: a line of its own instead
        console.print(Text("\n".join(wrap(title, width)), style="italic"))
        title = ""
    table = Table(title=title, **TABLE_OPTIONS)
    for key, headings in grid.headings.items():
        if chosen[key] >= 0:
            heading_ = headings[min(chosen[key], len(headings) - 1)]
            table.add_column(heading_, grid.cells(key, chosen[key]), grid.column_styles(key), **grid.options[key])
    console.print(table)
    left_out = _left_out(ladder, taken, grid)
    if left_out:
        note = f"({', '.join(left_out)} left out to fit {width} columns"
        if total > width:
            note += f"; the rest needs {total}"
        note = _symbols(f"{note}; --width {table_width(widths, dict.fromkeys(widths, 0))} shows all)", ascii)
        console.print(Text("\n".join(wrap(note, width, 1)), style="dim"))
    for number, (row, divisions) in enumerate(grid.notes, 1):
        rounding = "rounded up (ceil_mode)" if any(d.ceil_mode for d in row.divisions) else "floored as PyTorch does"
        verdict = f"allowed (allow_inexact), {rounding}" if row.allow_inexact else f"inexact, {rounding}"
        note = _symbols(f"⚠{number} {visible(row.name)} (line {row.loc.line}): {divisions} — {verdict}", ascii)
        console.print(Text("\n".join(wrap(note, width, 4)), style="yellow" if row.allow_inexact else "bold red"))
    indent = FIGURES_END + 2 if width - FIGURES_END - 2 >= 30 else 4
    lines_ = [
        part for line in footer(report, layout, view).split("\n") for part in wrap(_symbols(line, ascii), width, indent)
    ]
    console.print("\n".join(lines_), highlight=False, markup=False)
    return _no_trailing_spaces(out.getvalue(), color)


_CODES_AT_END = re.compile(r"(?:\x1b\[[0-9;]*m)+\Z")


def _no_trailing_space(line: str) -> str:
    """``line`` without the spaces before the colour codes that end it, if any."""
    if not line.endswith("m"):
        return line.rstrip(" ")
    start = line.rfind(" ") + 1  # the codes can only follow the last space
    codes = _CODES_AT_END.search(line, start)
    if codes is None:
        return line
    return line[: codes.start()].rstrip(" ") + codes.group()


def _no_trailing_spaces(text: str, color: bool) -> str:
    """The padding of a line's last cell, which nobody sees and diffs flag, left out
    (with colour, before the codes that end the line). Line by line: a pattern over
    the whole text tried every run of spaces of a 100,000-row table to its end."""
    if color:
        return "\n".join(map(_no_trailing_space, text.split("\n")))
    return "\n".join(line.rstrip(" ") for line in text.split("\n"))


TABLE_OPTIONS: dict[str, Any] = {
    "title_justify": "left",
    "header_style": "bold",
    "box": None,
    "pad_edge": False,
    "show_edge": False,
}
FIGURES_END = 35  # the footer's figures end in this column; their explanations follow two spaces later


def _symbols(text: str, ascii: bool) -> str:
    return to_ascii(text) if ascii else text


def _ladder(columns: tuple[Metric, ...]) -> list[Step]:
    """fit.STEPS with "figures" as one step per figure column but params and MACs, the last first;
    a column only one view shows (the memory view's Saved) goes after the others: it is why the view was asked for."""
    figures = [m for m in reversed(columns) if m.key not in ("params", "macs")]
    figures.sort(key=lambda m: len(m.views) == 1)  # stable: the last first within each kind
    steps: list[Step] = []
    for step in STEPS:
        if step.key == "figures":
            steps += [Step(m.key, -1, m.column) for m in figures]
        else:
            steps.append(step)
    return steps


def _left_out(ladder: list[Step], taken: list[int], grid: Grid) -> list[str]:
    """What the steps taken left out, in words (a shortening that changed no label is not one)."""
    words = []
    for index in taken:
        step = ladder[index]
        if step.words and (step.variant < 0 or grid.shortens(step.key, step.variant)):
            words.append(_READS if grid.references and step.words == _JOINS else step.words)
    return words


_JOINS = "the rows merges join"
_READS = "the inputs named after ←"  # where layers other than merges name theirs too


def _main_is_tokens(report: Report) -> bool:
    at = report.output_rows.get("main", len(report.rows) - 1)
    return at >= 0 and report.rows[at].tokens


def footer(report: Report, layout: str = "nchw", view: str = "default") -> str:
    """The totals, one line each, as the view shows them (the memory view: no MACs or FLOPs)."""
    t = report.totals
    extra = [f"{visible(name)} {shape_text(shape, layout)}" for name, shape in report.outputs.items() if name != "main"]
    lines_ = []
    for metric in METRICS:
        words = _FOOTER.get(metric.key, _footer_line)
        if words is not None and (t[metric.key] or not metric.optional) and in_footer(metric, view):
            lines_.append(words(metric, report))
    if "main" in report.outputs:
        shown = f"Output:            {shape_text(report.outputs['main'], layout, _main_is_tokens(report)):>16}"
        lines_.append(shown + ("  heads: " + ", ".join(extra) if extra else ""))
    else:  # the spec's own 'outputs' (version 2)
        lines_.append("Outputs:           " + ", ".join(extra))
    lines_ += [
        "Units: k/M/G = 10^3/10^6/10^9; KiB/MiB/GiB = 2^10/2^20/2^30 bytes."
        + (f"  Batch {report.batch}: MACs and memory are for the whole batch." if report.batch > 1 else ""),
    ]
    if t.inexact_layers:
        lines_.append(
            f"⚠ {t.inexact_layers} layer(s) have a size division with a remainder (floored, as PyTorch does); "
            "fix the padding or input size, or mark them 'allow_inexact: true'."
        )
    return "\n".join(lines_)


def _glance(value: int) -> str:
    """'  (138.36 M)' beside a figure in full; nothing under 1000, where it would repeat it ('724  (724)')."""
    return f"  ({count(value)})" if value >= 1000 else ""


def _footer_line(metric: Metric, report: Report) -> str:
    """A total the footer has no words for: its label, the figure in full and at a glance."""
    value = report.totals[metric.key]
    text = f"{heading(metric.label) + ':':<19}"
    text += exact(metric.unit, value).rjust(max(35 - len(text), 0))  # figures end in one column
    return text if metric.unit == BYTES or value < 1000 else f"{text}  ({count(value)})"


# How the footer words each total; None: said with another (or, inexact_layers, as a warning below).
# A metric not listed gets _footer_line.
_FOOTER: dict[str, Callable[[Metric, Report], str] | None] = {
    "params": lambda _, r: f"Total params:      {grouped(r.totals.params):>16}" + _glance(r.totals.params),
    "trainable": lambda _, r: f"Trainable params:  {grouped(r.totals.trainable):>16}",
    "non_trainable": lambda _, r: f"Non-trainable:     {grouped(r.totals.non_trainable):>16}  {_non_trainable(r)}",
    "macs": lambda _, r: (
        f"MACs:              {grouped(r.totals.macs):>16}  "
        f"({count(r.totals.macs)}; multiply-accumulates of conv/dense, bias excluded)"
    ),
    "flops": lambda _, r: (
        f"FLOPs:             {grouped(r.totals.flops):>16}  ({count(r.totals.flops)}; FLOPs = 2 × MACs)"
    ),
    "activations": lambda _, r: (
        f"Activations:       {grouped(r.totals.activations):>16}  elements = {nbytes(r.totals.activation_bytes)} "
        "(every output summed, the input included; not what is alive at once)"
    ),
    "activation_bytes": None,
    "param_bytes": lambda _, r: (
        f"Parameter memory:  {nbytes(r.totals.param_bytes):>16}  ({r.dtype}, {r.dtype_bytes} B each)"
    ),
    "inference_peak_bytes": lambda _, r: _inference_peak(r),
    "saved_activation_bytes": lambda _, r: (
        f"Saved for backward:{nbytes(r.totals.saved_activation_bytes):>16}  "
        "(what autograd keeps in training, each tensor once, the input included)"
    ),
    "grad_bytes": None,  # said with the training peak
    "optimizer_bytes": None,
    "training_peak_bytes": lambda _, r: _training_peak(r),
    "inexact_layers": None,
}


def _non_trainable(report: Report) -> str:
    """What the non-trainable figure is made of for this spec: BatchNorm running statistics
    (PyTorch buffers), params frozen by 'trainable: false' (PyTorch parameters), or both."""
    frozen = sum(row.frozen for row in report.rows)
    if not frozen:
        return "(BatchNorm running mean/var; Keras counts them, PyTorch's parameters() does not)"
    running = report.totals.non_trainable - frozen
    if not running:
        return "(frozen by 'trainable: false'; PyTorch's parameters() counts them, without gradients)"
    return (
        f"({grouped(running)} BatchNorm running mean/var, not in PyTorch's parameters(); "
        f"+ {grouped(frozen)} frozen by 'trainable: false')"
    )


def _inference_peak(report: Report) -> str:
    """The liveness peak, where it happens, and with the weights."""
    t, memory = report.totals, report.memory
    where = (
        f"at {visible(report.rows[memory.inference_peak_at].name)}; "
        if memory and memory.inference_peak_at >= 0
        else ""
    )
    return (
        f"Inference peak:    {nbytes(t.inference_peak_bytes):>16}  (activations alive at once, {where}"
        f"+ parameters = {nbytes(t.inference_peak_bytes + t.param_bytes)})"
    )


def _training_peak(report: Report) -> str:
    """One training step's peak and what it is made of."""
    phase = report.memory.training_peak_phase if report.memory else "backward"
    mixed = "" if report.precision == "fp32" else f", {report.precision}"
    t = report.totals
    return (
        f"Training peak:     {nbytes(t.training_peak_bytes):>16}  ({report.optimizer}{mixed}: parameters + gradients "
        f"{nbytes(t.grad_bytes)} + state {nbytes(t.optimizer_bytes)} + activations; in the {phase})"
    )
