"""``cnncalc check``: what fails a spec in CI, each with concrete fixes.

A finding is an inexact layer (a size division with a remainder, without
``allow_inexact: true``) or an exceeded budget. Each inexact layer comes with
the padding that makes it exact (verified by re-running the engine with it),
the nearest input sizes for which every layer is exact (solved by
:mod:`cnncalc.sizes`), and ``allow_inexact``. Pure: the CLI reads the files
and prints. Nothing here imports rich.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .engine import run
from .errors import Diagnostic, SourceLoc, SpecError, SpecErrors
from .graph import Graph
from .loader import MAX_LAYERS, load
from .record import record, replace as replace_record
from .render.units import count, grouped, nbytes
from .report import Report, Row
from .shapes import Division

if TYPE_CHECKING:
    from .sizes import AxisSizes

# --- budgets ---------------------------------------------------------------------

_COUNT_UNITS = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}
_BYTE_UNITS = {
    "": 1,
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}
_AMOUNT = re.compile(r"^\s*(\d[\d_,]*(?:\.\d+)?)\s*([A-Za-z]*)\s*$")


def parse_amount(text: str, *, in_bytes: bool = False) -> int:
    """'5M' → 5_000_000, '1.5G' → 1_500_000_000; with ``in_bytes``, '100MiB' →
    104_857_600 and '100MB' → 100_000_000. Raises ValueError with a hint."""
    units = _BYTE_UNITS if in_bytes else _COUNT_UNITS
    match = _AMOUNT.match(text)
    unit = match.group(2).lower() if match else ""
    if not match or unit not in units:
        expected = (
            "100MiB, 1.5GiB, 500MB or a number of bytes" if in_bytes else "5M, 600M, 1.5G, 250k or a plain number"
        )
        raise ValueError(f"'{text}' is not an amount like {expected}")
    value = Fraction(match.group(1).replace("_", "").replace(",", "")) * units[unit]
    return int(value)


@record
class Budget:
    """A CI guardrail: ``metric`` ('params', 'macs' or 'memory') at most ``limit``."""

    metric: str
    limit: int
    written: str

    @property
    def option(self) -> str:
        return f"--max-{self.metric}"


def _total(report: Report, metric: str) -> int:
    t = report.totals
    return {"params": t.params, "macs": t.macs, "memory": t.activation_bytes}[metric]


def _row_share(row: Row, metric: str, report: Report) -> int:
    if metric == "params":
        return row.params
    if metric == "macs":
        return row.macs
    return row.activations * report.dtype_bytes


def _amount_text(metric: str, value: int) -> str:
    if metric == "memory":
        return f"{nbytes(value)} ({grouped(value)} B)"
    return f"{grouped(value)} ({count(value)})"


_METRIC_WORDS = {"params": "params", "macs": "MACs", "memory": "activation memory"}


# --- findings --------------------------------------------------------------------


@record
class Fix:
    kind: str  # "padding", "input" or "allow_inexact"
    text: str
    value: Any = None  # the padding to write; the input shapes to use

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "value": self.value}


@record
class Finding:
    loc: SourceLoc
    code: str  # "inexact" or "budget"
    message: str
    layer: str | None = None
    type: str | None = None
    divisions: tuple[str, ...] = ()  # as written: "(224 + 2·0 − 5) / 2 + 1 = 110.5"
    fixes: tuple[Fix, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.loc.file,
            "line": self.loc.line,
            "col": self.loc.col,
            "code": self.code,
            "layer": self.layer,
            "type": self.type,
            "message": self.message,
            "divisions": list(self.divisions),
            "fixes": [fix.to_dict() for fix in self.fixes],
        }


@record(slots=False)
class FileResult:
    """One spec's outcome: unusable (``error``), or analysed with findings."""

    file: str
    text: str | None = None
    error: SpecError | None = None
    findings: tuple[Finding, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    totals: dict[str, int] | None = None
    allowed: int = 0  # inexact layers that say allow_inexact: true

    @property
    def errors(self) -> list[SpecError]:
        """Every mistake found in an unusable spec, in the order of the file."""
        if isinstance(self.error, SpecErrors):
            return list(self.error.errors)
        return [] if self.error is None else [self.error]

    def to_dict(self) -> dict[str, Any]:
        errors = [{"line": e.loc.line, "col": e.loc.col, "message": e.message, "hint": e.hint} for e in self.errors]
        return {
            "file": self.file,
            "ok": self.error is None and not self.findings,
            "error": errors[0] if errors else None,
            "errors": errors,
            "findings": [f.to_dict() for f in self.findings],
            "warnings": [
                {"line": w.loc.line, "col": w.loc.col, "level": w.level, "message": w.message} for w in self.warnings
            ],
            "totals": self.totals,
            "allowed_inexact": self.allowed,
        }


def exit_code(results: Iterable[FileResult]) -> int:
    """2 if any spec cannot be analysed, else 1 if any finding, else 0."""
    results = list(results)
    if any(r.error is not None for r in results):
        return 2
    return 1 if any(r.findings for r in results) else 0


@record(slots=False)
class Options:
    batch: int = 1
    dtype: str | None = None
    input: tuple[int, ...] | None = None
    budgets: tuple[Budget, ...] = ()
    overrides: Mapping[str, Any] | None = None  # --set name=value
    max_layers: int = MAX_LAYERS


DEFAULTS = Options()


def check_text(text: str, file: str, options: Options = DEFAULTS) -> FileResult:
    """Analyse one spec's text; never raises on a bad spec."""
    try:
        graph = load(text, file, overrides=options.overrides, max_layers=options.max_layers, every_error=True)
        report = run(graph, batch=options.batch, dtype=options.dtype, input=options.input)
    except SpecError as error:
        return FileResult(file, text, error)
    findings = inexact_findings(graph, report, options) + budget_findings(report, options.budgets)
    allowed = sum(1 for r in report.rows if not r.exact and r.allow_inexact)
    return FileResult(file, text, None, tuple(findings), report.warnings, report.totals.to_dict(), allowed)


def budget_findings(report: Report, budgets: Sequence[Budget]) -> list[Finding]:
    findings = []
    for budget in budgets:
        value = _total(report, budget.metric)
        if value <= budget.limit:
            continue
        word = _METRIC_WORDS[budget.metric]
        message = (
            f"{word} {_amount_text(budget.metric, value)} {'exceeds' if budget.metric == 'memory' else 'exceed'} "
            f"{budget.option} {budget.written} "
            f"by {_amount_text(budget.metric, value - budget.limit)}"
        )
        loc = SourceLoc(report.file, 1, 1)
        top = max(report.rows, key=lambda r: _row_share(r, budget.metric, report), default=None)
        if top is not None and _row_share(top, budget.metric, report) > 0:
            share = _row_share(top, budget.metric, report)
            message += (
                f"; the largest is {top.type} '{top.name}' with {_amount_text(budget.metric, share)}, "
                f"{100 * share / value:.0f}%"
            )
            loc = top.loc
        findings.append(Finding(loc, "budget", message))
    return findings


def inexact_findings(graph: Graph, report: Report, options: Options = DEFAULTS) -> list[Finding]:
    """One finding per inexact layer that does not say ``allow_inexact: true``."""
    bad = [(i, row) for i, row in enumerate(report.rows) if not row.exact and not row.allow_inexact]
    if not bad:
        return []
    from .sizes import SizesError, solve  # only for inexact layers: not on every start

    try:
        axes: tuple[AxisSizes, ...] | None = solve(graph, report)
    except SizesError:
        axes = None
    input_fix = _input_fix(report, axes)
    return [_finding(graph, report, i, row, input_fix, options) for i, row in bad]


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


def _finding(graph: Graph, report: Report, index: int, row: Row, input_fix: Fix | None, options: Options) -> Finding:
    inexact = [d for d in row.divisions if not d.exact]
    parts = [f"{axes}: {d.text()}, {_consequence(d)}" for axes, d in _grouped(inexact)]
    message = f"{row.type} '{row.name}' is inexact on " + "; ".join(parts)
    fixes = [_padding_fix(graph, report, index, row, inexact, options)]
    if input_fix is not None:
        fixes.append(input_fix)
    word = "rounding up" if any(d.ceil_mode for d in inexact) else "floor"
    fixes.append(Fix("allow_inexact", f"or accept the {word}: add 'allow_inexact: true' to this layer", True))
    return Finding(
        row.loc,
        "inexact",
        message,
        row.name,
        row.type,
        tuple(f"{axes}: {d.text()}" for axes, d in _grouped(inexact)),
        tuple(fixes),
    )


# --- fixes -----------------------------------------------------------------------


def _paddings(d: Division) -> list[int]:
    """Paddings that make this division exact, nearest to the current one first:
    within one stride of it, by solving 2p ≡ k_eff − size (mod stride) rather
    than trying every p (a stride or padding of 2^31 must cost nothing)."""
    target, s = d.k_eff - d.size, d.stride
    g = 2 if s % 2 == 0 else 1
    if target % g:
        return []
    m = s // g  # the solutions p are one class mod m
    p0 = (target // g) * pow(2 // g, -1, m) % m if m > 1 else 0
    low = max(0, d.pad_before - s)
    found = [p for p in range(low + (p0 - low) % m, d.pad_before + s + 1, m) if d.size + 2 * p >= d.k_eff]
    return sorted(found, key=lambda p: (abs(p - d.pad_before), p))


def _padding_fix(graph: Graph, report: Report, index: int, row: Row, inexact: list[Division], options: Options) -> Fix:
    node = graph.nodes[index]
    written = getattr(node.args, "padding", None)
    if written is None or written == "same":
        return Fix("padding", "no padding fixes it: this layer has no integer padding")
    choices = {d.axis: _paddings(d) for d in inexact}
    stuck = [d for d in inexact if not choices[d.axis]]
    if stuck:
        d = stuck[0]
        axes = ", ".join(x.axis for x in stuck if (x.size, x.k_eff, x.stride) == (d.size, d.k_eff, d.stride))
        return Fix(
            "padding",
            f"no padding makes it exact on {axes}: with stride {d.stride}, "
            f"{d.size} + 2·padding − {d.k_eff} is always odd",
        )
    before = {r.name for r in report.rows if not r.exact and not r.allow_inexact}
    tried, failure = 0, "no padding makes it exact"
    for option in range(max(len(c) for c in choices.values())):
        pads = tuple(
            choices[d.axis][min(option, len(choices[d.axis]) - 1)] if d.axis in choices else d.pad_before
            for d in row.divisions
        )
        padding: int | tuple[int, ...] = pads[0] if len(set(pads)) == 1 else pads
        outcome = _rerun(graph, node.loc, node.type, padding, options)
        tried += 1
        if isinstance(outcome, str):
            failure = f"'padding: {_padding_text(padding)}' would make it exact, but: {outcome}"
            if tried >= 3:
                break
            continue
        shown = [replace_record(d, pad_before=p, pad_total=2 * p) for d, p in zip(row.divisions, pads)]
        arithmetic = "; ".join(f"{axes}: {d.text()}" for axes, d in _grouped(shown))
        worse = [r for r in outcome.rows if not r.exact and not r.allow_inexact and r.name not in before]
        if worse:
            names = ", ".join(f"{r.type} '{r.name}' (line {r.loc.line})" for r in worse[:3])
            after = f"; but then {names} become{'s' if len(worse) == 1 else ''} inexact"
        elif outcome.totals.inexact_layers == 0:
            after = "; every layer is then exact"
        else:
            after = "; no other layer becomes inexact"
        return Fix("padding", f"'padding: {_padding_text(padding)}' makes it exact ({arithmetic}){after}", padding)
    return Fix("padding", failure)


def _padding_text(padding: int | tuple[int, ...]) -> str:
    return str(padding) if isinstance(padding, int) else "[" + ", ".join(map(str, padding)) + "]"


def _rerun(
    graph: Graph, loc: SourceLoc, type_name: str, padding: int | tuple[int, ...], options: Options
) -> Report | str:
    """The report with ``padding`` written at ``loc`` (every layer expanded from that
    line, as editing it would), or the error it causes."""
    nodes = tuple(
        replace_record(n, args=replace_record(n.args, padding=padding)) if n.loc == loc and n.type == type_name else n
        for n in graph.nodes
    )
    try:
        return run(replace_record(graph, nodes=nodes), batch=options.batch, dtype=options.dtype, input=options.input)
    except SpecError as error:
        return error.message


def _input_fix(report: Report, axes: tuple[AxisSizes, ...] | None) -> Fix | None:
    """The nearest inputs (below and above the current one) that make every layer exact."""
    if axes is None or not axes:
        return None
    sizes = report.input[1:]
    blocked = [a for a in axes if a.empty]
    if blocked:
        a = blocked[0]
        where = f" (after {a.blocker.type} '{a.blocker.name}', line {a.blocker.line})" if a.blocker else ""
        return Fix("input", f"no input size on {a.axis} makes every layer exact{where}")
    below = [a.prev_fit(n) for a, n in zip(axes, sizes)]
    above = [a.next_fit(n) for a, n in zip(axes, sizes)]
    shapes = []
    if all(b is not None for b in below):
        shapes.append((report.input[0], *(b for b in below if b is not None)))
    shapes.append((report.input[0], *(a for a in above if a is not None)))
    from .render.sizes import progression_text

    by_rule: dict[str, list[str]] = {}
    for a in axes:
        by_rule.setdefault(progression_text(a), []).append(a.axis)
    rules = "; ".join(f"{', '.join(names)}: {rule}" for rule, names in by_rule.items())
    listed = " or ".join("×".join(map(str, s)) for s in dict.fromkeys(shapes))
    return Fix(
        "input",
        f"an input of {listed} makes every layer exact ({rules})",
        [list(s) for s in dict.fromkeys(shapes)],
    )
