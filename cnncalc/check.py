"""``cnncalc check``: what fails a spec in CI, each with concrete fixes.

A finding is an inexact layer (a size division with a remainder, without
``allow_inexact: true``) or an exceeded budget. Each inexact layer comes with
the padding that makes it exact (verified by re-running the engine with it),
the nearest input sizes for which every layer is exact (solved by
:mod:`cnncalc.sizes`), and ``allow_inexact``; the fixes are worked out in
:mod:`cnncalc.check_fixes`, the budgets and the findings here. Pure, and data only: render/check.py words the
findings, the CLI reads the files and prints. Nothing here imports rich.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from .check_fixes import MAX_RERUN_LAYERS, Fix, Reruns, nearest_inputs_fix, padding_fix, reports_at_inputs, same_fix
from .errors import Diagnostic, SourceLoc, SpecError, SpecErrors, shown
from .graph import Graph
from .metrics import BUDGETS
from .pipeline import DEFAULTS, Analysis, Options, analyse_text
from .record import record, replace as replace_record
from .report import Report, Row
from .shapes import Division

if TYPE_CHECKING:
    from .sizes import AxisSizes

__all__ = ["MAX_RERUN_LAYERS", "Budget", "FileResult", "Finding", "Fix", "Options", "check_text", "exit_code"]


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


_AMOUNT = r"^\s*(\d[\d_,]*(?:\.\d+)?)\s*([A-Za-z]*)\s*$"  # compiled on first use (re's cache), not at start-up


def parse_amount(text: str, *, in_bytes: bool = False) -> int:
    """'5M' → 5_000_000, '1.5G' → 1_500_000_000; with ``in_bytes``, '100MiB' →
    104_857_600 and '100MB' → 100_000_000. Raises ValueError with a hint."""
    units = _BYTE_UNITS if in_bytes else _COUNT_UNITS
    match = re.match(_AMOUNT, text)
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
    """A CI guardrail: the metric budgeted as ``metric`` (``--max-params``, see
    cnncalc.metrics.BUDGETS) at most ``limit``."""

    metric: str
    limit: int
    written: str

    @property
    def option(self) -> str:
        return f"--max-{self.metric}"


def _row_share(row: Row, budget: str, report: Report) -> int:
    return BUDGETS[budget].row(row, report.dtype_bytes)


@record
class Finding:
    """An inexact layer (``code`` "inexact") or an exceeded budget ("budget"), as data."""

    loc: SourceLoc
    code: str
    layer: str | None = None
    type: str | None = None
    divisions: tuple[Division, ...] = ()  # inexact: the divisions with a remainder
    fixes: tuple[Fix, ...] = ()
    budget: Budget | None = None
    value: int = 0  # budget: the total
    top: Row | None = None  # budget: the layer with the largest share of it (None if no layer has any)
    share: int = 0  # budget: that layer's share


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
    padding_only: int = 0  # inexact layers passed by --allow-padding-drop (they drop only padding)

    @property
    def errors(self) -> list[SpecError]:
        """Every mistake found in an unusable spec, in the order of the file."""
        if isinstance(self.error, SpecErrors):
            return list(self.error.errors)
        return [] if self.error is None else [self.error]


def exit_code(results: Iterable[FileResult]) -> int:
    """2 if any spec cannot be analysed, else 1 if any finding, else 0."""
    results = list(results)
    if any(r.error is not None for r in results):
        return 2
    return 1 if any(r.findings for r in results) else 0


def check_text(text: str, file: str, options: Options = DEFAULTS) -> FileResult:
    """Analyse one spec's text; never raises on a bad spec."""
    return check_analysis(analyse_text(text, file, options, every_error=True), options)


def check_analysis(analysis: Analysis, options: Options = DEFAULTS) -> FileResult:
    """The findings of a spec the pipeline analysed (with ``every_error``)."""
    graph, report = analysis.graph, analysis.report
    if analysis.error is not None or graph is None or report is None:
        return FileResult(analysis.file, analysis.text, analysis.error)
    findings = inexact_findings(graph, report, options) + budget_findings(report, options.budgets, graph, options)
    allowed = sum(1 for r in report.rows if not r.exact and r.allow_inexact)
    passed = sum(1 for r in report.rows if not r.exact and not r.allow_inexact and _passes(r, options))
    totals = report.totals.to_dict()
    warnings = shown(report.warnings, options.ignore, options.quiet)
    return FileResult(analysis.file, analysis.text, None, tuple(findings), warnings, totals, allowed, passed)


