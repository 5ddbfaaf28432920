"""Machine formats (JSON, CSV) with exact integers, and Markdown for documents."""

from __future__ import annotations

import csv
import io
import json

from ..report import Report
from .units import count, divisions_text, grouped, nbytes, rf_text, shape_text


def render_json(report: Report, **_: object) -> str:
    return json.dumps(report.to_dict(), indent=2) + "\n"


CSV_COLUMNS = (
    "name",
    "type",
    "path",
    "depth",
    "output",
    "params",
    "trainable",
    "non_trainable",
    "macs",
    "activations",
    "exact",
    "rf_size",
    "rf_jump",
)


def render_csv(report: Report, **_: object) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.rows:
        rf = row.rf_dict()
        writer.writerow(
            [
                row.name,
                row.type,
                row.path,
                row.depth,
                "x".join(map(str, row.output)),
                row.params,
                row.trainable,
                row.non_trainable,
                row.macs,
                row.activations,
                str(row.exact).lower(),
                "x".join(map(str, rf["size"])) if rf else "",
                "x".join(map(str, rf["jump"])) if rf else "",
            ]
        )
    return out.getvalue()


def render_markdown(report: Report, layout: str = "nchw", **_: object) -> str:
    lines = [
        f"**{report.name or report.file}**: input {shape_text(report.input, layout)}, batch {report.batch}, {report.dtype}",
        "",
        "| layer | type | output | params | MACs | memory | RF |",
        "|---|---|---|--:|--:|--:|--:|",
    ]
    size = report.dtype_bytes
    for row in report.rows:
        flag = "" if row.exact else " ⚠ " + divisions_text(row)
        lines.append(
            f"| {row.name} | {row.summary} | {shape_text(row.output, layout)}{flag} | {grouped(row.params)} "
            f"| {grouped(row.macs)} | {nbytes(row.activations * size)} | {rf_text(row.rf)} |"
        )
    t = report.totals
    lines += [
        "",
        f"Params: {grouped(t.params)} ({grouped(t.trainable)} trainable, {grouped(t.non_trainable)} non-trainable) · "
        f"MACs: {count(t.macs)} · activations: {nbytes(t.activation_bytes)} · parameter memory: {nbytes(t.param_bytes)}",
    ]
    return "\n".join(lines) + "\n"
