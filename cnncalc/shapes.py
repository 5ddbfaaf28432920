"""Shared window arithmetic: the output size of one spatial axis under a
sliding window (conv and pooling both call this), and padding resolution."""

from __future__ import annotations

from fractions import Fraction

from .errors import LayerError
from .record import record

AXIS_NAMES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


def number_text(value: Fraction | int | float) -> str:
    """A jump or stride as the table writes it: whole numbers in full, others to 3 significant
    digits (9.142857142857142 is "9.14"); a float (past 2^64) approximately."""
    if isinstance(value, float):
        return f"{value:.3g}"
    if value.denominator == 1:
        return str(int(value))
    value = Fraction(value)  # not whole, so a Fraction already (ints stand for whole ones)
    return f"{float(value):.3g}" if abs(value) < 10**300 else f"{round(value):.3g}"  # no float overflow


def axis_names(rank: int) -> tuple[str, ...]:
    return AXIS_NAMES.get(rank, tuple(f"axis{i}" for i in range(rank)))


def per_axis(value: int | tuple[int, ...], rank: int, arg: str) -> tuple[int, ...]:
    """An int applies to every spatial axis; a list needs one int per axis."""
    if isinstance(value, int):
        return (value,) * rank
    if len(value) != rank:
        raise LayerError(
            f"'{arg}' has {len(value)} values but the input has {rank} spatial "
            f"ax{'is' if rank == 1 else 'es'} ({'×'.join(axis_names(rank))})",
            arg,
            hint=f"give one int, or a list of {rank}",
        )
    return value


@record
class Division:
    """``out = (size + pad_total - k_eff) / stride + 1`` on one axis, as written."""

    axis: str
    size: int
    pad_before: int
    pad_total: int
    k_eff: int
    stride: int
    ceil_mode: bool = False
    same: bool = False

    @property
    def numerator(self) -> int:
        return self.size + self.pad_total - self.k_eff

    @property
    def exact(self) -> bool:
        return self.same or self.numerator % self.stride == 0

    @property
    def out(self) -> int:
        return self.out_at(self.size)

    def out_at_padding(self, pad: int) -> int:
        """The output size with ``pad`` on both sides instead (floored)."""
        return (self.size + 2 * pad - self.k_eff) // self.stride + 1

    @property
    def dropped(self) -> int:
        """Positions at the end of the padded input that no window reaches (the
        remainder of a floored division; 0 when exact, ``same`` or ``ceil_mode``)."""
        return 0 if self.same or self.ceil_mode else self.numerator % self.stride

    @property
    def dropped_input(self) -> int:
        """Of those, positions of real input: what is left once the end padding is used up."""
        return max(0, self.dropped - (self.pad_total - self.pad_before))

    def out_at(self, size: int) -> int:
        """The output size for another input size, with the same window and padding."""
        if self.same:
            return -(-size // self.stride)
        numerator = size + self.pad_total - self.k_eff
        if self.ceil_mode:
            out = -(-numerator // self.stride) + 1
            # PyTorch: the last window must start inside the input or the left padding
            if (out - 1) * self.stride >= size + self.pad_before:
                out -= 1
            return out
        return numerator // self.stride + 1

    def text(self) -> str:
        """The division as a user would write it: ``(224 + 2·3 − 7) / 2 + 1 = 112.5``."""
        if self.same:
            return f"ceil({self.size} / {self.stride}) = {self.out}"
        value = Fraction(self.numerator, self.stride) + 1
        shown = str(value.numerator) if value.denominator == 1 else f"{float(value):g}"
        if self.pad_total == 2 * self.pad_before:
            pad = f"2·{self.pad_before}"
        else:
            pad = str(self.pad_total)
        return f"({self.size} + {pad} − {self.k_eff}) / {self.stride} + 1 = {shown}"


def window_axis(
    axis: str,
    size: int,
    kernel: int,
    stride: int,
    dilation: int,
    padding: int | str,
    ceil_mode: bool = False,
) -> Division:
    """Resolve padding and check the window fits; the Division carries the size."""
    k_eff = dilation * (kernel - 1) + 1
    if padding == "same":
        out = -(-size // stride)
        total = max((out - 1) * stride + k_eff - size, 0)
        return Division(axis, size, total // 2, total, k_eff, stride, same=True)
    pad = 0 if padding == "valid" else int(padding)
    division = Division(axis, size, pad, 2 * pad, k_eff, stride, ceil_mode)
    if division.numerator < 0 or division.out < 1:
        raise LayerError(
            f"kernel {kernel}"
            + (f" (dilated to {k_eff})" if k_eff != kernel else "")
            + f" is larger than the padded input on axis {axis}: {size} + 2·{pad} = {size + 2 * pad}",
            "kernel",
            hint="use a smaller kernel, more padding, or a larger input",
        )
    return division
