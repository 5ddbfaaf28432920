"""``cnncalc compare`` as an aligned text table, Markdown or JSON (no rich)."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from ..compare import Comparison, Hunk, Metric
from ..report import Row
from .escape import visible
from .units import exact, grouped, shape_text, type_label


def value_text(unit: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, tuple):
        return "×".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    return exact(unit, value)


def ratio_text(r: Fraction | None) -> str:
    if r is None:
        return "—"
    if r.denominator == 1:
        return grouped(r.numerator)
    x = float(r)
    decimal = f"{x:,.0f}" if x >= 100 else f"{x:.3g}"
    digits = 3
    while x < 100 and "." not in decimal and "e" not in decimal and digits < 12:  # 827/826 is not "1"
        digits += 1
        decimal = f"{x:.{digits}g}"
    if r.numerator <= 1000 and r.denominator <= 1000:
        return f"{decimal} ({r.numerator}/{r.denominator})"
    if x < 0.1:
        return f"{decimal} (≈1/{round(1 / x):,})"
    return decimal


def _header(comparison: Comparison) -> list[str]:
    lines = []
    for label, source, report in zip(comparison.labels, comparison.sources, comparison.reports):
        name = f": {visible(report.name)}," if report.name and report.name != source else ","
        lines.append(f"{label}  {visible(source)}{name} input {shape_text(report.input)}")
    return lines


def _cells(metric: Metric) -> list[str]:
    return [
        metric.label,
        *(value_text(metric.unit, v) for v in metric.values),
        *(ratio_text(r) for r in metric.ratios[1:]),
    ]


def _columns(comparison: Comparison) -> list[str]:
    first = comparison.labels[0]
    return ["", *comparison.labels, *(f"{label}/{first}" for label in comparison.labels[1:])]


def _row_cells(sign: str, row: Row, reads: bool = False) -> list[str]:
    """A layer of the diff; ``reads``: with what it reads, where that is the difference."""
    return [
        sign,
        visible(row.name),
        visible(type_label(row) + (" ← " + ", ".join(row.inputs) if reads else "")),
        shape_text(row.output, tokens=row.tokens) + ("" if row.exact else " ⚠ inexact"),
        f"{grouped(row.params)} params",
        f"{grouped(row.macs)} MACs",
        f"line {row.loc.line}",
    ]


def _diff_lines(hunks: tuple[Hunk, ...]) -> list[list[str]]:
    lines: list[list[str]] = []
    for hunk in hunks:
        if hunk.op == "equal":
            n = len(hunk.removed)
            names = ", ".join(visible(r.name) for r in hunk.added[:3]) + (", …" if n > 3 else "")
            lines.append(["=", f"{n} layer{'s' if n != 1 else ''} the same ({names})"])
            continue
        lines += [_row_cells("-", r, hunk.rewired) for r in hunk.removed]
        lines += [_row_cells("+", r, hunk.rewired) for r in hunk.added]
    return lines


def _align(rows: list[list[str]], right: set[int] | None = None) -> list[str]:
    right = right or set()
    widths: dict[int, int] = {}
    for row in rows:
        if len(row) > 2:
            for i, cell in enumerate(row):
                widths[i] = max(widths.get(i, 0), len(cell))
    out = []
    for row in rows:
        if len(row) <= 2:
            out.append("  ".join(row))
            continue
        cells = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        out.append("  ".join(cells).rstrip())
    return out


def _differences(comparison: Comparison) -> list[tuple[str, list[list[str]]]]:
    first = comparison.labels[0]
    sections: list[tuple[str, list[list[str]]]] = []
    for label, hunks, report in zip(comparison.labels[1:], comparison.diffs, comparison.reports[1:]):
        if all(h.op == "equal" for h in hunks):
            n = len(report.rows)
            title = f"Layers of {label} against {first}: the same ({n} layer{'s' if n != 1 else ''})"
            sections.append((title, []))
        else:
            sections.append(
                (f"Layers of {label} against {first} (- only in {first}, + only in {label}):", _diff_lines(hunks))
            )
    return sections


def render_table(comparison: Comparison, **_: object) -> str:
    lines = _header(comparison) + [""]
    n = len(comparison.labels)
    rows = [_columns(comparison)] + [_cells(m) for m in comparison.metrics]
    lines += _align(rows, right=set(range(1, 2 * n)))
    for title, diff_rows in _differences(comparison):
        lines += ["", title]
        lines += ["  " + line for line in _align(diff_rows, right={4, 5})]
    return "\n".join(lines) + "\n"


def render_markdown(comparison: Comparison, **_: object) -> str:
    lines = [f"- {line.replace('  ', ': ', 1)}" for line in _header(comparison)] + [""]
    columns = _columns(comparison)
    columns[0] = "metric"
    lines.append("| " + " | ".join(columns) + " |")
    lines.append("|---|" + "--:|" * (len(columns) - 1))
    for metric in comparison.metrics:
        lines.append("| " + " | ".join(_cells(metric)) + " |")
    for title, diff_rows in _differences(comparison):
        lines += ["", title]
        if diff_rows:
            lines += ["", "```diff", *_align(diff_rows, right={4, 5}), "```"]
    return "\n".join(lines) + "\n"


def _row_dict(row: Row) -> dict[str, Any]:
    return {
        "name": row.name,
        "type": row.type,
        "summary": type_label(row),
        "output": list(row.output),
        "inputs": list(row.inputs),
        "params": row.params,
        "macs": row.macs,
        "exact": row.exact,
        "line": row.loc.line,
    }


def _hunk_dict(hunk: Hunk) -> dict[str, Any]:
    if hunk.op == "equal":
        return {"op": "equal", "count": len(hunk.removed), "layers": [r.name for r in hunk.added]}
    found: dict[str, Any] = {
        "op": hunk.op,
        "removed": [_row_dict(r) for r in hunk.removed],
        "added": [_row_dict(r) for r in hunk.added],
    }
    if hunk.rewired:  # alike but for what they read
        found["rewired"] = True
    return found


def comparison_dict(comparison: Comparison) -> dict[str, Any]:
    """``compare --format json``: the specs, the metrics with their ratios, the differing layers."""
    return {
        "specs": [
            {
                "label": label,
                "source": source,
                "name": report.name,
                "input": list(report.input),
                "batch": report.batch,
                "dtype": report.dtype,
                "output": list(report.outputs.get("main", ())),
            }
            for label, source, report in zip(comparison.labels, comparison.sources, comparison.reports)
        ],
        "metrics": [m.to_dict() for m in comparison.metrics],
        "differences": [
            {"spec": comparison.labels[i + 1], "against": comparison.labels[0], "hunks": [_hunk_dict(h) for h in hunks]}
            for i, hunks in enumerate(comparison.diffs)
        ],
    }


def render_json(comparison: Comparison, **_: object) -> str:
    return json.dumps(comparison_dict(comparison), indent=2) + "\n"


def render_html(comparison: Comparison, **_: object) -> str:
    from .html_compare import render_compare_html

    return render_compare_html(comparison)


RENDERERS = {"table": render_table, "markdown": render_markdown, "json": render_json, "html": render_html}
