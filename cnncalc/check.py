"""``cnncalc check``: what fails a spec in CI, each with concrete fixes.

A finding is an inexact layer (a size division with a remainder, without
``allow_inexact: true``) or an exceeded budget. Each inexact layer comes with
the padding that makes it exact (verified by re-running the engine with it),
the nearest input sizes for which every layer is exact (solved by
:mod:`cnncalc.sizes`), and ``allow_inexact``. Pure, and data only: render/check.py words the
findings, the CLI reads the files and prints. Nothing here imports rich.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .engine import run
from .errors import Diagnostic, SourceLoc, SpecError, SpecErrors, shown
from .graph import Graph
from .metrics import BUDGETS
from .pipeline import DEFAULTS, Analysis, Options, analyse_text
from .record import record, replace as replace_record
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


# --- findings --------------------------------------------------------------------


@record
class Fix:
    """One way to make an inexact layer exact, as data; render/check.py words it.

    ``value`` is what to write (the padding; the input shapes; True for
    allow_inexact), None when this kind of fix cannot work, and ``problem`` says why."""

    kind: str  # "padding" (an integer or "same"), "input", "allow_inexact" or "batch" (a peak budget)
    value: Any = None
    problem: str = ""  # padding: "no_integer_padding", "parity", "error", "too_large"; input: "blocked"
    divisions: tuple[Division, ...] = ()  # padding: the layer's divisions with it, or those no padding fixes;
    # allow_inexact: the inexact divisions (what the floor drops)
    error: str = ""  # padding: what the engine says with it
    newly_inexact: tuple[Row, ...] = ()  # padding: the layers it makes inexact
    all_exact: bool = False  # padding: every layer is then exact
    axes: tuple[AxisSizes, ...] = ()  # input: the sizes that fit, per spatial axis
    ceil: bool = False  # allow_inexact: the layer rounds up (ceil_mode), not down
    was: tuple[int, ...] = ()  # the layer's output shape as written
    outputs: tuple[tuple[int, ...], ...] = ()  # its output shape with this fix (one per input, for "input")
    # input, with several 'inputs': every input's (name, shape) for each of value's shapes
    inputs: tuple[tuple[tuple[str, tuple[int, ...]], ...], ...] = ()

    @property
    def changes_output(self) -> bool:
        """The fix gives the layer another output size than it has now (a stride typo made exact by
        padding keeps its typo): said with the fix, and such fixes come after those that do not."""
        return any(output != self.was for output in self.outputs)

    @property
    def padding_only(self) -> bool:
        """allow_inexact: the floor drops only padding, no real input."""
        return not self.ceil and not any(d.dropped_input for d in self.divisions)


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
    input_fix = _input_fix(report, axes)
    refitted = _refitted(graph, report, input_fix, options)
    reruns = _Reruns(graph, options)
    return [_finding(graph, report, i, row, input_fix, refitted, reruns) for i, row in bad]


MAX_RERUN_LAYERS = 60_000  # layers re-analysed for padding fixes, over all findings of one spec


class _Reruns:
    """The spec re-analysed with a padding written at one line: each outcome once,
    and no more than MAX_RERUN_LAYERS layers in all (1,000 inexact layers on their
    own lines would otherwise each re-run the whole spec)."""

    def __init__(self, graph: Graph, options: Options) -> None:
        self.graph, self.options = graph, options
        self.known: dict[tuple[SourceLoc, str, int | str | tuple[int, ...]], Report | str] = {}
        self.left = MAX_RERUN_LAYERS

    def outcome(self, loc: SourceLoc, type_name: str, padding: int | str | tuple[int, ...]) -> Report | str | None:
        """The report or the error; None when the budget is spent."""
        key = (loc, type_name, padding)
        if key not in self.known:
            if self.left < len(self.graph.nodes) and self.known:  # the first one always runs
                return None
            self.left -= len(self.graph.nodes)
            self.known[key] = _rerun(self.graph, loc, type_name, padding, self.options)
        return self.known[key]


def _finding(
    graph: Graph,
    report: Report,
    index: int,
    row: Row,
    input_fix: Fix | None,
    refitted: Sequence[Report],
    reruns: _Reruns,
) -> Finding:
    """The layer's fixes, those that keep its output size first (then padding that changes
    it, a new input, and last accepting a floor that loses real input)."""
    inexact = tuple(d for d in row.divisions if not d.exact)
    padding = _padding_fix(graph, report, index, row, inexact, reruns)
    fixes = [padding]
    if padding.value is None or padding.changes_output:
        same = _same_fix(graph, report, index, row, reruns)
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


def _refitted(graph: Graph, report: Report, input_fix: Fix | None, options: Options) -> list[Report]:
    """The reports at each input the input fix names (every input scaled with the first, as
    sizes solved them), to say what each layer's output becomes."""
    if input_fix is None or input_fix.value is None:
        return []
    reports = []
    for k, shape in enumerate(input_fix.value):
        refit = graph
        if input_fix.inputs:  # several inputs: the others as the fix names them
            refit = replace_record(graph, inputs=dict(input_fix.inputs[k]))
        try:
            reports.append(
                run(refit, batch=options.batch, dtype=options.dtype, input=tuple(shape), receptive_field=False)
            )
        except SpecError:  # pragma: no cover - every layer is exact at these sizes
            return []
    return reports


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
    # the padding that keeps the output size first (p − remainder/2, when whole), then the nearest
    return sorted(found, key=lambda p: (d.out_at_padding(p) != d.out, abs(p - d.pad_before), p))


