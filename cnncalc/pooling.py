"""Pooling: maxpool and avgpool (a window per spatial axis), their global and
adaptive forms, and channel_maxpool. No params, no MACs.

Same contract as every family (:mod:`cnncalc.layers`): one argument record and
one pure rule per type.
"""

from __future__ import annotations

import math
from fractions import Fraction

from . import saved
from .describe import WINDOW_OUT, WINDOW_RF, Example, Formulas
from .errors import LayerError
from .layer_parts import NoArgs, groups_hint, same_even_warning, split_spatial, window_of, windows
from .record import record
from .registry import (
    GLOBAL,
    Facts,
    OptionalSize,
    Padding,
    Shape,
    Size,
    Window,
    arg,
    axes_text,
    layer,
    window_label,
)
from .shapes import per_axis


@record
class Pool:
    kernel: Size
    stride: OptionalSize = None
    padding: Padding = arg(0, minimum=0)
    ceil_mode: bool = False
    allow_inexact: bool = False


def _pool(x: Shape, a: Pool, type_name: str) -> Facts:
    channels, spatial = split_spatial(x, type_name)
    stride = a.kernel if a.stride is None else a.stride
    if not isinstance(a.padding, str):
        for k, p in zip(per_axis(a.kernel, len(spatial), "kernel"), per_axis(a.padding, len(spatial), "padding")):
            if 2 * p > k:
                raise LayerError(
                    f"padding {p} is more than half the kernel {k} (a window could see only padding)",
                    "padding",
                    f"use a padding of at most {k // 2}, or a larger kernel",
                )
    divisions = windows(spatial, a.kernel, stride, 1, a.padding, a.ceil_mode)
    return Facts(
        output=(channels, *(d.out for d in divisions)),
        window=window_of(divisions),
        divisions=divisions,
        warnings=same_even_warning(a.kernel, a.padding, len(spatial)),
    )


def _pool_label(a: Pool, rank: int) -> str:
    return window_label(a, rank, default_stride=a.kernel)  # a pool's stride is its kernel unless given


@layer(
    "maxpool",
    Pool,
    label=_pool_label,
    saves=saved.INDICES,
    formulas=Formulas(output=f"[C, …] with {WINDOW_OUT}; stride defaults to kernel", rf=WINDOW_RF),
    example=Example((64, 32, 32), {"kernel": 2}),
)
def maxpool(x: Shape, a: Pool) -> Facts:
    """Max pooling; stride defaults to the kernel; no params, no MACs."""
    return _pool(x, a, "maxpool")


@layer(
    "avgpool",
    Pool,
    label=_pool_label,
    saves=saved.INPUT,
    formulas=Formulas(output=f"[C, …] with {WINDOW_OUT}; stride defaults to kernel", rf=WINDOW_RF),
    example=Example((64, 32, 32), {"kernel": 3, "stride": 2, "padding": 1}),
)
def avgpool(x: Shape, a: Pool) -> Facts:
    """Average pooling; stride defaults to the kernel; no params, no MACs."""
    return _pool(x, a, "avgpool")


def _global(x: Shape, type_name: str) -> Facts:
    channels, _ = split_spatial(x, type_name)
    return Facts(output=(channels,), window=GLOBAL)


@layer(
    "global_avgpool",
    NoArgs,
    short="global_avg",
    saves=saved.NOTHING,  # a mean: sizes only
    formulas=Formulas(output="[C]", rf="all (the whole input)"),
)
def global_avgpool(x: Shape, a: NoArgs) -> Facts:
    """Average over every spatial position: [C, ...] → [C] (Keras GlobalAveragePooling)."""
    return _global(x, "global_avgpool")


@layer(
    "global_maxpool",
    NoArgs,
    short="global_max",
    saves=saved.INDICES,
    formulas=Formulas(output="[C]", rf="all (the whole input)"),
)
def global_maxpool(x: Shape, a: NoArgs) -> Facts:
    """Max over every spatial position: [C, ...] → [C]."""
    return _global(x, "global_maxpool")


@record
class AdaptivePool:
    output: Size


