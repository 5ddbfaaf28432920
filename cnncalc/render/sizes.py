"""``cnncalc sizes`` as text and JSON: the input sizes that make every layer exact."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..report import Report
from ..sizes import AxisSizes, InputScale
from .escape import visible


def progression_text(axis: AxisSizes) -> str:
    """'32k', '32k + 31', '8k + {0, 5, 6, 7}', 'any size', 'only 1', 'none'."""
    if axis.empty:
        return "none"
    parts = []
    if axis.classes:
        offsets = sorted(c.offset for c in axis.classes)
        if axis.step == 1:
            parts.append("any size")
        elif len(offsets) == 1:
            parts.append(f"{axis.step}k" + (f" + {offsets[0]}" if offsets[0] else ""))
        else:
            parts.append(f"{axis.step}k + {{{', '.join(map(str, offsets))}}}")
    if axis.points:
        parts.append(("only " if not axis.classes else "") + ", ".join(map(str, axis.points)))
    return " or ".join(parts)


def examples(axis: AxisSizes, around: int) -> str:
    """'32, 64, … 224, 256, …': the two smallest fitting sizes and those around ``around``."""
    if axis.empty:
        return ""
    values: list[int] = []
    first = axis.next_fit(1)
    if first is not None:
        values.append(first)
        second = axis.next_fit(first + 1)
        if second is not None:
            values.append(second)
    below = axis.prev_fit(around)
    if below is not None:
        values.append(below)
    start = around + 1 if below == around else around
    above = axis.next_fit(start)
    if above is not None:
        values.append(above)
    values = sorted(set(values))
    text = ""
    for i, value in enumerate(values):
        if i and axis.next_fit(values[i - 1] + 1) != value:
            text += ", … "
        elif i:
            text += ", "
        text += str(value)
    return text + (", …" if axis.classes else "")


def _near(axis: AxisSizes, size: int) -> dict[str, Any]:
    return {"size": size, "fits": axis.fits(size), "below": axis.prev_fit(size), "above": axis.next_fit(size)}


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else f"−{-n}"


def _ratio(scale: InputScale) -> str:
    """' the same', ' / 2', ' × 3/4': the other input's size next to the first's."""
    if scale.num == scale.den:
        return " the same"
    if scale.num == 1:
        return f" / {scale.den}"
    return f" × {scale.num}" + (f"/{scale.den}" if scale.den > 1 else "")


def inputs_text(report: Report, axes: Sequence[AxisSizes]) -> str:
    """How the other inputs follow the first: 'depth (line 3) scales with image: H, W the same;
    cond (line 4) keeps H, W of 1 (it broadcasts)'; "" with one input."""
    first = visible(next(iter(report.inputs), "input"))
    by_input: dict[str, dict[str, list[str]]] = {}  # name → how → axes
    lines: dict[str, int] = {}
    for axis in axes:
        for scale in axis.inputs:
            lines[scale.name] = scale.line
            if scale.kept == "rank":
                how = f"keeps its size (another rank than {first}: sizes does not solve it)"
            elif scale.kept:
                how = "keeps {axes} of 1 (it broadcasts)"
            else:
                how = f"scales with {first}: {{axes}}{_ratio(scale)}"
            by_input.setdefault(scale.name, {}).setdefault(how, []).append(axis.axis)
    parts = []
    for name, hows in by_input.items():
        where = f" (line {lines[name]})" if lines[name] else ""
        said = "; ".join(how.format(axes=", ".join(names)) for how, names in hows.items())
        parts.append(f"{visible(name)}{where} {said}")
    return "; ".join(parts)


def _inputs_shown(report: Report, axes: Sequence[AxisSizes]) -> str:
    """'3×224×224', or with several inputs 'image 3×64×64, depth 1×64×64'."""
    if len(report.inputs) < 2:
        return "input " + "×".join(map(str, report.input))
    return "inputs " + ", ".join(f"{visible(n)} {'×'.join(map(str, s))}" for n, s in report.inputs.items())


def render_text(report: Report, axes: Sequence[AxisSizes], near: int | None = None) -> str:
    title = visible(report.name or report.file)
    shape = "×".join(map(str, report.input))
    if not axes:
        return f"{title}: input {shape} has no spatial axes; every size is exact\n"
    lines = [f"{title} — input sizes for which every layer is exact:"]
    for axis, size in zip(axes, report.input[1:]):
        if axis.empty:
            line = f"{axis.axis}: none"
            if axis.blocker:
                b = axis.blocker
                line += f" — {visible(b.type)} '{visible(b.name)}' (line {b.line}): {visible(b.reason)}"
            lines.append(line)
            continue
        lines.append(f"{axis.axis}: {progression_text(axis)} ({examples(axis, size)})")
    others = inputs_text(report, axes)
    if others:
        lines.append(f"Sizes are {visible(next(iter(report.inputs)))}'s; {others}.")
    fits = [a.fits(n) for a, n in zip(axes, report.input[1:])]
    shown, several = _inputs_shown(report, axes), len(report.inputs) > 1
    if all(fits):
        lines.append(f"The {shown} {'fit' if several else 'fits'}.")
    else:
        wrong = ", ".join(f"{a.axis} = {n}" for a, n, ok in zip(axes, report.input[1:], fits) if not ok)
        lines.append(f"The {shown} {'do' if several else 'does'} not fit ({wrong}).")
    if near is not None:
        for axis in axes:
            info = _near(axis, near)
            if info["fits"]:
                lines.append(f"{axis.axis}: {near} fits")
                continue
            found = [f"{v} ({_signed(v - near)})" for v in (info["below"], info["above"]) if v is not None]
            lines.append(f"{axis.axis}: {near} does not fit; nearest: " + (" and ".join(found) if found else "none"))
    return "\n".join(lines) + "\n"


def render_json(report: Report, axes: Sequence[AxisSizes], near: int | None = None) -> str:
    items = []
    for axis, size in zip(axes, report.input[1:]):
        item = axis.to_dict()
        item["input"] = size
        item["input_fits"] = axis.fits(size)
        if near is not None:
            item["near"] = _near(axis, near)
        items.append(item)
    data: dict[str, Any] = {"name": report.name, "file": report.file, "input": list(report.input)}
    if len(report.inputs) > 1:
        data["inputs"] = {name: list(shape) for name, shape in report.inputs.items()}
    data["axes"] = items
    return json.dumps(data, indent=2) + "\n"