def _padding_fix(
    graph: Graph, report: Report, index: int, row: Row, inexact: tuple[Division, ...], reruns: _Reruns
) -> Fix:
    node = graph.nodes[index]
    written = getattr(node.args, "padding", None)
    if written is None or written == "same":
        return Fix("padding", problem="no_integer_padding")
    choices = {d.axis: _paddings(d) for d in inexact}
    stuck = [d for d in inexact if not choices[d.axis]]
    if stuck:
        d = stuck[0]
        alike = tuple(x for x in stuck if (x.size, x.k_eff, x.stride) == (d.size, d.k_eff, d.stride))
        return Fix("padding", problem="parity", divisions=alike)
    before = {r.name for r in report.rows if not r.exact and not r.allow_inexact}
    failure = Fix("padding", problem="error")
    for tried, option in enumerate(range(max(len(c) for c in choices.values())), 1):
        pads = tuple(
            choices[d.axis][min(option, len(choices[d.axis]) - 1)] if d.axis in choices else d.pad_before
            for d in row.divisions
        )
        padding: int | tuple[int, ...] = pads[0] if len(set(pads)) == 1 else pads
        outcome = reruns.outcome(node.loc, node.type, padding)
        if outcome is None:
            return Fix("padding", problem="too_large")
        if isinstance(outcome, str):
            failure = Fix("padding", padding, "error", error=outcome)
            if tried >= 3:
                break
            continue
        shown = tuple(replace_record(d, pad_before=p, pad_total=2 * p) for d, p in zip(row.divisions, pads))
        return _verified(padding, shown, outcome, before, index, row)
    return failure


def _verified(
    padding: int | str | tuple[int, ...],
    shown: tuple[Division, ...],
    outcome: Report,
    before: set[str],
    index: int,
    row: Row,
) -> Fix:
    worse = tuple(r for r in outcome.rows if not r.exact and not r.allow_inexact and r.name not in before)
    return Fix(
        "padding",
        padding,
        divisions=shown,
        newly_inexact=worse,
        all_exact=outcome.totals.inexact_layers == 0,
        was=row.output,
        outputs=(outcome.rows[index].output,),
    )


def _same_fix(graph: Graph, report: Report, index: int, row: Row, reruns: _Reruns) -> Fix | None:
    """``padding: same`` when it keeps the layer's output size (it is always exact: it pads
    the odd position after, as TensorFlow does), verified by re-running the engine."""
    node = graph.nodes[index]
    if getattr(node.args, "padding", "same") == "same":
        return None
    outcome = reruns.outcome(node.loc, node.type, "same")
    if outcome is None or isinstance(outcome, str) or not outcome.rows[index].exact:
        return None
    before = {r.name for r in report.rows if not r.exact and not r.allow_inexact}
    fix = _verified("same", outcome.rows[index].divisions, outcome, before, index, row)
    return None if fix.changes_output else fix


def _rerun(
    graph: Graph, loc: SourceLoc, type_name: str, padding: int | str | tuple[int, ...], options: Options
) -> Report | str:
    """The report with ``padding`` written at ``loc`` (every layer expanded from that
    line, as editing it would), or the error it causes."""
    nodes = tuple(
        replace_record(n, args=replace_record(n.args, padding=padding)) if n.loc == loc and n.type == type_name else n
        for n in graph.nodes
    )
    try:
        return run(
            replace_record(graph, nodes=nodes),
            batch=options.batch,
            dtype=options.dtype,
            input=options.input,
            receptive_field=False,
        )
    except SpecError as error:
        return error.message


def _input_fix(report: Report, axes: tuple[AxisSizes, ...] | None) -> Fix | None:
    """The nearest inputs (below and above the current one) that make every layer exact."""
    if axes is None or not axes:
        return None
    sizes = report.input[1:]
    if any(a.empty for a in axes):
        return Fix("input", problem="blocked", axes=axes)
    below = [a.prev_fit(n) for a, n in zip(axes, sizes)]
    above = [a.next_fit(n) for a, n in zip(axes, sizes)]
    shapes = []
    if all(b is not None for b in below):
        shapes.append((report.input[0], *(b for b in below if b is not None)))
    shapes.append((report.input[0], *(a for a in above if a is not None)))
    shapes = list(dict.fromkeys(shapes))
    every: tuple[tuple[tuple[str, tuple[int, ...]], ...], ...] = ()
    if len(report.inputs) > 1:
        from .sizes import inputs_at

        every = tuple(tuple(inputs_at(report, axes, shape).items()) for shape in shapes)
    return Fix("input", [list(s) for s in shapes], axes=axes, inputs=every)
