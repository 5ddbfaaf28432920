"""The terminal table's lines and cells before it is fitted to a width: one
line per layer, a header where a block begins, one folded line per block
deeper than ``depth``; per column its headings (full, shorter) and its cells
top to bottom, the type column in three forms (full, without the rows a merge
joins, the bare type).

Cells are kept by column, as plain strings with a style per row: a
100,000-layer table is measured and laid out a column at a time (render/plain.py),
and a row's texts that repeat down the table (shapes, figures, bars, receptive
fields) are worked out once each.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

from ..metrics import COUNT, Metric, columns as figure_columns
from ..record import record
from ..report import Report, Row
from ..shapes import axis_names
from .escape import visible
from .plain import column_width
from .symbols import to_ascii
from .units import divisions_text, heading, human, layers_text, rf_text, shape_text, type_label
from .wiring import chain, hint, read_names

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
    groups = report.groups
    members: dict[int, list[Row]] = {}
    for row in report.rows:
        if row.group is not None:
            for group in chain(row.group, groups):
                members.setdefault(group.id, []).append(row)
    opened: set[int] = set()
    last = -1  # the depth of the line before
    opens = False  # a branch has begun and its first line is still to come
    for row in report.rows:
        for group in chain(row.group, groups) if row.group is not None else ():
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


# The style each column takes from a line's three: its name's, its label's
# (type and output) and its figures' (the figures and the receptive field).
_STYLE_OF = {"layer": 0, "type": 1, "output": 1, "rf": 2, "share": 3}


class Grid:
    """The table's cells before it is fitted: per column its headings (full,
    shorter) and its cells in each of its forms, and each line's styles."""

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
        # forms[key][form][line]: the column's text in that form on that line
        self.forms: dict[str, list[list[str]]] = {key: [[]] for key in self.headings}
        self.forms["type"] = [[], [], []]
        # a line's styles: of its name, its label, its figures; the share bars have none
        self.styles: tuple[list[str], list[str], list[str], list[str]] = ([], [], [], [])
        reads = read_names(report)
        self.references = any(len(row.inputs) == 1 and names for row, names in zip(report.rows, reads))
        self.hints = {row.name: names for row, names in zip(report.rows, reads) if names}
        self.notes: list[tuple[Row, str]] = []
        self._input_cells(inputs)
        self._line_cells(lines(report, depth))

    @property
    def height(self) -> int:
        """Lines below the headings."""
        return len(self.styles[0])

    def cells(self, key: str, form: int) -> list[str]:
        """Column ``key``'s texts in ``form`` (a column with fewer forms: its last)."""
        forms = self.forms[key]
        return forms[min(form, len(forms) - 1)]

    def column_styles(self, key: str) -> list[str]:
        return self.styles[_STYLE_OF.get(key, 2)]

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

    def _add(self, cells: dict[str, str], styles: tuple[str, str, str]) -> None:
        for key, text in cells.items():
            self.forms[key][0].append(text)
        for column, style in zip(self.styles, (*styles, "")):
            column.append(style)

    def _input_cells(self, inputs: dict[str, tuple[int, ...]]) -> None:
        """A line per input of the spec."""
        size = self.report.dtype_bytes
        for (name, shape), elements in zip(inputs.items(), _elements(self.report, inputs)):
            self._add(
                {
                    "layer": visible(name),
                    "type": "",
                    "output": shape_text(shape, self.layout),
                    **{m.key: _figure(m, m.input(elements, size)) for m in self.columns},
                    "rf": "1 /1" if len(shape) > 1 else "all",
                    "share": "",
                },
                ("", "", ""),
            )
            self.forms["type"][1].append("")
            self.forms["type"][2].append("")

    def _line_cells(self, table_lines: Iterator[_Line]) -> None:
        """Every line's cells, a column at a time; a text that repeats down the
        table (a shape, a figure, a bar, a receptive field) is made once."""
        report, size, hints, layout = self.report, self.report.dtype_bytes, self.hints, self.layout
        forms, (name_styles, label_styles, figure_styles, share_styles) = self.forms, self.styles
        names, full, no_inputs, bare = forms["layer"][0], *forms["type"]
        outputs, rfs, shares = forms["output"][0], forms["rf"][0], forms["share"][0]
        # per figure column: its metric, its cells, its texts by value on layers' lines and on blocks'
        figure_cells: list[tuple[Metric, Callable[[Row, int], int], list[str], dict[int, str], dict[int, str]]]
        figure_cells = [(m, m.row, forms[m.key][0], {}, {}) for m in self.columns]
        all_params, all_memory = report.totals.params or 1, report.totals.activations or 1
        shapes: dict[tuple[tuple[int, ...], bool], str] = {}
        rf_texts: dict[int, str] = {}  # by id(): the rows keep their receptive fields alive
        bars: dict[tuple[int, int], str] = {}
        forms_of: dict[str, tuple[str, str]] = {}
        for line in table_lines:
            rows = line.rows
            last = rows[-1]
            single = len(rows) == 1
            key = (last.output, last.tokens)
            output = shapes.get(key)
            if output is None:
                output = shapes[key] = shape_text(last.output, layout, last.tokens)
            rf = rf_texts.get(id(last.rf))
            if rf is None:
                rf = rf_texts[id(last.rf)] = rf_text(last.rf)
            rfs.append(rf)
            if single:
                shares_key = (last.trainable + last.non_trainable, last.activations)
            else:
                shares_key = (sum(r.params for r in rows), sum(r.activations for r in rows))
            share = bars.get(shares_key)
            if share is None:
                share = bars[shares_key] = f"{bar(shares_key[0] / all_params)}│{bar(shares_key[1] / all_memory)}"
            layer = not (line.header or line.folded)
            for metric, row_figure, texts, of_layers, of_blocks in figure_cells:
                value = row_figure(last, size) if single else sum(row_figure(r, size) for r in rows)
                known = of_layers if layer else of_blocks
                text = known.get(value)
                if text is None:
                    text = known[value] = _figure(metric, value, layer=layer)
                texts.append(text)
            if layer:
                style = ""
                if not last.exact:
                    self.notes.append((last, divisions_text(last)))
                    output += f" ⚠{len(self.notes)}"
                    style = "yellow" if last.allow_inexact else "bold red"
                kind = line.kind
                if last.name in hints:  # a merge names the rows it joins; a row that reads another tensor, it
                    kind += " ← " + hint(hints[last.name])
                name = line.name if line.depth == 0 else _guide(line.depth, "", line.opens) + _local(line.name, True)
                name_style = figure_style = ""
                shares.append(share)
            else:
                style = "dim" if line.header else ""
                kind = line.kind + (f" ({layers_text(len(rows))})" if line.folded else "")
                if line.folded and rows[0].name in hints:  # the folded block reads another tensor
                    kind += " ← " + hint(hints[rows[0].name])
                name = _guide(line.depth, "▸ " if line.folded else "▾ ", line.opens) + _local(line.name, line.depth > 0)
                name_style, figure_style = "bold " + style, style
                shares.append(share if line.folded else "")
            shorter = forms_of.get(kind)
            if shorter is None:
                no_inputs_form = kind.split(" ← ", 1)[0]
                shorter = forms_of[kind] = (no_inputs_form, no_inputs_form.split(" ", 1)[0])
            names.append(name)
            full.append(kind)
            no_inputs.append(shorter[0])
            bare.append(shorter[1])
            outputs.append(output)
            name_styles.append(name_style or style)
            label_styles.append(style)
            figure_styles.append(figure_style)
            share_styles.append("")

    def to_ascii(self) -> None:
        """Every symbol spelt in ASCII, before widths are measured (← becomes <-)."""
        self.title = to_ascii(self.title)
        self.headings = {key: tuple(map(to_ascii, texts)) for key, texts in self.headings.items()}
        self.forms = {key: [list(map(to_ascii, texts)) for texts in forms] for key, forms in self.forms.items()}

    def widths(self) -> dict[str, list[int]]:
        """Each column's width in each of its forms: its widest cell or heading."""
        found: dict[str, list[int]] = {}
        for key, headings in self.headings.items():
            forms = max(len(headings), len(self.forms[key]))
            found[key] = [
                max(len(headings[min(i, len(headings) - 1)]), column_width(self.cells(key, i))) for i in range(forms)
            ]
        return found

    def shortens(self, key: str, variant: int) -> bool:
        """Whether showing ``variant`` of column ``key`` changes a label of it."""
        if len(self.headings[key]) > variant:
            return True
        return len(self.forms[key]) > variant and self.cells(key, variant) != self.cells(key, variant - 1)


def _elements(report: Report, inputs: dict[str, tuple[int, ...]]) -> list[int]:
    """Each input's elements × batch (together, the report's input activations)."""
    if len(inputs) == 1:
        return [report.input_activations]
    return [math.prod(shape) * report.batch for shape in inputs.values()]


def _figure(metric: Metric, value: int, layer: bool = False) -> str:
    """A cell: blank for nothing, except that a layer's params say 0 (worth knowing: no weights)."""
    if value:
        return human(metric.unit, value)
    return "0" if layer and metric.unit == COUNT else ""
