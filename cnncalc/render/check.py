"""``cnncalc check`` output: text (file:line:col, the source line, the fixes),
GitHub Actions annotations, or JSON. No rich: check must start fast."""

from __future__ import annotations

from collections.abc import Sequence

from ..check import FileResult, Finding, exit_code
from ..errors import SpecError
from .diagnostics import format_error


def _finding_text(finding: Finding, text: str | None) -> str:
    head = format_error(SpecError(finding.message, finding.loc), text)
    return head + "".join(f"\n  fix: {fix.text}" for fix in finding.fixes)


def summary_line(results: Sequence[FileResult]) -> str:
    files = len(results)
    unusable = sum(1 for r in results if r.error is not None)
    inexact = sum(1 for r in results for f in r.findings if f.code == "inexact")
    budgets = sum(1 for r in results for f in r.findings if f.code == "budget")
    allowed = sum(r.allowed for r in results)
    head = f"checked {files} spec{'s' if files != 1 else ''}: "
    if not unusable and not inexact and not budgets:
        note = f" ({allowed} inexact layer{'s' if allowed != 1 else ''} allowed by allow_inexact)" if allowed else ""
        return head + f"no problems, every layer exact{note}"
    parts = []
    if inexact:
        parts.append(f"{inexact} inexact layer{'s' if inexact != 1 else ''}")
    if budgets:
        parts.append(f"{budgets} budget{'s' if budgets != 1 else ''} exceeded")
    if unusable:
        parts.append(f"{unusable} spec{'s' if unusable != 1 else ''} could not be analysed")
    return head + ", ".join(parts)


def render_text(results: Sequence[FileResult]) -> str:
    out = []
    for result in results:
        if result.error is not None:
            out += [format_error(error, result.text) for error in result.errors]
            continue
        for warning in result.warnings:
            out.append(str(warning))
        for finding in result.findings:
            out.append(_finding_text(finding, result.text))
    out.append(summary_line(results))
    return "\n".join(out) + "\n"


def _property(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")


def _data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def annotation(level: str, file: str, line: int, col: int, title: str, message: str) -> str:
    """``::error file=…,line=…,col=…,title=…::message`` (GitHub's workflow command)."""
    where = f"file={_property(file)}"
    if line > 0:
        where += f",line={line},col={max(col, 1)}"
    return f"::{level} {where},title={_property(title)}::{_data(message)}"


def render_github(results: Sequence[FileResult]) -> str:
    out = []
    for result in results:
        if result.error is not None:
            for e in result.errors:
                message = e.message + (f"; {e.hint}" if e.hint else "")
                out.append(annotation("error", e.loc.file, e.loc.line, e.loc.col, "cnncalc: unusable spec", message))
            continue
        for w in result.warnings:
            out.append(annotation("warning", w.loc.file, w.loc.line, w.loc.col, "cnncalc", w.message))
        for f in result.findings:
            title = "cnncalc: inexact layer" if f.code == "inexact" else "cnncalc: budget exceeded"
            message = f.message + "".join(f"\nfix: {fix.text}" for fix in f.fixes)
            out.append(annotation("error", f.loc.file, f.loc.line, f.loc.col, title, message))
    out.append(summary_line(results))
    return "\n".join(out) + "\n"


def render_json(results: Sequence[FileResult]) -> str:
    import json  # only for --format json: not on every start

    data = {
        "files": [r.to_dict() for r in results],
        "summary": summary_line(results),
        "exit_code": exit_code(results),
    }
    return json.dumps(data, indent=2) + "\n"


RENDERERS = {"text": render_text, "github": render_github, "json": render_json}
