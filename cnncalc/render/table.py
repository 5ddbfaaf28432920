"""The terminal table (rich): one row per layer, rows nested under their
block or branch with tree guides, deeper levels folded by ``depth``, inexact
rows highlighted with the division that failed, and a Keras/CS231n footer."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

from ..graph import Group
from ..metrics import BYTES, COLUMNS, COUNT, METRICS, Metric
from ..record import record
from ..report import Report, Row
from ..shapes import axis_names
from .units import count, divisions_text, exact, grouped, heading, human, nbytes, rf_text, shape_text, type_label

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


def _chain(group_id: int | None, groups: tuple[Group, ...]) -> list[Group]:
    chain: list[Group] = []
    while group_id is not None:
        group = groups[group_id]
        chain.append(group)
        group_id = group.parent
    return chain[::-1]


def lines(report: Report, depth: int | None) -> Iterator[_Line]:
    """Layer rows in order, with a header line where a block begins and one
    folded line per group deeper than ``depth``."""
    limit = 10**9 if depth is None else depth
    members: dict[int, list[Row]] = {}
    for row in report.rows:
        for group in _chain(row.group, report.groups):
            members.setdefault(group.id, []).append(row)
    opened: set[int] = set()
    for row in report.rows:
        for group in _chain(row.group, report.groups):
            if group.id in opened:
                continue
            if group.depth - 1 > limit:
                break
            opened.add(group.id)
            if group.depth - 1 == limit:
                yield _Line(group.label, group.kind, group.depth - 1, members[group.id], folded=True)
                break
            if group.kind != "branch":
                yield _Line(group.label, group.kind, group.depth - 1, members[group.id], header=True)
        if row.depth <= limit:
            yield _Line(row.name, type_label(row), row.depth, [row])


def _guide(depth: int, mark: str = "") -> str:
    return "│ " * depth + mark


def _local(name: str, nested: bool) -> str:
    """Inside a block the tree shows where a row is: drop the block's prefix."""
    return name.rsplit(".", 1)[-1] if nested else name


def _joined(name: str, merge: str) -> str:
    """A merge's input as the tree shows it: local if it sits in the merge's own
    block, else in full (a shortcut from the block before is not this block's relu2)."""
    prefix = merge.rpartition(".")[0]
    return name[len(prefix) + 1 :] if prefix and name.startswith(prefix + ".") else name


def render_table(
    report: Report,
    *,
    layout: str = "nchw",
    depth: int | None = None,
    width: int | None = None,
    color: bool = False,
    **_: object,
) -> str:
    Console: Any
    Table: Any
    Text: Any
    if color:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text
    else:  # no colour: rich's layout, written without importing rich (see plain.py)
        from .plain import Console, Table, Text
    size = report.dtype_bytes
    totals = report.totals
    title = report.name or report.file
    table = Table(
        title=f"{title} — input {shape_text(report.input, layout)}, batch {report.batch}, {report.dtype}",
        title_justify="left",
        header_style="bold",
        box=None if not color else None,
        pad_edge=False,
        show_edge=False,
    )
    axes = ", ".join(axis_names(len(report.input) - 1)) if len(report.input) > 1 else ""
    output_header = "Output"
    if axes:
        output_header = f"Output (N, {axes}, C)" if layout == "nhwc" else f"Output (C, {axes})"
    columns: list[tuple[str, dict[str, Any]]] = [
        ("Layer", {"no_wrap": True}),
        ("Type", {"overflow": "fold"}),
        (output_header, {}),
        *((heading(m.column), {"justify": "right"}) for m in COLUMNS),
        ("RF /jump", {"justify": "right"}),
        ("Share: params│memory", {"no_wrap": True}),
    ]
    cells: list[tuple[Any, ...]] = [
        (
            "input",
            "",
            shape_text(report.input, layout),
            *(_figure(m, m.input(report.input_activations, size)) for m in COLUMNS),
            "1 /1" if len(report.input) > 1 else "all",
            "",
        )
    ]
    notes: list[tuple[Row, str]] = []
    all_params = totals.params or 1
    all_memory = totals.activations or 1
    for line in lines(report, depth):
        figures = [sum(m.row(r, size) for r in line.rows) for m in COLUMNS]
        params = sum(r.params for r in line.rows)
        memory = sum(r.activations for r in line.rows)
        last = line.rows[-1]
        share = f"{bar(params / all_params)}│{bar(memory / all_memory)}"
        if line.header or line.folded:
            mark = "▸ " if line.folded else "▾ "
            style = "dim" if line.header else ""
            cells.append(
                (
                    Text(_guide(line.depth, mark) + _local(line.name, line.depth > 0), style="bold " + style),
                    Text(line.kind + (f" ({len(line.rows)} layers)" if line.folded else ""), style=style),
                    Text(shape_text(last.output, layout), style=style),
                    *(Text(_figure(m, value), style=style) for m, value in zip(COLUMNS, figures)),
                    Text(rf_text(last.rf), style=style),
                    share if line.folded else "",
                )
            )
            continue
        kind = line.kind
        nested = line.depth > 0
        if len(last.inputs) > 1:  # a merge names the rows it joins
            kind += " ← " + ", ".join(_joined(name, last.name) for name in last.inputs)
        output = shape_text(last.output, layout)
        style = ""
        if not last.exact:
            notes.append((last, divisions_text(last)))
            output += f" ⚠{len(notes)}"
            style = "yellow" if last.allow_inexact else "bold red"
        cells.append(
            (
                Text(_guide(line.depth) + _local(line.name, nested), style=style),
                Text(kind, style=style),
                Text(output, style=style),
                *(_figure(m, value, layer=True) for m, value in zip(COLUMNS, figures)),
                rf_text(last.rf),
                share,
            )
        )
    width = width or 140
    if _natural_width(columns, cells) > width:  # a narrow terminal: the bars go first, not the numbers
        columns, cells = columns[:-1], [row[:-1] for row in cells]
    for header, options in columns:
        table.add_column(header, **options)
    for cell_row in cells:
        table.add_row(*cell_row)
    out = io.StringIO()
    console = Console(
        file=out,
        width=width,
        color_system="auto" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
    )
    console.print(table)
    for number, (row, divisions) in enumerate(notes, 1):
        rounding = "rounded up (ceil_mode)" if any(d.ceil_mode for d in row.divisions) else "floored as PyTorch does"
        verdict = f"allowed (allow_inexact), {rounding}" if row.allow_inexact else f"inexact, {rounding}"
        console.print(
            Text(
                f"⚠{number} {row.name} (line {row.loc.line}): {divisions} — {verdict}",
                style="yellow" if row.allow_inexact else "bold red",
            )
        )
    console.print(footer(report, layout), highlight=False, markup=False)
    return out.getvalue()


