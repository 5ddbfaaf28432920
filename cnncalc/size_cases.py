"""One case of input sizes (n = a + m·k, k >= lo) through one layer on one axis, for
:mod:`cnncalc.sizes`: the affine sizes, the congruences a window adds, the residue classes a
rounding layer splits the case into. Pure: no I/O."""

from __future__ import annotations

import math
from fractions import Fraction

from .graph import Node
from .record import record
from .registry import BROADCAST, STACK
from .shapes import Division
from .size_maps import FixedMap, LikeMap, LinearMap, MergeMap, SizeMap, SizesError, TilingMap

MAX_CASES = 4096


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
class Case:
    a: int
    m: int  # 0: the single size a
    lo: int  # k >= lo
    sizes: dict[int, Affine]

    def refine(self, k0: int, t: int) -> Case:
        """The sub-case k = k0 + t·k'."""
        if t == 1 and k0 == 0:
            return self
        return Case(self.a + self.m * k0, self.m * t, -((k0 - self.lo) // t), self.sizes)

    def point(self, k: int) -> Case:
        return Case(self.a + self.m * k, 0, 0, self.sizes)


def solve_congruence(d: int, rhs: int, s: int) -> tuple[int, int] | None:
    """k with d·k ≡ rhs (mod s), as (k0, t): k = k0 + t·j; None if there is none."""
    g = math.gcd(d, s)
    if rhs % g:
        return None
    t = s // g
    if t == 1:
        return 0, 1
    return (rhs // g) * pow(d // g, -1, t) % t, t


def at_least(case: Case, size: Affine, bound: int) -> Case | None:
    """The case restricted to size ≥ bound (sizes never shrink as n grows)."""
    c, d = size.at(case.a, case.m)
    if d == 0:
        return case if c >= bound else None
    lo = max(case.lo, -((c - bound) // d))  # ceil((bound - c) / d)
    return Case(case.a, case.m, lo, case.sizes)


def step(case: Case, node: Node, how: SizeMap) -> tuple[list[Case], str]:
    """The sub-cases of ``case`` that survive ``node``, and why none did."""
    if how is None:
        return [case], ""
    x = case.sizes.get(node.inputs[0])
    if x is None:
        return [case], ""  # an axis that ended earlier (flatten: {start: 1} made it tokens)
    if isinstance(how, MergeMap):
        return _merge_step(case, node, how.join)
    if isinstance(how, TilingMap):
        return _tile(case, node, how.division, x)
    if isinstance(how, LikeMap):
        return _like(case, node, how.margin, x)
    if isinstance(how, FixedMap):
        bounded = at_least(case, x, how.least)
        reason = f"it needs an input of at least {how.least}"
        return ([with_size(bounded, node.index, Affine(0, how.out))] if bounded else []), reason
    if isinstance(how, LinearMap):
        if how.u == 1 and how.v == 0:  # the same size (activations, batchnorm): nothing to solve
            return [with_size(case, node.index, x)], ""
        mapped = x.scaled(how.u, how.v)
        bounded = at_least(case, mapped, 1)
        return ([with_size(bounded, node.index, mapped)] if bounded else []), "its output would be smaller than 1"
    div = how.division
    s = div.stride
    c, d = x.at(case.a, case.m)
    if how.exact:
        solved = solve_congruence(d, -(c + div.pad_total - div.k_eff), s)
        if solved is None and d == 0:  # a size that does not follow the solved one (an input of another rank)
            value = float(Fraction(c + div.pad_total - div.k_eff, s) + 1)
            return [], (
                f"its input {div.axis} is {c} at every size: ({c} + {div.pad_total} − {div.k_eff}) / {s} + 1 "
                f"= {value:g} is not whole"
            )
        if solved is None:
            return [], (
                f"its input {div.axis} + {div.pad_total} − {div.k_eff} is never a multiple of {s} "
                "for the sizes that fit the layers before it"
            )
        if case.m and solved != (0, 1):
            case = case.refine(*solved)
            c, d = x.at(case.a, case.m)
    bound = 1 if div.same else div.k_eff - div.pad_total
    if d == 0:  # at_least, inline: this runs for every layer of every case
        if c < bound:
            return [], "the window never fits"
        fitted = case
    else:
        fitted = Case(case.a, case.m, max(case.lo, -((c - bound) // d)), case.sizes)
    t = s // math.gcd(d, s)  # d = 0 (a single size) gives t = 1
    if t > MAX_CASES:  # a stride of 2^31 must not be split class by class
        raise SizesError(
            f"{node.type} '{node.name}' (line {node.loc.line}) splits the sizes into {t:,} residue classes; "
            "too many to solve exactly"
        )
    out: list[Case] = []
    for j in range(t):
        sub = fitted.refine(j, t) if t > 1 else fitted
        x0 = c + d * j
        out0 = div.out_at(x0)
        size = x.windowed(x0, out0, s)
        bounded = at_least(sub, size, 1)
        if bounded is not None:
            out.append(with_size(bounded, node.index, size))
    return out, "its output would be smaller than 1"


def _merge_step(case: Case, node: Node, join: str) -> tuple[list[Case], str]:
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
        return [with_size(case, node.index, total)], ""
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
    return [with_size(case, node.index, x)], ""


def _like(case: Case, node: Node, margin: int | None, x: Affine) -> tuple[list[Case], str]:
    """The output is the other tensor's size; with a margin, the input must be at
    least that size plus the margin (``x − like − margin ≥ 0``, affine in k)."""
    like = case.sizes.get(node.inputs[1])
    if like is None:
        return [case], ""  # its axis ended earlier
    if margin is None:
        return [with_size(case, node.index, like)], ""
    excess = Affine.reduced(x.p * like.den - like.p * x.den, (x.r - margin * x.den) * like.den - like.r * x.den,
                            x.den * like.den)  # fmt: skip
    reason = f"its input is never at least as large as {node.args.like!r}" + (f" + {margin}" if margin else "")
    c, d = excess.at(case.a, case.m)
    if d >= 0:
        bounded = at_least(case, excess, 0)
        return ([with_size(bounded, node.index, like)] if bounded else []), reason
    # the tensor grows faster than the input: the sizes up to where they meet, one by one
    last = c // -d  # the largest k with c + d·k >= 0
    if last - case.lo >= MAX_CASES:
        raise SizesError(f"{node.type} '{node.name}' leaves more than {MAX_CASES} single sizes; too many to list")
    return [with_size(case.point(k), node.index, like) for k in range(case.lo, last + 1)], reason


def _tile(case: Case, node: Node, div: Division, x: Affine) -> tuple[list[Case], str]:
    """The sub-case whose sizes are multiples of the window; the size goes on unchanged."""
    c, d = x.at(case.a, case.m)
    solved = solve_congruence(d, -c, div.stride)
    if solved is None:
        return [], f"its input {div.axis} is never a multiple of the window {div.stride}"
    if case.m:
        case = case.refine(*solved)
    bounded = at_least(case, x, div.k_eff)
    return ([with_size(bounded, node.index, x)] if bounded else []), "the window never fits"


def with_size(case: Case, index: int, size: Affine) -> Case:
    return Case(case.a, case.m, case.lo, {**case.sizes, index: size})
