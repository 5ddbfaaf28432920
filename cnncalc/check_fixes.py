"""The fixes ``cnncalc check`` offers an inexact layer, as data: the padding that makes it
exact (verified by re-running the engine with it written at the layer's line), ``padding:
same`` where it keeps the output, and the nearest inputs for which every layer is exact
(solved by :mod:`cnncalc.sizes`, every input named). Pure; render/check.py words them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .engine import run
from .errors import SourceLoc, SpecError
from .graph import Graph
from .pipeline import Options
from .record import record, replace as replace_record
from .report import Report, Row
from .shapes import Division

if TYPE_CHECKING:
    from .sizes import AxisSizes


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


MAX_RERUN_LAYERS = 60_000  # layers re-analysed for padding fixes, over all findings of one spec
DISTINCT_COST = 3  # a distinct layer counts as 1 + this many


class Reruns:
    """The spec re-analysed with a padding written at one line: each outcome once,
    and no more than MAX_RERUN_LAYERS layers in all (1,000 inexact layers on their
    own lines would otherwise each re-run the whole spec)."""

    def __init__(self, graph: Graph, options: Options, report: Report) -> None:
        self.graph, self.options = graph, options
        self.known: dict[tuple[SourceLoc, str, int | str | tuple[int, ...]], Report | str] = {}
        self.left = MAX_RERUN_LAYERS
        # a layer unlike any other costs its rule's work on each re-run (the engine asks a rule
        # once per layer of distinct arguments and shapes): 5,000 convs each on an input of its own
        # re-ran at 4 times the cost of a repeat's
        distinct = len({(row.type, id(row.args), row.output) for row in report.rows})
        self.cost = len(graph.nodes) + DISTINCT_COST * distinct

    def outcome(self, loc: SourceLoc, type_name: str, padding: int | str | tuple[int, ...]) -> Report | str | None:
        """The report or the error; None when the budget is spent."""
        key = (loc, type_name, padding)
        if key not in self.known:
            if self.left < self.cost and self.known:  # the first one always runs
                return None
            self.left -= self.cost
            self.known[key] = _rerun(self.graph, loc, type_name, padding, self.options)
        return self.known[key]


def reports_at_inputs(graph: Graph, report: Report, input_fix: Fix | None, options: Options) -> list[Report]:
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


def padding_fix(
    graph: Graph, report: Report, index: int, row: Row, inexact: tuple[Division, ...], reruns: Reruns
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


def same_fix(graph: Graph, report: Report, index: int, row: Row, reruns: Reruns) -> Fix | None:
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


def nearest_inputs_fix(report: Report, axes: tuple[AxisSizes, ...] | None) -> Fix | None:
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
