"""The receptive field where upsampling makes it uneven: which input positions each output
position sees, exactly, on one axis.

Through strided convolutions and pooling the field is affine in the output position
(docs/spec-contract.md's recurrence: size, jump, start). A transposed convolution or an upsampling
breaks that: with a 3×3 transposed convolution of stride 3, output positions see one or two
input positions in turn, and the recurrence's ``size + (k − 1)·jump`` gives fractions (5/3)
or misses a position. Here each output position o sees input positions ``lo(o)`` to
``hi(o)``, and the pattern repeats: ``lo(o + period) = lo(o) + shift`` (the same for ``hi``).
A layer maps the pattern of its input to that of its output exactly; the size is the widest
any output position sees, the jump ``shift / period``, the start the centre of what the first
output position sees. Checked against PyTorch by gradient (tests/test_rf.py). Pure: no I/O.
"""

from __future__ import annotations

import math
from fractions import Fraction

from .record import record
from .report import AxisRF

MAX_PERIOD = 64  # (a U-Net needs 16; each layer after costs a period of work) past this the pattern is dropped and the engine's recurrence takes over
# Positions computed over a whole network, at most: a net of 100,000 layers after one upsampling
# made 6.4 million of them at the period of 64 (11 s and 690 MiB); its patterns get max_period()
WORK = 2**19
SCAN = 4  # a pattern whose lo or hi goes down compares a cycle of taps: at most SCAN·max_period per layer
MAX_VALUE = 2**62  # positions past this are the engine's (it turns to floats)
NEVER = 2**63  # more taps than any kernel has: no tap ever reaches a position that sees something