def _natural_width(columns: list[tuple[str, dict[str, Any]]], cells: list[tuple[Any, ...]]) -> int:
    """The table's width with no cell wrapped: widest cell per column, two spaces between."""
    widths = [len(header) for header, _ in columns]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell.plain if hasattr(cell, "plain") else cell))
    return sum(widths) + 2 * (len(widths) - 1)


def _figure(metric: Metric, value: int, layer: bool = False) -> str:
    """A cell: blank for nothing, except that a layer's params say 0 (worth knowing: no weights)."""
    if value:
        return human(metric.unit, value)
    return "0" if layer and metric.unit == COUNT else ""


def footer(report: Report, layout: str = "nchw") -> str:
    t = report.totals
    extra = [f"{name} {shape_text(shape, layout)}" for name, shape in report.outputs.items() if name != "main"]
    lines_ = []
    for metric in METRICS:
        words = _FOOTER.get(metric.key, _footer_line)
        if words is not None and (t[metric.key] or not metric.optional):
            lines_.append(words(metric, report))
    lines_ += [
        f"Output:            {shape_text(report.outputs['main'], layout):>16}"
        + ("  heads: " + ", ".join(extra) if extra else ""),
        "Units: k/M/G = 10^3/10^6/10^9; KiB/MiB/GiB = 2^10/2^20/2^30 bytes."
        + (f"  Batch {report.batch}: MACs and memory are for the whole batch." if report.batch > 1 else ""),
    ]
    if t.inexact_layers:
        lines_.append(
            f"⚠ {t.inexact_layers} layer(s) have a size division with a remainder (floored, as PyTorch does); "
            "fix the padding or input size, or mark them 'allow_inexact: true'."
        )
    return "\n".join(lines_)


def _footer_line(metric: Metric, report: Report) -> str:
    """A total the footer has no words for: its label, the figure in full and at a glance."""
    value = report.totals[metric.key]
    text = f"{heading(metric.label) + ':':<19}"
    text += exact(metric.unit, value).rjust(max(35 - len(text), 0))  # figures end in one column
    return text if metric.unit == BYTES or value < 1000 else f"{text}  ({count(value)})"


_OPTIMIZER_WORDS = {
    "sgd": "sgd: none",
    "momentum": "momentum: one buffer per trainable parameter",
    "adam": "adam: two buffers per trainable parameter",
    "adamw": "adamw: two buffers per trainable parameter",
}


# How the footer words each total; None: said with another (or, inexact_layers, as a warning below).
# A metric not listed gets _footer_line.
_FOOTER: dict[str, Callable[[Metric, Report], str] | None] = {
    "params": lambda _, r: f"Total params:      {grouped(r.totals.params):>16}  ({count(r.totals.params)})",
    "trainable": lambda _, r: f"Trainable params:  {grouped(r.totals.trainable):>16}",
    "non_trainable": lambda _, r: (
        f"Non-trainable:     {grouped(r.totals.non_trainable):>16}  "
        "(BatchNorm running mean/var; Keras counts them, PyTorch's parameters() does not)"
    ),
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
    "grad_bytes": lambda _, r: f"Gradients:         {nbytes(r.totals.grad_bytes):>16}  (one per trainable parameter)",
    "optimizer_bytes": lambda _, r: (
        f"Optimizer state:   {nbytes(r.totals.optimizer_bytes):>16}  ({_OPTIMIZER_WORDS[r.optimizer]})"
    ),
    "training_peak_bytes": lambda _, r: _training_peak(r),
    "inexact_layers": None,
}


def _inference_peak(report: Report) -> str:
    """The liveness peak, where it happens, and with the weights."""
    t, memory = report.totals, report.memory
    where = f"at {report.rows[memory.inference_peak_at].name}; " if memory and memory.inference_peak_at >= 0 else ""
    return (
        f"Inference peak:    {nbytes(t.inference_peak_bytes):>16}  (activations alive at once, {where}"
        f"+ parameters = {nbytes(t.inference_peak_bytes + t.param_bytes)})"
    )


def _training_peak(report: Report) -> str:
    """One training step's peak and what it is made of."""
    phase = report.memory.training_peak_phase if report.memory else "backward"
    mixed = "" if report.precision == "fp32" else f", {report.precision}"
    return (
        f"Training peak:     {nbytes(report.totals.training_peak_bytes):>16}  (one {report.optimizer} step{mixed}: "
        f"parameters, gradients, optimizer state and what is alive at its peak, in the {phase})"
    )