def _widest_adaptive_window(n: int, o: int) -> int:
    """max over i of ceil((i+1)·n/o) − floor(i·n/o), PyTorch's window i, in closed
    form (o may be 2^31): with n = q·o + r, 0 < r < o, a window is q+1 or q+2 wide,
    and q+2 occurs iff some i·r mod o exceeds o − r, i.e. iff gcd(n, o) < r."""
    q, r = divmod(n, o)
    if r == 0:
        return q
    return q + (2 if math.gcd(n, o) < r else 1)


def _adaptive(x: Shape, a: AdaptivePool, type_name: str) -> Facts:
    channels, spatial = split_spatial(x, type_name)
    out = per_axis(a.output, len(spatial), "output")
    if all(o == 1 for o in out):
        window: Window | str = GLOBAL
    elif all(n % o == 0 for n, o in zip(spatial, out)):
        # evenly divisible: a plain pooling window of size and stride n/o
        window = Window(
            tuple(n // o for n, o in zip(spatial, out)), tuple(n // o for n, o in zip(spatial, out)), (0,) * len(out)
        )
    else:
        # PyTorch's windows then overlap unevenly; bound the field by the largest window
        kernels = tuple(_widest_adaptive_window(n, o) for n, o in zip(spatial, out))
        window = Window(kernels, tuple(Fraction(n, o) for n, o in zip(spatial, out)), (0,) * len(out), adaptive=True)
    return Facts(output=(channels, *out), window=window)


# output i reads PyTorch's window floor(i·in/output) to ceil((i+1)·in/output) − 1 (rf.py, position by position)
_ADAPTIVE_RF = (
    "j_out = j_in·in/output; output i sees what inputs floor(i·in/output) to ceil((i+1)·in/output) − 1 see,"
    " r_out the widest; all for output 1"
)


def _adaptive_label(a: AdaptivePool, rank: int) -> str:
    return "→" + axes_text(a.output, rank)


def _adaptive_avg_saves(a: AdaptivePool) -> saved.Keeps:
    """Its input; to a single position PyTorch takes a mean instead, which keeps only sizes."""
    output = a.output if isinstance(a.output, tuple) else (a.output,)
    return saved.NOTHING if all(n == 1 for n in output) else saved.INPUT


@layer(
    "adaptive_avgpool",
    AdaptivePool,
    short="adaptive_avg",
    label=_adaptive_label,
    saves=_adaptive_avg_saves,
    formulas=Formulas(
        output="[C, *output]",
        rf=_ADAPTIVE_RF,
    ),
    example=Example((512, 14, 14), {"output": 7}),
)
def adaptive_avgpool(x: Shape, a: AdaptivePool) -> Facts:
    """PyTorch AdaptiveAvgPool: [C, ...] → [C, *output]; always exact."""
    return _adaptive(x, a, "adaptive_avgpool")


@layer(
    "adaptive_maxpool",
    AdaptivePool,
    short="adaptive_max",
    label=_adaptive_label,
    saves=saved.INDICES,
    formulas=Formulas(
        output="[C, *output]",
        rf=_ADAPTIVE_RF,
    ),
    example=Example((512, 14, 14), {"output": 7}),
)
def adaptive_maxpool(x: Shape, a: AdaptivePool) -> Facts:
    """PyTorch AdaptiveMaxPool: [C, ...] → [C, *output]; always exact."""
    return _adaptive(x, a, "adaptive_maxpool")


@record
class ChannelPool:
    kernel: int = arg(doc="channels per group (it must divide C)")


@layer(
    "channel_maxpool",
    ChannelPool,
    label=lambda a, rank: f"/{a.kernel}",
    saves=saved.INDICES_ONLY,
    formulas=Formulas(output="[C/kernel, …]"),
    example=Example((64, 8, 8), {"kernel": 2}),
)
def channel_maxpool(x: Shape, a: ChannelPool) -> Facts:
    """Depth-wise max pooling over groups of `kernel` channels: [C, ...] → [C/kernel, ...]."""
    if x[0] % a.kernel:
        raise LayerError(
            f"kernel {a.kernel} does not divide the {x[0]} input channels", "kernel", groups_hint(x[0], x[0], "kernel")
        )
    return Facts(output=(x[0] // a.kernel, *x[1:]))
