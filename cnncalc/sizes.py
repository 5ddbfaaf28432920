"""Which input sizes make every layer exact: solved, not searched.

On one spatial axis every node's size is an affine function of the spec's
input size ``n`` (``size = q·n + r``, rationals) on a set of ``n`` written
``n = a + m·k`` for integers ``k ≥ lo`` (a *case*). Walking the graph once in
execution order:

- a window layer that must be exact adds the linear congruence
  ``size + pad_total − k_eff ≡ 0 (mod s)``; with ``size = c + d·k`` it is
  ``d·k ≡ −(c + pad_total − k_eff) (mod s)``, solved with the gcd: no solution
  kills the case, else ``k ≡ k0 (mod s/g)`` refines it;
- a layer that rounds (``padding: same``, ``allow_inexact``, ``ceil_mode``)
  has an output that is affine only on each residue class of its input mod s,
  so the case is split into those classes (at most s of them);
- ``add``/``concat`` need equal sizes on their branches: an affine equation
  in ``k`` (always true, never true, or true for one ``k``);
- every size must stay ≥ 1 and every window must fit: linear lower bounds on ``k``;
- a layer with a fixed output size (``crop``, a spatial ``slice``, ``upsample``
  to a size) needs its input at least as large as the rule accepts: one more
  lower bound; a layer that mixes axes (``permute``, ``reshape``) cannot be
  solved axis by axis and says so; an axis that becomes tokens ends there,
  and what happens to the tensor after it concerns no size of this axis.

With several inputs, ``n`` is the first input's size and every other input of
the same rank scales with it, in the proportion the report was run at
(``depth`` at the image's size: ``n``; a mask at half size: ``n/2``, so ``n``
even); one whose size is 1 stays 1 (it broadcasts), and one of another rank
keeps its size. :class:`InputScale` says which, for the renderers.

What survives is a union of disjoint arithmetic progressions, reduced to the
shortest period. Axes are independent (no layer mixes spatial axes). Pure: no I/O.

By job: a layer's size map is :mod:`cnncalc.size_maps`, a case through one layer
:mod:`cnncalc.size_cases`; here the inputs, the walk, and the sizes that fit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from .graph import INPUT, Graph, input_index
from .limits import MAX_SIZE
from .record import asdict, record, replace as replace_record
from .report import Report
from .shapes import axis_names
from .size_cases import MAX_CASES, Affine, Case, step
from .size_maps import LayerSizesError, SizeMap, SizesError, size_maps, solving_alike

__all__ = ["AxisSizes", "Blocker", "InputScale", "LayerSizesError", "SizeClass", "SizesError", "solve", "solve_axis"]


MAX_PERIOD = 1 << 20


MAX_WORK = 200_000  # cases × layers walked on one axis (100,000 layers × 2 cases; a few seconds)


@record
class InputScale:
    """How another input's size on one axis follows the first input's size n: ``n·num/den``,
    or, where ``kept`` says why ("broadcast": it is 1; "rank": another rank), its own ``size``."""

    name: str
    size: int  # its size on this axis in the report solved
    num: int = 0
    den: int = 1
    kept: str = ""
    line: int = 0  # where it is written under 'inputs'

    def at(self, n: int) -> int:
        """Its size when the first input's is n (n a size that fits: num·n/den is whole)."""
        return self.size if self.kept else self.num * n // self.den


@record
class Blocker:
    """The layer after which no input size is left on an axis."""

    name: str
    type: str
    line: int
    reason: str


@record
class SizeClass:
    """``{smallest + step·k : k ≥ 0}``; ``offset`` = smallest mod step."""

    offset: int
    smallest: int


