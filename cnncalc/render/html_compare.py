"""``compare --format html``: the specs side by side as one self-contained
page, each figure exact with its ratio to the first, then where the layers
differ (a collapsible section per spec), in the words of ``render/compare.py``."""

from __future__ import annotations

from collections.abc import Iterator

from ..compare import Comparison
from ..metrics import BYTES
from .compare import _differences, ratio_text, value_text
from .html import inline_svg, page, text
from .units import grouped, shape_text


def render_compare_html(comparison: Comparison, **_: object) -> str:
    names = [report.name or source for source, report in zip(comparison.sources, comparison.reports)]
    title = "Compare " + " / ".join(names)
    body = '<div class="cnncalc">\n' + "".join(_body(comparison, title)) + "</div>\n"
    return page(f"{title} - cnncalc", body)


def _body(comparison: Comparison, title: str) -> Iterator[str]:
    yield f'<h1>{text(title)}</h1>\n<ul class="specs">\n'
    for label, source, report in zip(comparison.labels, comparison.sources, comparison.reports):
        name = f": {report.name}" if report.name and report.name != source else ""
        line = f"{source}{name}, input {shape_text(report.input)}, batch {report.batch}, {report.dtype}"
        yield f"<li><b>{text(label)}</b> {text(line)}</li>\n"
    yield "</ul>\n<h2>Figures</h2>\n"
    yield from _figures(comparison)
    yield from _chart(comparison)
    yield "<h2>Layers</h2>\n"
    for title_line, rows in _differences(comparison):
        yield f"<details open>\n<summary>{text(title_line)}</summary>\n"
        if rows:
            yield '<div class="scroll">\n<table class="diff">\n<tbody>\n'
            for cells in rows:
                yield _diff_row(cells)
            yield "</tbody>\n</table>\n</div>\n"
        yield "</details>\n"


def _chart(comparison: Comparison) -> Iterator[str]:
    """The totals side by side as bars (render/draw's compare chart), inline."""
    from .draw import compare_chart_svg

    names = [
        f"{label} {report.name or source}"
        for label, source, report in zip(comparison.labels, comparison.sources, comparison.reports)
    ]
    chart = compare_chart_svg(comparison.reports, names, ids="compare")
    yield f'<figure class="chart">\n{inline_svg(chart, ".cnncalc figure.chart")}</figure>\n'


def _figures(comparison: Comparison) -> Iterator[str]:
    first = comparison.labels[0]
    columns = ["", *comparison.labels, *(f"{label}/{first}" for label in comparison.labels[1:])]
    yield '<div class="scroll">\n<table class="figures">\n<thead><tr>'
    yield "".join(f'<th class="num">{text(c)}</th>' if c else "<th></th>" for c in columns)
    yield "</tr></thead>\n<tbody>\n"
    for metric in comparison.metrics:
        cells = [f"<td>{text(metric.label)}</td>"]
        for value in metric.values:
            exact = f"{grouped(value)} B" if metric.unit == BYTES and isinstance(value, int) else ""
            hover = f' title="{text(exact)}"' if exact else ""
            cells.append(f'<td class="num"{hover}>{text(value_text(metric.unit, value))}</td>')
        cells += [f'<td class="num">{text(ratio_text(r))}</td>' for r in metric.ratios[1:]]
        yield "<tr>" + "".join(cells) + "</tr>\n"
    yield "</tbody>\n</table>\n</div>\n"


def _diff_row(cells: list[str]) -> str:
    """A '-' or '+' layer, or '=' with the count of layers both have."""
    sign = cells[0]
    kind = {"-": "removed", "+": "added"}.get(sign, "same")
    if len(cells) <= 2:
        return f'<tr class="{kind}"><td>{text(sign)}</td><td colspan="6">{text(cells[1])}</td></tr>\n'
    numbers = {4, 5}  # params and MACs
    row = "".join(f"<td{_NUM if i in numbers else ''}>{text(c)}</td>" for i, c in enumerate(cells))
    return f'<tr class="{kind}">{row}</tr>\n'


_NUM = ' class="num"'