@record
class Span:
    """Input positions seen by each output position on one axis: output ``o`` sees ``lo(o)`` to
    ``hi(o)``, ``lo(o) = lo[o % period] + (o // period)·shift``; None where it sees none (a
    transposed convolution whose kernel is shorter than its stride leaves gaps)."""

    period: int
    shift: int
    lo: tuple[int | None, ...]
    hi: tuple[int | None, ...]

    @staticmethod
    def affine(size: int, jump: int, start: Fraction | int) -> Span | None:
        """The pattern of an affine field (every field before the first upsampling)."""
        first = start - Fraction(size - 1, 2)
        if Fraction(first).denominator != 1:
            return None
        return Span(1, jump, (int(first),), (int(first) + size - 1,))

    def _lo(self, o: int) -> int | None:
        q, r = divmod(o, self.period)
        value = self.lo[r]
        return None if value is None else value + q * self.shift

    def _hi(self, o: int) -> int | None:
        q, r = divmod(o, self.period)
        value = self.hi[r]
        return None if value is None else value + q * self.shift

    def _distances(self, step: int) -> tuple[list[int], list[int]]:
        """For each residue r, how many steps of ``step`` forward (then backward) from r reach
        a residue that sees something (NEVER or more: none on r's cycle). Taps ``step``
        apart (a dilated kernel) visit residues in cycles of ``period / gcd(step, period)``."""
        period = self.period
        cycles = period // self._cycle(step)
        forward, backward = [NEVER] * period, [NEVER] * period
        for distances, towards in ((forward, -step), (backward, step)):
            for start in range(cycles):  # walked twice: a residue's nearest may lie past the cycle's end
                r, since = start, NEVER
                for _ in range(2 * self._cycle(step)):
                    since = 0 if self.lo[r] is not None else since + 1
                    distances[r] = min(distances[r], since)
                    r = (r + towards) % period
        return forward, backward

    def _cycle(self, step: int) -> int:
        """How many taps ``step`` apart pass before their residues repeat."""
        return self.period // math.gcd(step, self.period)

    def _monotone(self) -> bool:
        """Whether lo and hi never go down from one output position to the next that sees
        something (a transposed convolution with a dilation can make them go down)."""
        seen = [r for r, value in enumerate(self.lo) if value is not None]
        los = [self.lo[r] for r in seen] + [self._lo(self.period + seen[0])]
        his = [self.hi[r] for r in seen] + [self._hi(self.period + seen[0])]
        return all(a <= b for a, b in zip(los, los[1:])) and all(a <= b for a, b in zip(his, his[1:]))  # type: ignore[operator]

    def _ends(
        self, first: int, step: int, count: int, distances: tuple[list[int], list[int]] | None
    ) -> tuple[int, int] | None:
        """lo and hi of what the positions first, first + step, … (count of them) see together;
        ``distances``: _distances(step) where the pattern is monotone (the first and last that
        see something hold lo and hi), None where not (the taps of one cycle are compared)."""
        if count < 1:
            return None
        last = first + (count - 1) * step
        if distances is not None:
            ahead, behind = distances[0][first % self.period], distances[1][last % self.period]
            if ahead >= count or behind >= count:
                return None
            lo, hi = self._lo(first + ahead * step), self._hi(last - behind * step)
            assert lo is not None and hi is not None
            return lo, hi
        # each cycle of taps adds the same ≥ 0 to lo and hi: the least lo is among the first
        # cycle's taps, the greatest hi among the last cycle's
        cycle = min(count, self._cycle(step))
        los = [v for v in (self._lo(first + m * step) for m in range(cycle)) if v is not None]
        his = [v for v in (self._hi(last - m * step) for m in range(cycle)) if v is not None]
        return (min(los), max(his)) if los else None

    def through(
        self,
        k_eff: int,
        stride: Fraction | int,
        pad: int,
        transposed: bool,
        dilation: int,
        max_period: int,
        adaptive: bool = False,
    ) -> Span | None:
        """The pattern after a window (a layer's per-axis kernel, stride, padding, dilation); None
        when it grows past max_period (or its taps take more than SCAN·max_period to compare)
        or past MAX_VALUE. Only the kernel's taps count: with a dilation,
        the positions between them are not seen (they matter where the pattern has gaps)."""
        stride = Fraction(stride)
        taps = (k_eff - 1) // dilation + 1
        ends: list[tuple[int, int] | None] = []
        if transposed:  # stride 1/s: output o is fed by the inputs i with i·s = o + pad − j·dilation, 0 <= j < taps
            s = stride.denominator // stride.numerator if stride.numerator == 1 else 0
            if s < 1:
                return None
            period, shift = s * self.period, self.shift
            if period > max_period:  # checked before anything is made of it: an upsampling to 10^9 sizes
                return None
            # i·s ≡ o + pad (mod dilation): the inputs fed are every dilation/g-th, g = gcd(s, dilation)
            g = math.gcd(s, dilation)
            step = dilation // g
            distances = self._distances(step) if self._monotone() else None
            if distances is None and period * min(taps, self._cycle(step)) > SCAN * max_period:
                return None
            for o in range(period):
                fed = o + pad
                if fed % g:
                    ends.append(None)
                    continue
                residue = (fed // g) * pow(s // g, -1, step) % step if step > 1 else 0
                low, high = -((k_eff - 1 - fed) // s), fed // s
                first = low + (residue - low) % step
                last = high - (high - residue) % step
                ends.append(self._ends(first, step, (last - first) // step + 1, distances))
        else:  # output o reads inputs floor(o·stride) − pad + j·dilation, 0 <= j < taps
            u, v = stride.numerator, stride.denominator
            m = self.period // math.gcd(u, self.period)
            period, shift = v * m, self.shift * u * m // self.period
            if period > max_period:
                return None
            distances = self._distances(dilation) if self._monotone() else None
            if distances is None and period * min(taps, self._cycle(dilation)) > SCAN * max_period:
                return None
            if adaptive:  # PyTorch's window o: floor(o·u/v) to ceil((o + 1)·u/v) − 1, of two widths in turn
                ends = [
                    self._ends((o * u) // v, 1, -(-(o + 1) * u // v) - (o * u) // v, distances) for o in range(period)
                ]
            else:
                ends = [self._ends((o * u) // v - pad, dilation, taps, distances) for o in range(period)]
        lo = tuple(None if e is None else e[0] for e in ends)
        hi = tuple(None if e is None else e[1] for e in ends)
        if all(value is None for value in lo) or max(abs(v) for v in (*lo, *hi, shift) if v is not None) > MAX_VALUE:
            return None
        return Span(period, shift, lo, hi)

    def seen(self, o: int) -> tuple[int, int] | None:
        """The first and last input position output ``o`` sees (None: none)."""
        lo, hi = self._lo(o), self._hi(o)
        return None if lo is None or hi is None else (lo, hi)

    def size(self) -> int:
        """The most input positions any output position sees."""
        return max(h - low + 1 for low, h in zip(self.lo, self.hi) if low is not None and h is not None)

    def jump(self) -> Fraction | int:
        jump = Fraction(self.shift, self.period)
        return jump.numerator if jump.denominator == 1 else jump

    def start(self) -> Fraction | int:
        """The centre of what output 0 sees (from the first output that sees anything, back by the jump)."""
        r = next(i for i, value in enumerate(self.lo) if value is not None)
        lo, hi = self.lo[r], self.hi[r]
        assert lo is not None and hi is not None
        centre = Fraction(lo + hi, 2) - r * Fraction(self.shift, self.period)
        return centre.numerator if centre.denominator == 1 else centre


def max_period(layers: int) -> int:
    """The longest pattern a network of this many layers keeps (within WORK in all)."""
    return max(1, min(MAX_PERIOD, WORK // max(layers, 1)))


def step(
    axis: AxisRF,
    k_eff: int,
    stride: Fraction | int,
    pad: int,
    transposed: bool,
    dilation: int = 1,
    longest: int = MAX_PERIOD,
    adaptive: bool = False,
) -> AxisRF | None:
    """A window's field on one axis, exact, once the field is uneven (a transposed convolution
    or an upsampling, now or before); None where the engine's recurrence is as exact (integer
    strides all along) or takes over (positions past MAX_VALUE, a period past ``longest``: max_period())."""
    span = axis.span
    if span is None:
        if not transposed and type(stride) is int:
            return None
        size, jump, start = axis.size, axis.jump, axis.start
        if type(size) is not int or type(jump) is not int or isinstance(start, float):
            return None
        span = Span.affine(size, jump, start)
        if span is None:
            return None
    after = span.through(k_eff, stride, pad, transposed, dilation, longest, adaptive)
    if after is None:
        return None
    return AxisRF(after.size(), after.jump(), after.start(), after)
