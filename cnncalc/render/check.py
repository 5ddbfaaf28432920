"""``cnncalc check`` output: text (file:line:col, the source line, the fixes),
GitHub Actions annotations, or JSON. No rich: check must start fast."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..check import MAX_RERUN_LAYERS, FileResult, Finding, Fix, exit_code
from ..errors import SpecError
from ..metrics import BUDGETS, BYTES
from ..shapes import Division
from .diagnostics import format_error, format_warning
from .escape import visible
from .units import count, grouped, nbytes


def _grouped(divisions: Sequence[Division]) -> list[tuple[str, Division]]:
    """Axes with the same division text together: [('H, W', division), ...]."""
    groups: dict[str, list[Division]] = {}
    for d in divisions:
        groups.setdefault(d.text(), []).append(d)
    return [(", ".join(d.axis for d in ds), ds[0]) for ds in groups.values()]


# an input fix names this many inputs, then says how many more (each finding names them: 5,000
# inputs, each feeding an inexact layer, made 25 million names, past 60 s and 770 MiB)
NAMED_INPUTS = 8
_LINES = {"H": ("row", "rows"), "W": ("column", "columns"), "D": ("slice", "slices")}


def _lines(axes: str, n: int) -> str:
    """``n`` rows, columns, rows/columns (H, W together) or positions, by the axes' names."""
    words = [_LINES.get(axis, ("position", "positions"))[n != 1] for axis in axes.split(", ")]
    return f"{n} " + "/".join(dict.fromkeys(words))


def _consequence(axes: str, d: Division) -> str:
    """What the rounding costs: real input dropped, or only padding (or, rounding up, nothing)."""
    if d.ceil_mode:
        return f"rounded up to {d.out} (ceil_mode): the last window hangs over the padded input"
    head = f"floored to {d.out}: "
    lost = d.dropped_input
    if lost:
        what = f"the last {_lines(axes, lost)[2:]} of real input is" if lost == 1 else f"the last {_lines(axes, lost)}"
        return (
            head
            + f"{what}{' of real input are' if lost > 1 else ''} dropped (no window reaches {'it' if lost == 1 else 'them'})"
        )
    padding = d.pad_total - d.pad_before
    part = f"the {_lines(axes, padding)[2:]}" if padding == 1 else f"{d.dropped} of the {_lines(axes, padding)}"
    return head + f"only padding is dropped ({part} of padding at the end), no real input"


def _amount(budget: str, value: int) -> str:
    if BUDGETS[budget].unit == BYTES:
        return f"{nbytes(value)} ({grouped(value)} B)"
    return f"{grouped(value)} ({count(value)})"


def finding_message(finding: Finding) -> str:
    """What is wrong, in one line."""
    budget = finding.budget
    if budget is None:
        parts = [f"{axes}: {d.text()}, {_consequence(axes, d)}" for axes, d in _grouped(finding.divisions)]
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


def _shape(shape: Sequence[int]) -> str:
    return "×".join(map(str, shape))


def _output_change(fix: Fix) -> str:
    """Said first when a fix changes the layer's output size: ``(output 8×10×10 becomes 8×12×12) ``."""
    if not fix.changes_output:
        return ""
    outputs = list(dict.fromkeys(fix.outputs))
    changed = [o for o in outputs if o != fix.was]
    kept = "stays, or " if len(changed) < len(outputs) else ""  # one of the inputs keeps the size
    return f"(output {_shape(fix.was)} {kept}becomes {' or '.join(map(_shape, changed))}) "


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
    if fix.problem == "too_large":
        return (
            f"padding fixes not searched: too large to solve (over {MAX_RERUN_LAYERS:,} layers re-analysed); "
            "fix the first inexact layers and run check again"
        )
    if fix.problem == "error":
        if fix.value is None:
            return "no padding makes it exact"
        return f"'padding: {_padding_text(fix.value)}' would make it exact, but: {fix.error}"
    worse = fix.newly_inexact
    if worse:
        names = ", ".join(f"{r.type} '{r.name}' (line {r.loc.line})" for r in worse[:3])
        after = f"; but then {names} become{'s' if len(worse) == 1 else ''} inexact"
    elif fix.all_exact:
        after = "; every layer is then exact"
    else:
        after = "; no other layer becomes inexact"
    if fix.value == "same":
        sides = "; ".join(
            f"{axes}: {d.pad_before} before, {d.pad_total - d.pad_before} after" for axes, d in _grouped(fix.divisions)
        )
        return f"'padding: same' makes it exact and keeps the output {_shape(fix.was)} (it pads {sides}){after}"
    arithmetic = "; ".join(f"{axes}: {d.text()}" for axes, d in _grouped(fix.divisions))
    return f"{_output_change(fix)}'padding: {_padding_text(fix.value)}' makes it exact ({arithmetic}){after}"


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
    if fix.inputs:  # several inputs: each named, the others scaled with the first as sizes solved them
        more = f", and {len(fix.inputs[0]) - NAMED_INPUTS:,} more" if len(fix.inputs[0]) > NAMED_INPUTS else ""
        listed = " or ".join(
            ", ".join(f"{visible(n)} {_shape(s)}" for n, s in shapes[:NAMED_INPUTS]) + more for shapes in fix.inputs
        )
        return f"{_output_change(fix)}inputs {listed} make every layer exact ({rules})"
    listed = " or ".join("×".join(map(str, s)) for s in fix.value)
    return f"{_output_change(fix)}an input of {listed} makes every layer exact ({rules})"


