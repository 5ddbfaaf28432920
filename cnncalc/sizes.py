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
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from .errors import CnnCalcError, SpecError
from .graph import INPUT, Graph, Node, input_index
from .limits import MAX_SIZE
from .record import asdict, record, replace as replace_record
from .registry import BROADCAST, REGISTRY, STACK, apply as apply_rule
from .report import Report
from .shapes import Division, axis_names

MAX_CASES = 4096
MAX_PERIOD = 1 << 20
MAX_WORK = 200_000  # cases × layers walked on one axis (100,000 layers × 2 cases; a few seconds)


class SizesError(CnnCalcError):
    """The admissible sizes cannot be computed (a layer's size map is not affine,
    or the case split grows past MAX_CASES)."""


class LayerSizesError(SizesError, SpecError):
    """A layer whose size map cannot be solved (it mixes axes, is not affine): located at
    the layer, as a spec error is."""


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
class Affine:
    """A size as a function of the input size n on one axis: (p·n + r) / den.

    Integers over one denominator rather than Fractions: the solver does this
    arithmetic for every layer of every case, and Fraction's is ten times slower."""

    p: int
    r: int
    den: int = 1

    @staticmethod
    def reduced(p: int, r: int, den: int) -> Affine:
        g = math.gcd(p, r, den)
        return Affine(p // g, r // g, den // g)

    def at(self, a: int, m: int) -> tuple[int, int]:
        """(c, d) with size = c + d·k on the case n = a + m·k (integers by construction)."""
        c, c_rem = divmod(self.p * a + self.r, self.den)
        d, d_rem = divmod(self.p * m, self.den)
        assert not c_rem and not d_rem, (self, a, m)
        return c, d

    def scaled(self, u: int, v: int) -> Affine:
        """u·size + v."""
        return Affine.reduced(self.p * u, self.r * u + v * self.den, self.den)

    def windowed(self, x0: int, out0: int, s: int) -> Affine:
        """(size − x0) / s + out0: a window's output on the class where the input is x0 + s·j."""
        return Affine.reduced(self.p, self.r - x0 * self.den + out0 * s * self.den, self.den * s)


@record(frozen=False)
class _Case:
    a: int
    m: int  # 0: the single size a
    lo: int  # k >= lo
    sizes: dict[int, Affine]

    def refine(self, k0: int, t: int) -> _Case:
        """The sub-case k = k0 + t·k'."""
        if t == 1 and k0 == 0:
            return self
        return _Case(self.a + self.m * k0, self.m * t, -((k0 - self.lo) // t), self.sizes)

    def point(self, k: int) -> _Case:
        return _Case(self.a + self.m * k, 0, 0, self.sizes)


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


# --- one layer's size map on one axis ---------------------------------------------


@record
class _Window:
    division: Division
    exact: bool  # the layer must be exact (not same, not allow_inexact)


@record
class _Linear:
    u: int
    v: int  # out = u·size + v


@record
class _Fixed:
    out: int
    least: int  # the input must be at least this large


@record
class _Tiling:
    """A layer that keeps the size but needs its window to tile it (window
    attention without padding): ``size ≡ 0 (mod stride)``, ``size ≥ k_eff``."""

    division: Division


@record
class _Merge:
    join: str  # how the inputs meet on this axis (registry: BROADCAST, EQUAL, STACK)


@record
class _Like:
    """The output takes the size of another tensor (``like: X``, its second input);
    ``margin``: the input must be at least that tensor's size plus this (a crop: 0),
    None: any input size."""

    margin: int | None


_UNKNOWN: Any = object()
SizeMap = _Window | _Tiling | _Linear | _Fixed | _Merge | _Like | None  # None: no spatial axes after this node


def _size_map(node: Node, in_shapes: tuple[tuple[int, ...], ...], axis: int) -> SizeMap:
    """How ``node`` maps spatial axis ``axis`` (0-based among spatial axes).

    Window layers say it through their Division; merges keep the size; any
    other layer is affine in its input size, read off its rule at the actual
    size and the next two (three points confirm it is affine)."""
    first = in_shapes[0]
    if len(first) - 1 <= axis:
        return None
    facts = apply_rule(node, in_shapes)
    if len(facts.output) != len(first):
        return None  # flatten, global pooling: the axis ends here
    if facts.divisions:
        allowed = bool(getattr(node.args, "allow_inexact", False))
        division = facts.divisions[axis]
        if facts.output[axis + 1] != division.out:  # the division constrains the size, the output keeps it
            return _Tiling(division)
        return _Window(division, not division.same and not allowed)
    joins = REGISTRY.types[node.type].joins
    if joins is not None:
        return _Merge(joins(node.args, len(first))[axis + 1])
    if len(in_shapes) > 1:  # `like: X`: the output is X's size, whatever the input's
        least = _least_input(node, in_shapes, axis)
        return _Like(None if least == 1 else least - in_shapes[1][axis + 1])
    size = first[axis + 1]
    outputs = [facts.output]
    for extra in (1, 2):
        try:
            outputs.append(apply_rule(node, (_resized(first, axis, size + extra),)).output)
        except SpecError as error:
            raise LayerSizesError(error.message, node.loc) from None
    others = {(*out[: axis + 1], *out[axis + 2 :]) for out in outputs}
    if len(others) > 1 or len({len(out) for out in outputs}) > 1:  # permute, reshape: not one axis alone
        raise LayerSizesError(
            f"{node.type} '{node.name}' mixes a spatial axis with another; sizes cannot solve each axis alone",
            node.loc,
            "sizes handles permute and reshape only after the spatial axes end (flatten, global pooling)",
        )
    outs = [out[axis + 1] for out in outputs]
    u = outs[1] - outs[0]
    if outs[2] - outs[1] != u or u < 0:
        raise LayerSizesError(f"{node.type} '{node.name}' does not map sizes affinely; cannot solve", node.loc)
    if u == 0:  # a fixed output size (crop, slice, upsample to a size, adaptive pooling)
        return _Fixed(outs[0], _least_input(node, in_shapes, axis))
    return _Linear(u, outs[0] - u * size)


def _resized(shape: tuple[int, ...], axis: int, size: int) -> tuple[int, ...]:
    return (*shape[: axis + 1], size, *shape[axis + 2 :])


def _least_input(node: Node, in_shapes: tuple[tuple[int, ...], ...], axis: int) -> int:
    """The smallest size on ``axis`` the layer accepts (a crop needs at least its
    size): these rules accept every size from some least one on, so bisect."""
    first = in_shapes[0]
    low, high = 1, first[axis + 1]  # the rule holds at the actual size
    while low < high:
        middle = (low + high) // 2
        try:
            apply_rule(node, (_resized(first, axis, middle), *in_shapes[1:]))
            high = middle
        except SpecError:
            low = middle + 1
    return low


# --- the walk ------------------------------------------------------------------------


def _solve_congruence(d: int, rhs: int, s: int) -> tuple[int, int] | None:
    """k with d·k ≡ rhs (mod s), as (k0, t): k = k0 + t·j; None if there is none."""
    g = math.gcd(d, s)
    if rhs % g:
        return None
    t = s // g
    if t == 1:
        return 0, 1
    return (rhs // g) * pow(d // g, -1, t) % t, t


def _at_least(case: _Case, size: Affine, bound: int) -> _Case | None:
    """The case restricted to size ≥ bound (sizes never shrink as n grows)."""
    c, d = size.at(case.a, case.m)
    if d == 0:
        return case if c >= bound else None
    lo = max(case.lo, -((c - bound) // d))  # ceil((bound - c) / d)
    return _Case(case.a, case.m, lo, case.sizes)


def _step(case: _Case, node: Node, how: SizeMap) -> tuple[list[_Case], str]:
    """The sub-cases of ``case`` that survive ``node``, and why none did."""
    if how is None:
        return [case], ""
    x = case.sizes.get(node.inputs[0])
    if x is None:
        return [case], ""  # an axis that ended earlier (flatten: {start: 1} made it tokens)
    if isinstance(how, _Merge):
        return _merge_step(case, node, how.join)
    if isinstance(how, _Tiling):
        return _tile(case, node, how.division, x)
    if isinstance(how, _Like):
        return _like(case, node, how.margin, x)
    if isinstance(how, _Fixed):
        bounded = _at_least(case, x, how.least)
        reason = f"it needs an input of at least {how.least}"
        return ([_with(bounded, node.index, Affine(0, how.out))] if bounded else []), reason
    if isinstance(how, _Linear):
        if how.u == 1 and how.v == 0:  # the same size (activations, batchnorm): nothing to solve
            return [_with(case, node.index, x)], ""
        mapped = x.scaled(how.u, how.v)
        bounded = _at_least(case, mapped, 1)
        return ([_with(bounded, node.index, mapped)] if bounded else []), "its output would be smaller than 1"
    div = how.division
    s = div.stride
    c, d = x.at(case.a, case.m)
    if how.exact:
        solved = _solve_congruence(d, -(c + div.pad_total - div.k_eff), s)
        if solved is None:
            return [], (
                f"its input {div.axis} + {div.pad_total} − {div.k_eff} is never a multiple of {s} "
                "for the sizes that fit the layers before it"
            )
        if case.m and solved != (0, 1):
            case = case.refine(*solved)
            c, d = x.at(case.a, case.m)
    bound = 1 if div.same else div.k_eff - div.pad_total
    if d == 0:  # _at_least, inline: this runs for every layer of every case
        if c < bound:
            return [], "the window never fits"
        fitted = case
    else:
        fitted = _Case(case.a, case.m, max(case.lo, -((c - bound) // d)), case.sizes)
    t = s // math.gcd(d, s)  # d = 0 (a single size) gives t = 1
    if t > MAX_CASES:  # a stride of 2^31 must not be split class by class
        raise SizesError(
            f"{node.type} '{node.name}' (line {node.loc.line}) splits the sizes into {t:,} residue classes; "
            "too many to solve exactly"
        )
    out: list[_Case] = []
    for j in range(t):
        sub = fitted.refine(j, t) if t > 1 else fitted
        x0 = c + d * j
        out0 = div.out_at(x0)
        size = x.windowed(x0, out0, s)
        bounded = _at_least(sub, size, 1)
        if bounded is not None:
            out.append(_with(bounded, node.index, size))
    return out, "its output would be smaller than 1"


def _merge_step(case: _Case, node: Node, join: str) -> tuple[list[_Case], str]:
    """A merge's inputs meet on this axis: their sizes add up (STACK), or must be
    equal (EQUAL), or equal where not always 1 (BROADCAST: a size of 1 stretches)."""
    if any(i not in case.sizes for i in node.inputs):
        return [case], ""  # an axis that ended earlier on some input
    sizes = [case.sizes[i] for i in node.inputs]
    if join == STACK:
        total = sizes[0]
        for size in sizes[1:]:
            total = Affine.reduced(
                total.p * size.den + size.p * total.den, total.r * size.den + size.r * total.den, total.den * size.den
            )
        return [_with(case, node.index, total)], ""
    if join == BROADCAST:
        stretched = [size for size in sizes if not (size.p == 0 and size.r == size.den)]  # not always 1
        sizes = stretched or sizes[:1]
    x = sizes[0]
    for other in sizes[1:]:
        c0, d0 = x.at(case.a, case.m)
        c1, d1 = other.at(case.a, case.m)
        if d0 == d1:
            if c0 != c1:
                return [], "its branches never have the same size"
            continue
        k, rem = divmod(c0 - c1, d1 - d0)  # d0 != d1: not a single size, so m > 0
        if rem or k < case.lo:
            return [], "its branches never have the same size"
        case = case.point(k)
    return [_with(case, node.index, x)], ""


def _like(case: _Case, node: Node, margin: int | None, x: Affine) -> tuple[list[_Case], str]:
    """The output is the other tensor's size; with a margin, the input must be at
    least that size plus the margin (``x − like − margin ≥ 0``, affine in k)."""
    like = case.sizes.get(node.inputs[1])
    if like is None:
        return [case], ""  # its axis ended earlier
    if margin is None:
        return [_with(case, node.index, like)], ""
    excess = Affine.reduced(x.p * like.den - like.p * x.den, (x.r - margin * x.den) * like.den - like.r * x.den,
                            x.den * like.den)  # fmt: skip
    reason = f"its input is never at least as large as {node.args.like!r}" + (f" + {margin}" if margin else "")
    c, d = excess.at(case.a, case.m)
    if d >= 0:
        bounded = _at_least(case, excess, 0)
        return ([_with(bounded, node.index, like)] if bounded else []), reason
    # the tensor grows faster than the input: the sizes up to where they meet, one by one
    last = c // -d  # the largest k with c + d·k >= 0
    if last - case.lo >= MAX_CASES:
        raise SizesError(f"{node.type} '{node.name}' leaves more than {MAX_CASES} single sizes; too many to list")
    return [_with(case.point(k), node.index, like) for k in range(case.lo, last + 1)], reason


def _tile(case: _Case, node: Node, div: Division, x: Affine) -> tuple[list[_Case], str]:
    """The sub-case whose sizes are multiples of the window; the size goes on unchanged."""
    c, d = x.at(case.a, case.m)
    solved = _solve_congruence(d, -c, div.stride)
    if solved is None:
        return [], f"its input {div.axis} is never a multiple of the window {div.stride}"
    if case.m:
        case = case.refine(*solved)
    bounded = _at_least(case, x, div.k_eff)
    return ([_with(bounded, node.index, x)] if bounded else []), "the window never fits"


def _with(case: _Case, index: int, size: Affine) -> _Case:
    return _Case(case.a, case.m, case.lo, {**case.sizes, index: size})


def _in_shapes(report: Report, node: Node) -> tuple[tuple[int, ...], ...]:
    return tuple(map(report.tensor_shape, node.inputs))


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


def _start(report: Report, scales: tuple[InputScale, ...]) -> _Case:
    """Every input's size as a function of the first's, n = m·k for k ≥ 1: m makes every
    scaled size whole (a mask at half the size: n even)."""
    sizes = {INPUT: Affine(1, 0)}
    m = 1
    for k, scale in enumerate(scales, 1):
        index = input_index(list(report.inputs).index(scale.name)) if report.inputs else input_index(k)
        sizes[index] = Affine(0, scale.size) if scale.kept else Affine(scale.num, 0, scale.den)
        m = math.lcm(m, scale.den)
    return _Case(0, m, 1, sizes)


def _size_maps(graph: Graph, report: Report, axis: int, start: _Case | None = None) -> list[SizeMap]:
    """Each node's size map on ``axis``, in execution order; None for a node whose input no
    longer has the axis (after a flatten to tokens, a reshape or permute concerns no size of it)."""
    # A size map depends on the layer's type, arguments and input shapes only,
    # and deep specs repeat a few layers many times: work each one out once.
    known: dict[tuple[Any, ...], SizeMap] = {}
    maps: list[SizeMap] = []
    alive = set((start or _start(report, input_scales(graph, report, axis))).sizes)  # the tensors the solver sizes
    for node in graph.nodes:
        if node.inputs[0] not in alive:  # as _step: the solver passes such a node by
            maps.append(None)
            continue
        in_shapes = _in_shapes(report, node)
        key = (node.type, node.args, in_shapes)
        how = known.get(key, _UNKNOWN)
        if how is _UNKNOWN:
            how = known[key] = _size_map(node, in_shapes, axis)
        maps.append(how)
        # a merge or a `like` sizes its output only when every input has the axis (_merge_step, _like)
        if how is not None and (not isinstance(how, (_Merge, _Like)) or all(i in alive for i in node.inputs)):
            alive.add(node.index)
    return maps


def _solving_alike(how: SizeMap) -> Any:
    """What the solver reads of a size map: not the axis's name, nor its actual size."""
    if isinstance(how, _Window):
        d = how.division
        if d.same:  # its padding follows the actual size; the solver reads only the stride
            return ("same", d.stride, how.exact)
        return (d.pad_before, d.pad_total, d.k_eff, d.stride, d.ceil_mode, how.exact)
    if isinstance(how, _Tiling):
        return ("tile", how.division.k_eff, how.division.stride)
    return how


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
    for node, how in zip(graph.nodes, maps if maps is not None else _size_maps(graph, report, axis, cases[0])):
        if len(cases) * left > MAX_WORK:  # before the walk, not after it: it would take minutes
            raise SizesError(
                f"{len(cases):,} residue classes before {node.type} '{node.name}' (line {node.loc.line}), "
                f"with {left:,} layers still to walk; too large to solve"
            )
        left -= 1
        done = [i for i in node.inputs if last_use.get(i) == node.index]  # tensors no later node reads
        survivors: list[_Case] = []
        reason = ""
        for case in cases:
            kept, why = _step(case, node, how)
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


def _small(case: _Case) -> _Case:
    """A progression whose step passed MAX_SIZE holds one size that may be an
    input (its first): that size alone, its sizes as plain numbers. Strides of
    10^6 repeated would otherwise grow steps and coefficients to thousands of digits."""
    if case.m <= MAX_SIZE:
        return case
    n = case.a + case.m * case.lo
    sizes = {i: Affine(0, size.at(n, 0)[0]) for i, size in case.sizes.items()}
    return _Case(n, 0, 0, sizes)


def solve(graph: Graph, report: Report) -> tuple[AxisSizes, ...]:
    """Every spatial axis of the spec's input (none for a flat input)."""
    solved: list[AxisSizes] = []
    alike: list[list[Any]] = []
    for axis in range(len(report.input) - 1):
        scales = input_scales(graph, report, axis)
        maps = _size_maps(graph, report, axis, _start(report, scales))
        alike.append([[(s.num, s.den, s.kept) for s in scales], *map(_solving_alike, maps)])
        # Square inputs and square kernels: the same problem on every axis, solved once.
        twin = next((i for i in range(axis) if alike[i] == alike[axis] and solved[i].blocker is None), None)
        if twin is None:
            solved.append(solve_axis(graph, report, axis, maps))
        else:
            name = axis_names(len(report.input) - 1)[axis]
            solved.append(replace_record(solved[twin], axis=name, inputs=scales))
    return tuple(solved)


def _normalise(name: str, cases: Iterable[_Case]) -> AxisSizes:
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
