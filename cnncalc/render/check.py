"""``cnncalc check`` output: text (file:line:col, the source line, the fixes),
GitHub Actions annotations, or JSON. No rich: check must start fast."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..check import FileResult, Finding, Fix, exit_code
from ..errors import SpecError
from ..metrics import BUDGETS, BYTES
from ..shapes import Division
from .diagnostics import format_error
from .units import count, grouped, nbytes


def _grouped(divisions: Sequence[Division]) -> list[tuple[str, Division]]:
    """Axes with the same division text together: [('H, W', division), ...]."""
    groups: dict[str, list[Division]] = {}
    for d in divisions:
        groups.setdefault(d.text(), []).append(d)
    return [(", ".join(d.axis for d in ds), ds[0]) for ds in groups.values()]


def _consequence(d: Division) -> str:
    if d.ceil_mode:
        return f"rounded up to {d.out} (ceil_mode): the last window hangs over the padded input"
    rest = d.numerator % d.stride
    if rest == 1:
        return f"floored to {d.out}: the last position of the padded input never reaches a window"
    return f"floored to {d.out}: the last {rest} positions of the padded input never reach a window"


def _amount(budget: str, value: int) -> str:
    if BUDGETS[budget].unit == BYTES:
        return f"{nbytes(value)} ({grouped(value)} B)"
    return f"{grouped(value)} ({count(value)})"


def finding_message(finding: Finding) -> str:
    """What is wrong, in one line."""
    budget = finding.budget
    if budget is None:
        parts = [f"{axes}: {d.text()}, {_consequence(d)}" for axes, d in _grouped(finding.divisions)]
        return f"{finding.type} '{finding.layer}' is inexact on " + "; ".join(parts)
    word = BUDGETS[budget.metric].label
    value = finding.value
    message = (
        f"{word} {_amount(budget.metric, value)} {'exceed' if word.endswith('s') else 'exceeds'} "
        f"{budget.option} {budget.written} by {_amount(budget.metric, value - budget.limit)}"
    )
    if finding.top is not None:
        top = finding.top
        message += (
            f"; the largest is {top.type} '{top.name}' with {_amount(budget.metric, finding.share)}, "
            f"{100 * finding.share / value:.0f}%"
        )
    return message


def _padding_text(padding: int | tuple[int, ...]) -> str:
    return str(padding) if isinstance(padding, int) else "[" + ", ".join(map(str, padding)) + "]"


def _padding_fix_text(fix: Fix) -> str:
    if fix.problem == "no_integer_padding":
        return "no padding fixes it: this layer has no integer padding"
    if fix.problem == "parity":
        d = fix.divisions[0]
        axes = ", ".join(x.axis for x in fix.divisions)
        return (
            f"no padding makes it exact on {axes}: with stride {d.stride}, "
            f"{d.size} + 2·padding − {d.k_eff} is always odd"
        )
    if fix.problem == "error":
        if fix.value is None:
            return "no padding makes it exact"
        return f"'padding: {_padding_text(fix.value)}' would make it exact, but: {fix.error}"
    arithmetic = "; ".join(f"{axes}: {d.text()}" for axes, d in _grouped(fix.divisions))
    worse = fix.newly_inexact
    if worse:
        names = ", ".join(f"{r.type} '{r.name}' (line {r.loc.line})" for r in worse[:3])
        after = f"; but then {names} become{'s' if len(worse) == 1 else ''} inexact"
    elif fix.all_exact:
        after = "; every layer is then exact"
    else:
        after = "; no other layer becomes inexact"
    return f"'padding: {_padding_text(fix.value)}' makes it exact ({arithmetic}){after}"


def _input_fix_text(fix: Fix) -> str:
    if fix.problem == "blocked":
        a = next(a for a in fix.axes if a.empty)
        where = f" (after {a.blocker.type} '{a.blocker.name}', line {a.blocker.line})" if a.blocker else ""
        return f"no input size on {a.axis} makes every layer exact{where}"
    from .sizes import progression_text  # only for inexact layers: render/sizes imports json

    by_rule: dict[str, list[str]] = {}
    for a in fix.axes:
        by_rule.setdefault(progression_text(a), []).append(a.axis)
    rules = "; ".join(f"{', '.join(names)}: {rule}" for rule, names in by_rule.items())
    listed = " or ".join("×".join(map(str, s)) for s in fix.value)
    return f"an input of {listed} makes every layer exact ({rules})"


def fix_text(fix: Fix) -> str:
    """One fix, in one line."""
    if fix.kind == "padding":
        return _padding_fix_text(fix)
    if fix.kind == "input":
        return _input_fix_text(fix)
    return f"or accept the {'rounding up' if fix.ceil else 'floor'}: add 'allow_inexact: true' to this layer"


def _finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "file": finding.loc.file,
        "line": finding.loc.line,
        "col": finding.loc.col,
        "code": finding.code,
        "layer": finding.layer,
        "type": finding.type,
        "message": finding_message(finding),
        "divisions": [f"{axes}: {d.text()}" for axes, d in _grouped(finding.divisions)],
        "fixes": [{"kind": fix.kind, "text": fix_text(fix), "value": fix.value} for fix in finding.fixes],
    }


def result_dict(result: FileResult) -> dict[str, Any]:
    """One spec's outcome as ``check --format json`` writes it."""
    errors = [{"line": e.loc.line, "col": e.loc.col, "message": e.message, "hint": e.hint} for e in result.errors]
    return {
        "file": result.file,
        "ok": result.error is None and not result.findings,
        "error": errors[0] if errors else None,
        "errors": errors,
        "findings": [_finding_dict(f) for f in result.findings],
        "warnings": [
            {"line": w.loc.line, "col": w.loc.col, "level": w.level, "message": w.message} for w in result.warnings
        ],
        "totals": result.totals,
        "allowed_inexact": result.allowed,
    }


def _finding_text(finding: Finding, text: str | None) -> str:
    head = format_error(SpecError(finding_message(finding), finding.loc), text)
    return head + "".join(f"\n  fix: {fix_text(fix)}" for fix in finding.fixes)


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
            message = finding_message(f) + "".join(f"\nfix: {fix_text(fix)}" for fix in f.fixes)
            out.append(annotation("error", f.loc.file, f.loc.line, f.loc.col, title, message))
    out.append(summary_line(results))
    return "\n".join(out) + "\n"


def render_json(results: Sequence[FileResult]) -> str:
    import json  # only for --format json: not on every start

    data = {
        "files": [result_dict(r) for r in results],
        "summary": summary_line(results),
        "exit_code": exit_code(results),
    }
    return json.dumps(data, indent=2) + "\n"


RENDERERS = {"text": render_text, "github": render_github, "json": render_json}