def fix_text(fix: Fix) -> str:
    """One fix, in one line."""
    if fix.kind == "padding":
        return _padding_fix_text(fix)
    if fix.kind == "input":
        return _input_fix_text(fix)
    if fix.kind == "batch":
        if not fix.value:
            return "not even --batch 1 fits: a smaller model, input or --precision (cnncalc fit shows the figures)"
        return f"--batch {fix.value:,} is the largest that fits (cnncalc fit shows the figures)"
    if fix.ceil:
        return "or accept the rounding up: add 'allow_inexact: true' to this layer"
    if fix.padding_only:
        return (
            "only padding is dropped: add 'allow_inexact: true' to this layer, or run check with --allow-padding-drop"
        )
    lost = " and ".join(_lines(axes, d.dropped_input) for axes, d in _grouped(fix.divisions) if d.dropped_input)
    return f"or accept the floor, losing {lost} of real input: add 'allow_inexact: true' to this layer"


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
        # per axis: positions of the padded input the floor drops, and how many of them are real input
        "dropped": [{"axis": d.axis, "positions": d.dropped, "input": d.dropped_input} for d in finding.divisions],
        "fixes": [
            {"kind": fix.kind, "text": fix_text(fix), "value": fix.value, "changes_output": fix.changes_output}
            | _inputs_dict(fix)
            for fix in finding.fixes
        ],
    }


def _inputs_dict(fix: Fix) -> dict[str, Any]:
    """An input fix's inputs, the first NAMED_INPUTS of them (and how many more)."""
    if not fix.inputs:
        return {}
    named = {"inputs": [{n: list(s) for n, s in shapes[:NAMED_INPUTS]} for shapes in fix.inputs]}
    more = len(fix.inputs[0]) - NAMED_INPUTS
    return named | ({"inputs_not_named": more} if more > 0 else {})


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
            {"line": w.loc.line, "col": w.loc.col, "level": w.level, "code": w.code, "message": w.message}
            for w in result.warnings
        ],
        "totals": result.totals,
        "allowed_inexact": result.allowed,
        "allowed_padding_drop": result.padding_only,
    }


def _finding_text(finding: Finding, text: str | None) -> str:
    head = format_error(SpecError(finding_message(finding), finding.loc), text)
    return head + "".join(f"\n  fix: {visible(fix_text(fix))}" for fix in finding.fixes)


def summary_line(results: Sequence[FileResult]) -> str:
    files = len(results)
    unusable = sum(1 for r in results if r.error is not None)
    inexact = sum(1 for r in results for f in r.findings if f.code == "inexact")
    budgets = sum(1 for r in results for f in r.findings if f.code == "budget")
    allowed = sum(r.allowed for r in results)
    padding_only = sum(r.padding_only for r in results)
    head = f"checked {files} spec{'s' if files != 1 else ''}: "
    if not unusable and not inexact and not budgets:
        passed = [f"{allowed} inexact layer{'s' if allowed != 1 else ''} allowed by allow_inexact"] if allowed else []
        if padding_only:
            layers = f"{padding_only} inexact layer{'s' if padding_only != 1 else ''}"
            passed.append(f"{layers} dropping only padding allowed by --allow-padding-drop")
        return head + ("no problems (" + ", ".join(passed) + ")" if passed else "no problems, every layer exact")
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
            out.append(format_warning(warning))
        for finding in result.findings:
            out.append(_finding_text(finding, result.text))
    out.append(summary_line(results))
    return "\n".join(out) + "\n"


def _property(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")


def _data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def annotation(level: str, file: str, line: int, col: int, title: str, message: str) -> str:
    """``::error file=…,line=…,col=…,title=…::message`` (GitHub's workflow command).
    Control characters in the file name are escaped first (``\\x1b``): a CI log
    is read in a terminal too; the message's own are its caller's to escape."""
    where = f"file={_property(visible(file))}"
    if line > 0:
        where += f",line={line},col={max(col, 1)}"
    return f"::{level} {where},title={_property(title)}::{_data(message)}"


def render_github(results: Sequence[FileResult]) -> str:
    out = []
    for result in results:
        if result.error is not None:
            for e in result.errors:
                message = visible(e.message + (f"; {e.hint}" if e.hint else ""))
                out.append(annotation("error", e.loc.file, e.loc.line, e.loc.col, "cnncalc: unusable spec", message))
            continue
        for w in result.warnings:
            title = f"cnncalc {w.code}"
            out.append(annotation("warning", w.loc.file, w.loc.line, w.loc.col, title, visible(w.message)))
        for f in result.findings:
            title = "cnncalc: inexact layer" if f.code == "inexact" else "cnncalc: budget exceeded"
            # user text one line each (visible), then the fixes on lines of their own (%0A)
            message = visible(finding_message(f)) + "".join(f"\nfix: {visible(fix_text(fix))}" for fix in f.fixes)
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
