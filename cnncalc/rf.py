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

import bisect
import math
from fractions import Fraction

from .record import record
from .report import AxisRF

MAX_PERIOD = 64  # (a U-Net needs 16; each layer after costs a period of work) past this the pattern is dropped and the engine's recurrence takes over
MAX_VALUE = 2**62  # positions past this are the engine's (it turns to floats)


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

    def _first_seen(self, a: int, b: int, seen: list[int]) -> int | None:
        """The first output position in [a, b] that sees something (None: none does); ``seen``:
        the residues that see something, in order."""
        q, r = divmod(a, self.period)
        at = bisect.bisect_left(seen, r)
        o = q * self.period + seen[at] if at < len(seen) else (q + 1) * self.period + seen[0]
        return o if o <= b else None

    def _last_seen(self, a: int, b: int, seen: list[int]) -> int | None:
        """The last output position in [a, b] that sees something (None: none does)."""
        q, r = divmod(b, self.period)
        at = bisect.bisect_right(seen, r)
        o = q * self.period + seen[at - 1] if at else (q - 1) * self.period + seen[-1]
        return o if o >= a else None

    def _seen_residues(self) -> list[int]:
        return [r for r, value in enumerate(self.lo) if value is not None]

    def through(self, k_eff: int, stride: Fraction | int, pad: int, transposed: bool) -> Span | None:
        """The pattern after a window (a layer's per-axis kernel, stride, padding); None when it
        grows past MAX_PERIOD or MAX_VALUE."""
        stride = Fraction(stride)
        if transposed:  # stride 1/s: output o is fed by the inputs i with o + pad − (k_eff − 1) <= i·s <= o + pad
            s = stride.denominator // stride.numerator if stride.numerator == 1 else 0
            if s < 1:
                return None
            period, shift = s * self.period, self.shift
            if period > MAX_PERIOD:  # checked before anything is made of it: an upsampling to 10^9 sizes
                return None
            ranges = [(-((k_eff - 1 - o - pad) // s), (o + pad) // s) for o in range(period)]
        else:  # output o reads inputs floor(o·stride) − pad to that + k_eff − 1
            u, v = stride.numerator, stride.denominator
            m = self.period // math.gcd(u, self.period)
            period, shift = v * m, self.shift * u * m // self.period
            if period > MAX_PERIOD:
                return None
            ranges = [((o * u) // v - pad, (o * u) // v - pad + k_eff - 1) for o in range(period)]
        lo: list[int | None] = []
        hi: list[int | None] = []
        seen = self._seen_residues()
        for a, b in ranges:
            first = self._first_seen(a, b, seen) if a <= b else None
            last = self._last_seen(a, b, seen) if first is not None else None
            lo.append(None if first is None else self._lo(first))
            hi.append(None if last is None else self._hi(last))
        if all(value is None for value in lo) or max(abs(v) for v in (*lo, *hi, shift) if v is not None) > MAX_VALUE:
            return None
        return Span(period, shift, tuple(lo), tuple(hi))

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


def step(axis: AxisRF, k_eff: int, stride: Fraction | int, pad: int, transposed: bool) -> AxisRF | None:
    """A window's field on one axis, exact, once the field is uneven (a transposed convolution
    or an upsampling, now or before); None where the engine's recurrence is as exact (integer
    strides all along) or takes over (positions past MAX_VALUE, a period past MAX_PERIOD)."""
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
    after = span.through(k_eff, stride, pad, transposed)
    if after is None:
        return None
    return AxisRF(after.size(), after.jump(), after.start(), after)
