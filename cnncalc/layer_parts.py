"""What the rules of several layer families share: the argument record of a type
without arguments, the check that an input has spatial axes, a window per
spatial axis (cnncalc.shapes' arithmetic) and its receptive-field step, and the
words of a divisibility mistake."""

from __future__ import annotations

import math

from .errors import SAME_EVEN, LayerError
from .record import record
from .registry import Padding, Shape, Size, Window
from .shapes import Division, axis_names, per_axis, window_axis


@record
class NoArgs:
    pass


def split_spatial(x: Shape, type_name: str) -> tuple[int, tuple[int, ...]]:
    if len(x) < 2:
        raise LayerError(
            f"{type_name} needs an input with spatial axes, but its input is the flat vector {list(x)}",
            hint="remove the flatten/dense before it, or give 'input' as [C, H, W]",
        )
    return x[0], x[1:]


def windows(
    spatial: tuple[int, ...],
    kernel: Size,
    stride: Size,
    dilation: Size,
    padding: Padding,
    ceil_mode: bool = False,
) -> tuple[Division, ...]:
    rank = len(spatial)
    k = per_axis(kernel, rank, "kernel")
    s = per_axis(stride, rank, "stride")
    d = per_axis(dilation, rank, "dilation")
    if isinstance(padding, str):
        pads: tuple[int | str, ...] = (padding,) * rank
    else:
        pads = per_axis(padding, rank, "padding")
    names = axis_names(rank)
    return tuple(window_axis(names[i], spatial[i], k[i], s[i], d[i], pads[i], ceil_mode) for i in range(rank))


def window_of(divisions: tuple[Division, ...], dilation: Size = 1) -> Window:
    return Window(
        tuple(d.k_eff for d in divisions),
        tuple(d.stride for d in divisions),
        tuple(d.pad_before for d in divisions),
        dilation=per_axis(dilation, len(divisions), "dilation") if dilation != 1 else (),
    )


def same_even_warning(kernel: Size, padding: Padding, rank: int) -> tuple[tuple[str, str], ...]:
    if padding == "same" and any(k % 2 == 0 for k in per_axis(kernel, rank, "kernel")):
        return (
            (SAME_EVEN, "'padding: same' with an even kernel pads one side more than the other (asymmetric padding)"),
        )
    return ()


def groups_hint(channels: int, filters: int, what: str = "groups") -> str:
    """The valid values: the common divisors of the channels and filters."""
    common = math.gcd(channels, filters)
    small = [d for d in range(1, math.isqrt(common) + 1) if common % d == 0]
    divisors = sorted({*small, *(common // d for d in small)})
    shown = ", ".join(map(str, divisors[:12])) + (", ..." if len(divisors) > 12 else "")
    return f"{what} can be {shown}" if len(divisors) > 1 else f"{what} can only be 1 here"


def shape_text(shape: Shape | list[int]) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def divides(count: int, groups: int, what: str, arg_name: str = "groups") -> None:
    if count % groups:
        raise LayerError(
            f"{arg_name}={groups} does not divide the {count} {what}", arg_name, groups_hint(count, count, arg_name)
        )