def drops_only_padding(row: Row) -> bool:
    """Every inexact division floors away only end padding: no real input row or column is lost."""
    return all(d.exact or (d.dropped > 0 and d.dropped_input == 0) for d in row.divisions)


def _passes(row: Row, options: Options) -> bool:
    """An inexact layer that is not a finding: it says allow_inexact, or --allow-padding-drop
    is given and it drops only padding."""
    return row.allow_inexact or (options.allow_padding_drop and drops_only_padding(row))


def budget_findings(
    report: Report, budgets: Sequence[Budget], graph: Graph | None = None, options: Options = DEFAULTS
) -> list[Finding]:
    findings = []
    for budget in budgets:
        value = report.totals[BUDGETS[budget.metric].key]
        if value <= budget.limit:
            continue
        fixes = _batch_fix(graph, budget, options)
        top = max(report.rows, key=lambda r: _row_share(r, budget.metric, report), default=None)
        share = 0 if top is None else _row_share(top, budget.metric, report)
        if share > 0 and top is not None:
            findings.append(Finding(top.loc, "budget", budget=budget, value=value, top=top, share=share, fixes=fixes))
        else:
            findings.append(Finding(SourceLoc(report.file, 1, 1), "budget", budget=budget, value=value, fixes=fixes))
    return findings


def _batch_fix(graph: Graph | None, budget: Budget, options: Options) -> tuple[Fix, ...]:
    """The training peak's budget names the largest batch within it, as ``cnncalc fit`` does
    (--max-inference-memory budgets the activations alone, fit the parameters too: no fix)."""
    if graph is None or budget.metric != "training-memory":
        return ()
    from .largest_batch import largest_batch

    fitted = largest_batch(
        graph, budget.limit, dtype=options.dtype, input=options.input, optimizer=options.optimizer,
        precision=options.precision,
    )  # fmt: skip
    return (Fix("batch", fitted.batch),)


def inexact_findings(graph: Graph, report: Report, options: Options = DEFAULTS) -> list[Finding]:
    """One finding per inexact layer that does not say ``allow_inexact: true``."""
    bad = [(i, row) for i, row in enumerate(report.rows) if not row.exact and not _passes(row, options)]
    if not bad:
        return []
    from .sizes import SizesError, solve  # only for inexact layers: not on every start

    try:
        axes: tuple[AxisSizes, ...] | None = solve(graph, report)
    except SizesError:
        axes = None
    input_fix = nearest_inputs_fix(report, axes)
    refitted = reports_at_inputs(graph, report, input_fix, options)
    reruns = Reruns(graph, options, report)
    return [_finding(graph, report, i, row, input_fix, refitted, reruns) for i, row in bad]


def _finding(
    graph: Graph,
    report: Report,
    index: int,
    row: Row,
    input_fix: Fix | None,
    refitted: Sequence[Report],
    reruns: Reruns,
) -> Finding:
    """The layer's fixes, those that keep its output size first (then padding that changes
    it, a new input, and last accepting a floor that loses real input)."""
    inexact = tuple(d for d in row.divisions if not d.exact)
    padding = padding_fix(graph, report, index, row, inexact, reruns)
    fixes = [padding]
    if padding.value is None or padding.changes_output:
        same = same_fix(graph, report, index, row, reruns)
        if same is not None:
            fixes.insert(0, same)
    if input_fix is not None:
        outputs = tuple(r.rows[index].output for r in refitted)
        fixes.append(replace_record(input_fix, was=row.output, outputs=outputs))
    accept = Fix("allow_inexact", True, divisions=inexact, ceil=any(d.ceil_mode for d in inexact))
    fixes.append(accept)
    # stable: among those that keep the output, and those that change it, the order above
    fixes.sort(key=lambda f: (f.kind == "allow_inexact" and not f.padding_only, f.changes_output))
    return Finding(row.loc, "inexact", row.name, row.type, inexact, tuple(fixes))