@record
class AxisSizes:
    axis: str
    step: int  # the period; 0 when only isolated sizes fit
    classes: tuple[SizeClass, ...]  # sorted by smallest
    points: tuple[int, ...] = ()  # isolated sizes (a merge of branches whose sizes grow differently)
    blocker: Blocker | None = None
    inputs: tuple[InputScale, ...] = ()  # the spec's other inputs on this axis

    @property
    def empty(self) -> bool:
        return not self.classes and not self.points

    @property
    def smallest(self) -> int | None:
        values = [c.smallest for c in self.classes] + list(self.points)
        return min(values) if values else None

    def fits(self, n: int) -> bool:
        if n in self.points:
            return True
        return any(n >= c.smallest and (n - c.offset) % self.step == 0 for c in self.classes)

    def next_fit(self, n: int) -> int | None:
        """The smallest fitting size ≥ n (none above MAX_SIZE, the largest size anything may have)."""
        found = [max(c.smallest, n + (c.offset - n) % self.step) for c in self.classes]
        found += [p for p in self.points if p >= n]
        return min(found) if found and min(found) <= MAX_SIZE else None

    def prev_fit(self, n: int) -> int | None:
        """The largest fitting size ≤ n."""
        found = [n - (n - c.offset) % self.step for c in self.classes if n >= c.smallest]
        found += [p for p in self.points if p <= n]
        return max(found) if found else None

    def to_dict(self) -> dict[str, Any]:
        first = min(self.classes, key=lambda c: c.smallest) if self.classes else None
        return {
            "axis": self.axis,
            "step": self.step if self.classes else None,
            "offset": first.offset if first else None,
            "smallest": self.smallest,
            "classes": [{"offset": c.offset, "smallest": c.smallest} for c in self.classes],
            "points": list(self.points),
            "blocker": asdict(self.blocker) if self.blocker else None,
            **({"inputs": [asdict(scale) for scale in self.inputs]} if self.inputs else {}),
        }


