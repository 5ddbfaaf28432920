"""The terminal table (rich): one row per layer, rows nested under their
block or branch with tree guides, deeper levels folded by ``depth``, inexact
rows highlighted with the division that failed, and a Keras/CS231n footer."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

from ..metrics import BYTES, COUNT, METRICS, Metric, columns as figure_columns, in_footer
from ..record import record
from ..report import Report, Row
from ..shapes import axis_names
from .escape import visible
from .fit import STEPS, Step, fit, table_width, wrap
from .plain import Console, Table, Text, cell_width
from .symbols import to_ascii
from .units import (
    count,
    divisions_text,
    exact,
    grouped,
    heading,
    human,
    layers_text,
    nbytes,
    rf_text,
    shape_text,
    type_label,
)
from .wiring import chain, read_names

BAR_WIDTH = 6
_EIGHTHS = " ▏▎▍▌▋▊▉█"


def bar(share: float, width: int = BAR_WIDTH) -> str:
    """A bar of ``width`` cells filled to ``share`` (0..1), in eighths."""
    eighths = round(max(0.0, min(share, 1.0)) * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (_EIGHTHS[part] if part else "")
    return text.ljust(width)


@record(frozen=False, slots=False)
class _Line:
    """One table line: a layer, or a block/branch header or folded summary."""

    name: str
    kind: str
    depth: int
    rows: list[Row]
    folded: bool = False
    header: bool = False
    opens: bool = False  # the first line of a branch right after rows at its depth: its guide is ┌, not │


def lines(report: Report, depth: int | None) -> Iterator[_Line]:
    """Layer rows in order, with a header line where a block begins and one
    folded line per group deeper than ``depth``."""
    limit = 10**9 if depth is None else depth
    members: dict[int, list[Row]] = {}
    for row in report.rows:
        for group in chain(row.group, report.groups):
            members.setdefault(group.id, []).append(row)
    opened: set[int] = set()
    last = -1  # the depth of the line before
    opens = False  # a branch has begun and its first line is still to come
    for row in report.rows:
        for group in chain(row.group, report.groups):
            if group.id in opened:
                continue
            if group.depth - 1 > limit:
                break
            opened.add(group.id)
            if group.kind == "branch" and last >= group.depth:  # it would read as part of the rows above
                opens = True
            if group.depth - 1 == limit:
                yield _Line(
                    visible(group.label), group.kind, group.depth - 1, members[group.id], folded=True, opens=opens
                )
                last, opens = group.depth - 1, False
                break
            if group.kind != "branch":
                yield _Line(
                    visible(group.label), group.kind, group.depth - 1, members[group.id], header=True, opens=opens
                )
                last, opens = group.depth - 1, False
        if row.depth <= limit:
            yield _Line(visible(row.name), type_label(row), row.depth, [row], opens=opens)
            last, opens = row.depth, False


def _guide(depth: int, mark: str = "", opens: bool = False) -> str:
    """The tree's guides: one │ per level; ┌ where a branch begins right after rows
    of the same depth that are not its own (the block before a concat)."""
    if opens and depth > 0:
        return "│ " * (depth - 1) + "┌ " + mark
    return "│ " * depth + mark


def _local(name: str, nested: bool) -> str:
    """Inside a block the tree shows where a row is: drop the block's prefix."""
    return name.rsplit(".", 1)[-1] if nested else name


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
    grid = _Grid(report, layout, depth, view)
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
    keys = [key for key in grid.headings if chosen[key] >= 0]
    for key in keys:
        table.add_column(grid.headings[key][min(chosen[key], len(grid.headings[key]) - 1)], **grid.options[key])
    for cells in grid.rows:
        table.add_row(*(_variant(cells[key], chosen[key]) for key in keys))
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


def _variant(cell: Text | tuple[Text, ...], variant: int) -> Text:
    """A cell with shorter forms (the type) at the chosen one."""
    return cell[min(variant, len(cell) - 1)] if isinstance(cell, tuple) else cell


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


