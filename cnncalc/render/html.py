"""``--format html``: one self-contained page (no network, no external script,
style or font) holding the title, the layer table with collapsible blocks and
exact figures on hover, the pictures, and the totals with their conventions.
The notebook's ``_repr_html_`` is the same page without its chrome
(:func:`report_fragment`).

Every string from a spec goes through :func:`text` (control characters
written as escapes, then HTML-escaped); the page is ASCII, every other
character a reference, so no output encoding can spoil it."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterator

from ..graph import Group
from ..metrics import BYTES, Metric, columns as figure_columns
from ..report import Report, Row
from ..shapes import axis_names
from .escape import visible
from .html_assets import SCRIPT, STYLE
from .table import footer
from .units import divisions_text, grouped, heading, human, layers_text, rf_text, shape_text, type_label
from .wiring import read_names


def text(value: object) -> str:
    """User text made safe for HTML, in an element or an attribute."""
    return html.escape(visible(str(value)), quote=True)


def ascii_page(markup: str) -> str:
    """Every non-ASCII character as a numeric reference (outside <script> and <style>, which hold none)."""
    return markup.encode("ascii", "xmlcharrefreplace").decode("ascii")


def page(title: str, body: str) -> str:
    """A whole document around ``body`` (already markup)."""
    return ascii_page(
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{text(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def render_html(
    report: Report, *, layout: str = "nchw", depth: int | None = None, view: str = "default", **_: object
) -> str:
    """``summary --format html``: the report as a page. ``depth``: blocks deeper start closed;
    ``view``: the figure columns and footer of ``--view``."""
    title = f"{report.name or report.file} - cnncalc"
    return page(title, _report_body(report, layout, depth, view, style=False))


def report_fragment(report: Report, *, layout: str = "nchw", depth: int | None = None) -> str:
    """The report without the page around it, its style inside (a notebook cell's output)."""
    return ascii_page(_report_body(report, layout, depth, "default", style=True))


def _report_body(report: Report, layout: str, depth: int | None, view: str, *, style: bool) -> str:
    parts = ['<div class="cnncalc">\n']
    if style:
        parts.append(f"<style>{STYLE}</style>\n")
    parts.append(f"<h1>{text(report.name or report.file)}</h1>\n")
    meta = text(f"{_inputs_text(report, layout)}, batch {report.batch}, {report.dtype}")
    if report.name and report.file and report.file != report.name:
        meta += f" &middot; {text(report.file)}"
    parts.append(f'<p class="meta">{meta}</p>\n')
    parts.extend(_warnings(report))
    parts.extend(_pictures(report, layout))
    parts.append("<h2>Layers</h2>\n")
    if report.groups:
        parts.append(
            '<div class="tools"><button type="button" data-open="1">Open all blocks</button>'
            '<button type="button" data-open="0">Close all blocks</button></div>\n'
        )
    parts.append('<div class="scroll">\n<table class="layers">\n')
    parts.extend(_layer_table(report, layout, depth, view))
    parts.append("</table>\n</div>\n")
    parts.extend(_totals(report, layout, view))
    parts.append(f"<script>{SCRIPT}</script>\n</div>\n")
    return "".join(parts)


def _inputs(report: Report) -> dict[str, tuple[int, ...]]:
    return dict(report.inputs) if len(report.inputs) > 1 else {"input": report.input}


def _inputs_text(report: Report, layout: str) -> str:
    """'input 3×224×224', or with several inputs 'inputs image 3×64×64, depth 1×64×64', as the table's title."""
    inputs = _inputs(report)
    if len(inputs) == 1:
        return f"input {shape_text(report.input, layout)}"
    return "inputs " + ", ".join(f"{name} {shape_text(shape, layout)}" for name, shape in inputs.items())


def _warnings(report: Report) -> Iterator[str]:
    if report.warnings:
        yield '<ul class="warn">\n'
        yield from (f"<li>{text(warning)}</li>\n" for warning in report.warnings)
        yield "</ul>\n"


# --- the layer table ----------------------------------------------------------------------------


def _cell(metric: Metric, value: int, layer: bool) -> str:
    """A figure at a glance, exact on hover; blank for nothing (a layer's params say 0)."""
    if not value:
        return '<td class="num">0</td>' if layer and metric.key == "params" else '<td class="num"></td>'
    full = f"{grouped(value)} B" if metric.unit == BYTES else grouped(value)
    return f'<td class="num" title="{full} {text(metric.label)}">{human(metric.unit, value)}</td>'


def _headings(report: Report, layout: str, columns: tuple[Metric, ...]) -> str:
    axes = ", ".join(axis_names(len(report.input) - 1)) if len(report.input) > 1 else ""
    output = "Output"
    if axes:
        output = f"Output (N, {axes}, C)" if layout == "nhwc" else f"Output (C, {axes})"
    cells = ["Layer", "Type", output, *(heading(m.column) for m in columns), "RF /jump"]
    classes = ["", "", "", *(' class="num"' for _ in columns), ' class="num"']
    return "<thead><tr>" + "".join(f"<th{c}>{text(h)}</th>" for c, h in zip(classes, cells)) + "</tr></thead>\n"


def _ancestry(groups: tuple[Group, ...]) -> list[tuple[int, ...]]:
    """Each group's chain of groups, outermost first, itself last."""
    chains: list[tuple[int, ...]] = []
    for group in groups:  # a parent is made before its children
        parent = chains[group.parent] if group.parent is not None and group.parent < len(chains) else ()
        chains.append((*parent, group.id))
    return chains


def _layer_table(report: Report, layout: str, depth: int | None, view: str) -> Iterator[str]:
    columns = figure_columns(report.totals, view)
    size = report.dtype_bytes
    yield _headings(report, layout, columns)
    yield "<tbody>\n"
    yield from _input_rows(report, layout, columns, size)
    chains = _ancestry(report.groups)
    members: dict[int, list[Row]] = {}
    for row in report.rows:
        for group_id in chains[row.group] if row.group is not None else ():
            members.setdefault(group_id, []).append(row)
    opened: set[int] = set()
    reads = read_names(report)
    for index, row in enumerate(report.rows):
        chain = chains[row.group] if row.group is not None else ()
        for at, group_id in enumerate(chain):
            if group_id not in opened:
                opened.add(group_id)
                group = report.groups[group_id]
                yield _group_row(group, chain[:at], members[group_id], layout, columns, size, depth)
        yield _row(index, row, reads[index], chain, layout, columns, size)
    yield "</tbody>\n"


def _input_rows(report: Report, layout: str, columns: tuple[Metric, ...], size: int) -> Iterator[str]:
    """A row per input of the spec, under its name, as the table has them."""
    inputs = _inputs(report)
    for name, shape in inputs.items():
        elements = report.input_activations if len(inputs) == 1 else math.prod(shape) * report.batch
        figures = "".join(_cell(m, m.input(elements, size), False) for m in columns)
        rf = "1 /1" if len(shape) > 1 else "all"
        yield (
            f'<tr class="input"><td class="name">{text(name)}</td><td></td>'
            f'<td>{text(shape_text(shape, layout))}</td>{figures}<td class="num">{rf}</td></tr>\n'
        )


def _data_in(chain: tuple[int, ...]) -> str:
    return f' data-in="{" ".join(map(str, chain))}"' if chain else ""


def _group_row(
    group: Group,
    outer: tuple[int, ...],
    rows: list[Row],
    layout: str,
    columns: tuple[Metric, ...],
    size: int,
    depth: int | None,
) -> str:
    """A block's header: its label as the fold button, the sums of its rows."""
    level = group.depth - 1
    last = rows[-1]
    start = ' data-start="closed"' if depth is not None and level >= depth else ""
    name = text(group.label.rsplit(".", 1)[-1] if level > 0 else group.label)
    figures = "".join(_cell(m, sum(m.row(r, size) for r in rows), False) for m in columns)
    return (
        f'<tr class="group" data-g="{group.id}"{_data_in(outer)}{start}>'
        f'<td class="name" style="--d:{level}" title="{text(group.label)}">'
        f'<button type="button" aria-expanded="true">{name}</button></td>'
        f'<td class="muted">{text(group.kind)} ({layers_text(len(rows))})</td>'
        f"<td>{text(shape_text(last.output, layout, last.tokens))}</td>{figures}"
        f'<td class="num">{text(rf_text(last.rf))}</td></tr>\n'
    )


def _row(
    index: int,
    row: Row,
    reads: tuple[str, ...],
    chain: tuple[int, ...],
    layout: str,
    columns: tuple[Metric, ...],
    size: int,
) -> str:
    """One layer: its name (the block's prefix dropped inside it), type, output and figures."""
    name = row.name.rsplit(".", 1)[-1] if row.depth > 0 else row.name
    kind = type_label(row)
    if reads:  # a merge names the rows it joins, a row reading another than the row above names it
        kind += " \u2190 " + ", ".join(reads)
    output = text(shape_text(row.output, layout, row.tokens))
    flag = ""
    if not row.exact:
        flag = ' class="allowed"' if row.allow_inexact else ' class="inexact"'
        output += f' <span title="{text(divisions_text(row))}">\u26a0</span>'
    figures = "".join(_cell(m, m.row(row, size), True) for m in columns)
    where = f"{row.name} (line {row.loc.line})"
    return (
        f'<tr id="r{index}"{flag}{_data_in(chain)}><td class="name" style="--d:{row.depth}" title="{text(where)}">'
        f"{text(name)}</td><td>{text(kind)}</td><td>{output}</td>{figures}"
        f'<td class="num">{text(rf_text(row.rf))}</td></tr>\n'
    )


# --- the totals ----------------------------------------------------------------------------------

_FOOTER_LINE = re.compile(r"^([A-Z][A-Za-z -]{0,17}):\s*(.*)$")


def _totals(report: Report, layout: str, view: str) -> Iterator[str]:
    """The table's footer, line by line: each total with its explanation, then the conventions."""
    yield '<h2>Totals</h2>\n<table class="totals">\n'
    notes = []
    for line in footer(report, layout, view).split("\n"):
        found = _FOOTER_LINE.match(line)
        if found and found.group(1) != "Units":
            value = re.sub(r" {2,}", " ", found.group(2).strip())
            yield f"<tr><td>{text(found.group(1))}</td><td>{text(value)}</td></tr>\n"
        else:
            notes.append(line)
    yield "</table>\n"
    for note in notes:
        kind = "warn" if note.startswith("\u26a0") else "conventions"
        yield f'<p class="{kind}">{text(note)}</p>\n'


# --- the pictures (render/draw's SVG, inline) -----------------------------------------------------

_SVG_NAMESPACE = ' xmlns="http://www.w3.org/2000/svg"'  # an HTML page's inline <svg> needs none
_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
_SELECTORS = re.compile(r"([^{}]+)\{")
CHART_BARS = 40  # a chart folds its blocks until it draws at most this many bars


def inline_svg(svg: str, scope: str) -> str:
    """A standalone SVG made part of a page: no namespace, its style rules kept to
    its own figure (an SVG's <style> inside HTML styles the whole page)."""

    def scoped(style: re.Match[str]) -> str:
        rules = _SELECTORS.sub(
            lambda m: ",".join(f"{scope} {s.strip()}" for s in m.group(1).split(",")) + "{", style.group(1)
        )
        return f"<style>{rules}</style>"

    return _STYLE.sub(scoped, svg.replace(_SVG_NAMESPACE, "", 1))


def _chart_depth(report: Report, metrics: list[str]) -> int | None:
    """The deepest folding (None: none) whose chart has at most CHART_BARS bars."""
    from .draw.chart import chart_metric, chart_rows

    declared = [chart_metric(name) for name in metrics]
    deepest = max((row.depth for row in report.rows), default=0)
    for depth in range(deepest, -1, -1):
        if len(chart_rows(report, declared, depth)) <= CHART_BARS:
            return None if depth == deepest else depth
    return 0


def _pictures(report: Report, layout: str) -> Iterator[str]:
    from .draw import chart_svg, diagram_svg

    diagram = diagram_svg(report, layout=layout, ids="diagram")
    yield '<h2>Architecture</h2>\n<figure class="diagram">\n'
    yield inline_svg(diagram, ".cnncalc figure.diagram") + "</figure>\n"
    metrics = ["params", "memory"]
    chart = chart_svg(report, metrics, depth=_chart_depth(report, metrics), ids="chart")
    yield '<h2>Where the parameters and the memory are</h2>\n<figure class="chart">\n'
    yield inline_svg(chart, ".cnncalc figure.chart") + "</figure>\n"