def input_scales(graph: Graph, report: Report, axis: int) -> tuple[InputScale, ...]:
    """How each input after the first follows the first input's size on spatial ``axis``
    (an input without that axis is left out: nothing on this axis concerns it)."""
    shapes = report.input_shapes()
    names = list(report.inputs) or ["input"]
    lines = [loc.line for loc in graph.input_locs] or [0] * len(names)
    first = shapes[0][axis + 1]
    scales = []
    for name, shape, line in zip(names[1:], shapes[1:], lines[1:]):
        if len(shape) <= axis + 1:
            continue
        size = shape[axis + 1]
        if len(shape) != len(shapes[0]):
            scales.append(InputScale(name, size, kept="rank", line=line))
        elif size == 1 and first != 1:
            scales.append(InputScale(name, size, kept="broadcast", line=line))
        else:
            g = math.gcd(size, first)
            scales.append(InputScale(name, size, size // g, first // g, line=line))
    return tuple(scales)


def inputs_at(report: Report, axes: Iterable[AxisSizes], first: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """Every input's shape when the first input's is ``first`` (sizes that fit), name → shape."""
    shapes = {name: list(shape) for name, shape in (report.inputs or {"input": report.input}).items()}
    shapes[next(iter(shapes))] = list(first)
    for axis, solved in enumerate(axes):
        for scale in solved.inputs:
            shapes[scale.name][axis + 1] = scale.at(first[axis + 1])
    return {name: tuple(shape) for name, shape in shapes.items()}


def _start(report: Report, scales: tuple[InputScale, ...]) -> Case:
    """Every input's size as a function of the first's, n = m·k for k ≥ 1: m makes every
    scaled size whole (a mask at half the size: n even)."""
    sizes = {INPUT: Affine(1, 0)}
    m = 1
    position = {name: k for k, name in enumerate(report.inputs)}  # not list.index per input: 5,000 inputs
    for k, scale in enumerate(scales, 1):
        index = input_index(position[scale.name]) if report.inputs else input_index(k)
        sizes[index] = Affine(0, scale.size) if scale.kept else Affine(scale.num, 0, scale.den)
        m = math.lcm(m, scale.den)
    return Case(0, m, 1, sizes)


def solve_axis(graph: Graph, report: Report, axis: int, maps: list[SizeMap] | None = None) -> AxisSizes:
    """The input sizes on spatial ``axis`` for which every layer is exact.

    ``report`` is the engine's report of ``graph`` at some valid input: it
    supplies each node's input shapes (channels, other axes), which the size
    maps of this axis do not depend on."""
    rank = len(report.input) - 1
    name = axis_names(rank)[axis]
    last_use = {INPUT: -1}
    for node in graph.nodes:
        for i in node.inputs:
            last_use[i] = node.index
    # the first input's size is n; the others scale with it (input_scales)
    scales = input_scales(graph, report, axis)
    cases = [_start(report, scales)]
    left = len(graph.nodes)
    for node, how in zip(
        graph.nodes, maps if maps is not None else size_maps(graph, report, axis, set(cases[0].sizes))
    ):
        if len(cases) * left > MAX_WORK:  # before the walk, not after it: it would take minutes
            raise SizesError(
                f"{len(cases):,} residue classes before {node.type} '{node.name}' (line {node.loc.line}), "
                f"with {left:,} layers still to walk; too large to solve"
            )
        left -= 1
        done = [i for i in node.inputs if last_use.get(i) == node.index]  # tensors no later node reads
        survivors: list[Case] = []
        reason = ""
        for case in cases:
            kept, why = step(case, node, how)
            survivors += kept
            if not kept:
                reason = reason or why
            if len(survivors) > MAX_CASES:  # as they grow, not after: 64 cases × 4,096 classes held 2 GB
                raise SizesError(
                    f"more than {MAX_CASES} residue classes after {node.type} '{node.name}' (line {node.loc.line}); "
                    "too many rounding layers to solve exactly"
                )
        if not survivors:
            blocker = Blocker(node.name, node.type, node.loc.line, reason)
            return AxisSizes(name, 0, (), (), blocker, scales)
        for case in survivors:
            for i in done:
                case.sizes.pop(i, None)
        cases = [_small(case) for case in survivors if case.m <= MAX_SIZE or case.a + case.m * case.lo <= MAX_SIZE]
        if not cases:
            return AxisSizes(name, 0, (), (), Blocker(node.name, node.type, node.loc.line, _TOO_LARGE), scales)
    return replace_record(_normalise(name, cases), inputs=scales)


_TOO_LARGE = f"the sizes that fit are all above {MAX_SIZE:,}"


def _small(case: Case) -> Case:
    """A progression whose step passed MAX_SIZE holds one size that may be an
    input (its first): that size alone, its sizes as plain numbers. Strides of
    10^6 repeated would otherwise grow steps and coefficients to thousands of digits."""
    if case.m <= MAX_SIZE:
        return case
    n = case.a + case.m * case.lo
    sizes = {i: Affine(0, size.at(n, 0)[0]) for i, size in case.sizes.items()}
    return Case(n, 0, 0, sizes)


def solve(graph: Graph, report: Report) -> tuple[AxisSizes, ...]:
    """Every spatial axis of the spec's input (none for a flat input)."""
    solved: list[AxisSizes] = []
    alike: list[list[Any]] = []
    for axis in range(len(report.input) - 1):
        scales = input_scales(graph, report, axis)
        maps = size_maps(graph, report, axis, set(_start(report, scales).sizes))
        alike.append([[(s.num, s.den, s.kept) for s in scales], *map(solving_alike, maps)])
        # Square inputs and square kernels: the same problem on every axis, solved once.
        twin = next((i for i in range(axis) if alike[i] == alike[axis] and solved[i].blocker is None), None)
        if twin is None:
            solved.append(solve_axis(graph, report, axis, maps))
        else:
            name = axis_names(len(report.input) - 1)[axis]
            solved.append(replace_record(solved[twin], axis=name, inputs=scales))
    return tuple(solved)


def _normalise(name: str, cases: Iterable[Case]) -> AxisSizes:
    """Disjoint progressions → residue classes over the shortest period."""
    progressions = [(c.a + c.m * c.lo, c.m) for c in cases if c.m]
    points = sorted({c.a for c in cases if not c.m})
    if not progressions:
        return AxisSizes(name, 0, (), tuple(points))
    period = 1
    for _, m in progressions:
        period = math.lcm(period, m)
        if period > MAX_PERIOD:  # a step of up to 2^31 per progression: never print the lcm itself
            raise SizesError(f"the sizes on {name} repeat with a period above {MAX_PERIOD:,}; too large to solve")
    smallest: dict[int, int] = {}
    for first, m in progressions:
        for j in range(period // m):
            value = first + m * j
            smallest[value % period] = min(value, smallest.get(value % period, value))
    step = period
    for divisor in sorted(_divisors(period)):
        if _periodic(smallest, period, divisor):
            step = divisor
            break
    merged: dict[int, int] = {}
    for residue, value in smallest.items():
        merged[residue % step] = min(value, merged.get(residue % step, value))
    classes = tuple(sorted((SizeClass(r, v) for r, v in merged.items()), key=lambda c: c.smallest))
    result = AxisSizes(name, step, classes)
    return replace_record(result, points=tuple(p for p in points if not result.fits(p)))


def _divisors(n: int) -> list[int]:
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return small + [n // d for d in small]


def _periodic(smallest: dict[int, int], period: int, step: int) -> bool:
    """Whether the classes mod ``period`` are exactly whole classes mod ``step``
    (each merged class starting at its least member)."""
    if step == period:
        return True
    if len(smallest) % (period // step):
        return False
    groups: dict[int, list[int]] = {}
    for residue, value in smallest.items():
        groups.setdefault(residue % step, []).append(value)
    return all(len(values) == period // step and max(values) < min(values) + period for values in groups.values())