def _left_out(ladder: list[Step], taken: list[int], grid: _Grid) -> list[str]:
    """What the steps taken left out, in words (a shortening that changed no label is not one)."""
    words = []
    for index in taken:
        step = ladder[index]
        if step.words and (step.variant < 0 or grid.shortens(step.key, step.variant)):
            words.append(_READS if grid.references and step.words == _JOINS else step.words)
    return words


_JOINS = "the rows merges join"
_READS = "the inputs named after ←"  # where layers other than merges name theirs too


class _Grid:
    """The table's cells before it is fitted: per column its headings (full,
    shorter) and per row its cells, the type cell in its three forms (full,
    without the rows a merge joins, the bare type)."""

    def __init__(self, report: Report, layout: str, depth: int | None, view: str = "default") -> None:
        self.report, self.layout = report, layout
        # the metric registry's columns for the view, with this network's optional ones
        self.columns = figure_columns(report.totals, view)
        inputs = dict(report.inputs) or {"input": report.input}
        self.title = self._title(inputs)
        self.headings = self._headings()
        right = {"justify": "right"}
        self.options: dict[str, dict[str, Any]] = {
            "layer": {"no_wrap": True},
            "type": {"overflow": "fold"},
            "output": {},
            **{m.key: right for m in self.columns},
            "rf": right,
            "share": {"no_wrap": True},
        }
        self.rows: list[dict[str, Any]] = self._input_cells(inputs)
        reads = read_names(report)
        self.references = any(len(row.inputs) == 1 and names for row, names in zip(report.rows, reads))
        self.hints = {row.name: names for row, names in zip(report.rows, reads) if names}
        self.notes: list[tuple[Row, str]] = []
        self.rows.extend(map(self._cells, lines(report, depth)))

    def _title(self, inputs: dict[str, tuple[int, ...]]) -> str:
        report, layout = self.report, self.layout
        title = visible(report.name or report.file)
        if len(inputs) > 1:  # several inputs (version 2): each by name
            shapes = ", ".join(f"{visible(name)} {shape_text(shape, layout)}" for name, shape in inputs.items())
            return f"{title} — inputs {shapes}, batch {report.batch}, {report.dtype}"
        return f"{title} — input {shape_text(report.input, layout)}, batch {report.batch}, {report.dtype}"

    def _headings(self) -> dict[str, tuple[str, ...]]:
        """Each column's heading, full then shorter."""
        report = self.report
        axes = ", ".join(axis_names(len(report.input) - 1)) if len(report.input) > 1 else ""
        output_header = "Output"
        if axes:
            output_header = f"Output (N, {axes}, C)" if self.layout == "nhwc" else f"Output (C, {axes})"
        return {
            "layer": ("Layer",),
            "type": ("Type",),
            "output": (output_header, "Output"),
            **{m.key: (heading(m.column),) for m in self.columns},
            "rf": ("RF /jump",),
            "share": ("Share: params│memory",),
        }

    def _input_cells(self, inputs: dict[str, tuple[int, ...]]) -> list[dict[str, Any]]:
        """A row per input of the spec."""
        size = self.report.dtype_bytes
        return [
            {
                "layer": Text(visible(name)),
                "type": (Text(""),),
                "output": Text(shape_text(shape, self.layout)),
                **{m.key: Text(_figure(m, m.input(elements, size))) for m in self.columns},
                "rf": Text("1 /1" if len(shape) > 1 else "all"),
                "share": Text(""),
            }
            for (name, shape), elements in zip(inputs.items(), _elements(self.report, inputs))
        ]

    def _cells(self, line: _Line) -> dict[str, Any]:
        """One line's cells: a layer, or a block's header or folded line."""
        report, size, hints = self.report, self.report.dtype_bytes, self.hints
        last = line.rows[-1]
        params = sum(r.params for r in line.rows)
        memory = sum(r.activations for r in line.rows)
        figures = [sum(m.row(r, size) for r in line.rows) for m in self.columns]
        cells: dict[str, Any] = {
            "rf": Text(rf_text(last.rf)),
            "share": Text(
                f"{bar(params / (report.totals.params or 1))}│{bar(memory / (report.totals.activations or 1))}"
            ),
        }
        if line.header or line.folded:
            style = "dim" if line.header else ""
            kind = line.kind + (f" ({layers_text(len(line.rows))})" if line.folded else "")
            if line.folded and line.rows[0].name in hints:  # the folded block reads another tensor
                kind += " ← " + ", ".join(map(visible, hints[line.rows[0].name]))
            cells["layer"] = Text(
                _guide(line.depth, "▸ " if line.folded else "▾ ", line.opens) + _local(line.name, line.depth > 0),
                style="bold " + style,
            )
            cells["type"] = _type_forms(kind, style)
            cells["output"] = Text(shape_text(last.output, self.layout, last.tokens), style=style)
            cells.update((m.key, Text(_figure(m, value), style=style)) for m, value in zip(self.columns, figures))
            cells["rf"].style = style
            if not line.folded:
                cells["share"] = Text("")
            return cells
        output = shape_text(last.output, self.layout, last.tokens)
        style = ""
        if not last.exact:
            self.notes.append((last, divisions_text(last)))
            output += f" ⚠{len(self.notes)}"
            style = "yellow" if last.allow_inexact else "bold red"
        kind = line.kind
        if last.name in hints:  # a merge names the rows it joins; a row that reads another tensor, it
            kind += " ← " + ", ".join(map(visible, hints[last.name]))
        cells["layer"] = Text(_guide(line.depth, "", line.opens) + _local(line.name, line.depth > 0), style=style)
        cells["type"] = _type_forms(kind, style)
        cells["output"] = Text(output, style=style)
        cells.update((m.key, Text(_figure(m, value, layer=True))) for m, value in zip(self.columns, figures))
        return cells

    def to_ascii(self) -> None:
        """Every symbol spelt in ASCII, before widths are measured (← becomes <-)."""
        self.title = to_ascii(self.title)
        self.headings = {key: tuple(map(to_ascii, texts)) for key, texts in self.headings.items()}
        for cells in self.rows:
            for cell in cells.values():
                for text in cell if isinstance(cell, tuple) else (cell,):
                    text.plain = to_ascii(text.plain)

    def widths(self) -> dict[str, list[int]]:
        """Each column's width in each of its forms: its widest cell or heading."""
        found: dict[str, list[int]] = {}
        for key, headings in self.headings.items():
            forms = max(len(headings), 3 if key == "type" else 1)
            found[key] = [
                max(
                    len(headings[min(i, len(headings) - 1)]),
                    max(cell_width(_variant(cells[key], i).plain) for cells in self.rows),
                )
                for i in range(forms)
            ]
        return found

    def shortens(self, key: str, variant: int) -> bool:
        """Whether showing ``variant`` of column ``key`` changes a label of it."""
        if len(self.headings[key]) > variant:
            return True
        return any(
            isinstance(cells[key], tuple)
            and _variant(cells[key], variant).plain != _variant(cells[key], variant - 1).plain
            for cells in self.rows
        )


def _elements(report: Report, inputs: dict[str, tuple[int, ...]]) -> list[int]:
    """Each input's elements × batch (together, the report's input activations)."""
    if len(inputs) == 1:
        return [report.input_activations]
    return [math.prod(shape) * report.batch for shape in inputs.values()]


def _type_forms(kind: str, style: str) -> tuple[Text, Text, Text]:
    """A type label in full, without the rows a merge joins, and bare:
    'add ← conv3, downsample', 'add', 'add'; 'conv 3×3 /2 p1', the same, 'conv'."""
    no_inputs = kind.split(" ← ", 1)[0]
    return Text(kind, style=style), Text(no_inputs, style=style), Text(no_inputs.split(" ", 1)[0], style=style)


def _figure(metric: Metric, value: int, layer: bool = False) -> str:
    """A cell: blank for nothing, except that a layer's params say 0 (worth knowing: no weights)."""
    if value:
        return human(metric.unit, value)
    return "0" if layer and metric.unit == COUNT else ""


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
