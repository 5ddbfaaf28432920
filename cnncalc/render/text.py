"""Machine formats (JSON, CSV) with exact integers, and Markdown for documents."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from fractions import Fraction
from operator import attrgetter
from typing import Any

from ..metrics import METRICS, OPTIONAL_ROW_KEYS, ROW_KEYS, Metric, columns as figure_columns, in_footer
from ..record import replace as replace_record
from ..report import Report, Row, Totals
from .escape import markdown_cell, visible
from .units import count, divisions_text, exact, grouped, human, layers_text, nbytes, rf_text, shape_text
from .wiring import has_wiring, hint, reads_from_outside


def render_json(report: Report, **_: object) -> str:
    return "".join(json_chunks(report))


def json_chunks(report: Report, **_: object) -> Iterator[str]:
    """``json.dumps(report.to_dict(), indent=2) + "\\n"`` in pieces, byte for
    byte, ten times faster: with ``indent`` the json module falls back to its
    pure-Python encoder. A layer at a time, never all held as dicts, so the
    CLI can write a 100,000-layer report (50 MB) as it is made."""
    rows = report.rows
    document = replace_record(report, rows=()).to_dict()
    document["layers"] = ["\0"]  # a placeholder for the layers
    parts = _encode(document, "\n").split('"\\u0000"')
    if len(parts) != 2 or not rows:  # no layers, or a name that holds the placeholder too
        yield _encode(report.to_dict(), "\n") + "\n"
        return
    layer: Callable[[Row], str] = _Layers()
    if layer(rows[0]) != _encode(rows[0].to_dict(), _LAYER):  # the slow way
        layer = lambda row: _encode(row.to_dict(), _LAYER)  # noqa: E731
    yield parts[0]
    for start in range(0, len(rows), 4096):
        yield ("" if start == 0 else _NEXT_LAYER) + _NEXT_LAYER.join(map(layer, rows[start : start + 4096]))
    yield parts[1] + "\n"


_LAYER = "\n    "  # a layer's indentation inside "layers"
_NEXT_LAYER = "," + _LAYER
_KEY = "\n      "  # and its keys'
_ITEM = _KEY + "  "  # and the items of its lists


class _Layers:
    """Writes a row as ``_encode(row.to_dict(), _LAYER)`` does, without the
    dict; json_chunks checks that on the first row. An output shape or
    receptive field shared by several rows (a relu passes its input's on) is
    written once."""

    def __init__(self) -> None:
        self.texts: dict[int, str] = {}  # by id(): the rows keep the objects alive

    def __call__(self, row: Row) -> str:
        output = self.texts.get(id(row.output))
        if output is None:
            output = self.texts[id(row.output)] = _encode(list(row.output), _KEY)
        rf = self.texts.get(id(row.rf))
        if rf is None:
            rf = self.texts[id(row.rf)] = _receptive_field(row)
        figures = _figures(row)
        inputs = row.inputs
        texts = type(row.name) is type(row.type) is type(row.path) is str
        if len(inputs) == 1 and type(inputs[0]) is str:  # most layers read one tensor
            read = _string(inputs[0])
        else:
            texts = texts and bool(inputs) and all(type(name) is str for name in inputs)
            read = _NEXT_ITEM.join(map(_string, inputs)) if texts else ""
        if figures is None or row.tokens or not (texts and type(row.depth) is int and type(row.exact) is bool):
            return _encode(row.to_dict(), _LAYER)  # below: plain text, ints and bools only
        return (
            f'{{{_KEY}"name": {_string(row.name)},{_KEY}"type": {_string(row.type)},{_KEY}"path": {_string(row.path)},'
            f'{_KEY}"depth": {row.depth},{_KEY}"output": {output},{figures}'
            f'{_KEY}"exact": {"true" if row.exact else "false"},{_KEY}"rf": {rf},'
            f'{_KEY}"inputs": [{_ITEM}{read}{_KEY}]{_LAYER}}}'
        )


_NEXT_ITEM = "," + _ITEM
_RF_INNER, _RF_ITEM = _KEY + "  ", _KEY + "    "
_RF_NEXT = "," + _RF_ITEM
_EXACT = 2**53


def _receptive_field(row: Row) -> str:
    """What ``_number_lists(row.rf_dict(), _KEY)`` writes, straight from the axes
    while sizes and jumps are ints and starts ints or Fractions (as they are below
    engine.RF_EXACT); anything else the long way."""
    rf = row.rf
    if rf is None:
        return "null"
    sizes, jumps, starts = [], [], []
    for axis in rf:
        size, jump, start = axis.size, axis.jump, axis.start
        if type(size) is not int or type(jump) is not int or not (type(start) is int or type(start) is Fraction):
            return _number_lists(row.rf_dict(), _KEY)
        sizes.append(int.__repr__(size))
        jumps.append(int.__repr__(jump))
        starts.append(float.__repr__(float(start)) if -_EXACT < start < _EXACT else "")
    if not sizes or "" in starts:  # none, or a start past float's exact range
        return _number_lists(row.rf_dict(), _KEY)
    return (
        f'{{{_RF_INNER}"size": [{_RF_ITEM}{_RF_NEXT.join(sizes)}{_RF_INNER}],'
        f'{_RF_INNER}"jump": [{_RF_ITEM}{_RF_NEXT.join(jumps)}{_RF_INNER}],'
        f'{_RF_INNER}"start": [{_RF_ITEM}{_RF_NEXT.join(starts)}{_RF_INNER}]{_KEY}}}'
    )


def _figures_writer(keys: tuple[str, ...], optional: tuple[str, ...]) -> Callable[[Row], str | None]:
    """The function that writes a row's metric figures (``ROW_KEYS``) as
    ``_encode`` would, or returns None if one is not a plain int or an
    optional one (``OPTIONAL_ROW_KEYS``, written after "rf") is not 0. Compiled once
    from the metric registry, as record.py compiles ``__init__``: an f-string
    is the cheapest text per row, a loop over the metrics costs a tenth of the
    100,000-layer run."""
    assert all(key.isidentifier() for key in keys)
    names: dict[str, Any] = {f"k{i}": f"{_KEY}{_string(key)}: " for i, key in enumerate(keys)}
    reads = "".join(f"    v{i} = row.{key}\n" for i, key in enumerate(keys))
    ints = " and ".join([*(f"type(v{i}) is int" for i in range(len(keys))), *(f"not row.{key}" for key in optional)])
    text = "".join(f"{{k{i}}}{{v{i}}}," for i in range(len(keys)))
    source = f"def figures(row):\n{reads}    if {ints}:\n        return f'{text}'\n    return None\n"
    exec(source, names)  # noqa: S102  # keys are identifiers, the rest constants of this module
    figures: Callable[[Row], str | None] = names["figures"]
    return figures


def _number_lists(value: dict[str, list[Any]] | None, newline: str) -> str:
    """What ``_encode`` writes for a dict of lists of numbers (a receptive
    field), without a call per number."""
    if value is None:
        return "null"
    inner, item = newline + "  ", newline + "    "
    parts = []
    for key, numbers in value.items():
        texts = [int.__repr__(n) if type(n) is int else _float(n) if type(n) is float else "" for n in numbers]
        if type(key) is not str or type(numbers) is not list or not texts or "" in texts:
            return _encode(value, newline)
        parts.append(f"{_string(key)}: [{item}{(',' + item).join(texts)}{inner}]")
    return f"{{{inner}{(',' + inner).join(parts)}{newline}}}" if parts else "{}"


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


_INFINITY = float("inf")
_string: Callable[[str], str] = json.encoder.encode_basestring_ascii  # its C version
# json's own spelling of each scalar type (exact types; anything else goes to json)
_SCALARS: dict[type, Callable[[Any], str]] = {
    str: _string,
    int: int.__repr__,
    float: _float,
    bool: lambda value: "true" if value else "false",
    type(None): lambda value: "null",
}

_figures = _figures_writer(ROW_KEYS, OPTIONAL_ROW_KEYS)


def _encode(value: Any, newline: str) -> str:
    """One value as ``json.dumps(indent=2)`` writes it at this indentation."""
    scalar = _SCALARS.get(type(value))
    if scalar is not None:
        return scalar(value)
    inner = newline + "  "
    if type(value) is dict and all(type(key) is str for key in value):
        items = [
            f"{_string(key)}: {scalar(item) if (scalar := _SCALARS.get(type(item))) else _encode(item, inner)}"
            for key, item in value.items()
        ]
        return f"{{{inner}{(',' + inner).join(items)}{newline}}}" if items else "{}"
    if type(value) is list or type(value) is tuple:  # scalars written inline: no call each
        items = [scalar(item) if (scalar := _SCALARS.get(type(item))) else _encode(item, inner) for item in value]
        return f"[{inner}{(',' + inner).join(items)}{newline}]" if items else "[]"
    return json.dumps(value, indent=2).replace("\n", newline)  # anything else, as json writes it


CSV_COLUMNS = ("name", "type", "path", "depth", "output", *ROW_KEYS, "exact", "rf_size", "rf_jump")


INPUTS_SEPARATOR = "; "  # between the names in the 'inputs' cell of a merge


def _input_name(name: str) -> str:
    """A name in the 'inputs' cell, its ';' written '\\;': a layer named "r; s" beside "p" read
    as 3 inputs ("r; s; p")."""
    return visible(name).replace(";", "\\;")


def render_csv(report: Report, layout: str = "nchw", **_: object) -> str:
    """One line per layer, exact integers; ``--layout nhwc`` puts the channels last in ``output``.
    Where the graph branches (a merge, ``from``, several inputs), a last column ``inputs`` names
    what each layer reads, as JSON's ``inputs`` does; a plain chain keeps version 1's columns."""
    channels_last = layout == "nhwc"
    wired = has_wiring(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow((*CSV_COLUMNS, "inputs") if wired else CSV_COLUMNS)
    figures = attrgetter(*ROW_KEYS) if len(ROW_KEYS) > 1 else lambda row: (getattr(row, ROW_KEYS[0]),)
    for row in report.rows:
        rf = row.rf_dict()
        writer.writerow(
            [
                visible(row.name),
                row.type,
                visible(row.path),
                row.depth,
                "x".join(map(str, (*row.output[1:], row.output[0]) if channels_last else row.output)),
                *figures(row),
                str(row.exact).lower(),
                "x".join(map(str, rf["size"])) if rf else "",
                "x".join(map(str, rf["jump"])) if rf else "",
                *([INPUTS_SEPARATOR.join(map(_input_name, row.inputs))] if wired else []),
            ]
        )
    return out.getvalue()


def render_markdown(
    report: Report, layout: str = "nchw", depth: int | None = None, view: str = "default", **_: object
) -> str:
    """A Markdown table; with ``depth``, blocks nested deeper fold into one row each, as in the table;
    ``view`` picks the figure columns (metrics.VIEWS)."""
    from .table import lines as table_lines  # the table's folding; rich is imported only to draw

    COLUMNS = figure_columns(report.totals, view)  # noqa: N806  (the registry's, with this network's optional ones)
    lines = [
        f"**{markdown_cell(report.name or report.file)}**: input {shape_text(report.input, layout)}, batch {report.batch}, {report.dtype}",
        "",
        "| layer | type | output | " + "".join(f"{m.column} | " for m in COLUMNS) + "RF |",
        "|---|---|---|" + "--:|" * len(COLUMNS) + "--:|",
    ]
    size = report.dtype_bytes
    previous = next(iter(report.inputs), "input")
    for line in table_lines(report, depth):
        if line.header:  # a block's rows follow it; Markdown lists them flat
            continue
        last = line.rows[-1]
        kind = f"{line.kind} ({layers_text(len(line.rows))})" if line.folded else line.kind
        reads = reads_from_outside(line.rows, previous)  # flat: what it reads besides the line above
        if reads:
            kind += " ← " + hint(reads)
        previous = last.name
        flag = "" if line.folded or last.exact else " ⚠ " + divisions_text(last)
        figures = "".join(f" {exact(m.unit, sum(m.row(r, size) for r in line.rows))} |" for m in COLUMNS)
        lines.append(
            f"| {markdown_cell(line.name)} | {markdown_cell(kind)} | {shape_text(last.output, layout, last.tokens)}{flag} |{figures} {rf_text(last.rf)} |"
        )
    t = report.totals
    parts = []
    for metric in METRICS:
        words = _MARKDOWN_TOTALS.get(metric.key, _markdown_total)
        if words is not None and (t[metric.key] or not metric.optional) and in_footer(metric, view):
            parts.append(words(metric, t))
    lines += ["", " · ".join(parts)]
    return "\n".join(lines) + "\n"


def _markdown_total(metric: Metric, t: Totals) -> str:
    return f"{metric.label}: {human(metric.unit, t[metric.key])}"


# How Markdown's last line words a total; None: said with another (or not at all).
# A metric not listed gets _markdown_total.
_MARKDOWN_TOTALS: dict[str, Callable[[Metric, Totals], str] | None] = {
    "params": lambda _, t: (
        f"Params: {grouped(t.params)} ({grouped(t.trainable)} trainable, {grouped(t.non_trainable)} non-trainable)"
    ),
    "trainable": None,
    "non_trainable": None,
    "macs": lambda _, t: f"MACs: {count(t.macs)}",
    "flops": None,
    "activations": None,
    "activation_bytes": lambda _, t: f"activations: {nbytes(t.activation_bytes)}",
    "param_bytes": lambda _, t: f"parameter memory: {nbytes(t.param_bytes)}",
    "inexact_layers": None,
}
