"""Convolutions and dense layers: conv, depthwise_conv, separable_conv (a
composite of the two), conv_transpose, and dense (a linear map on the channel
axis, at every position).

Same contract as every family (:mod:`cnncalc.layers`): one argument record and
one pure rule per type. MACs count multiply-accumulates, bias additions
excluded (torchvision's "GFLOPS" figure).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from . import saved
from .describe import WINDOW_OUT, WINDOW_RF, Example, Formulas
from .errors import LayerError
from .layer_parts import groups_hint, same_even_warning, split_spatial, window_of, windows
from .record import record
from .registry import (
    Facts,
    Padding,
    Shape,
    Size,
    Window,
    arg,
    composite,
    layer,
)
from .shapes import axis_names, per_axis


@record
class Conv:
    filters: int
    kernel: Size
    stride: Size = 1
    padding: Padding = arg(0, minimum=0)
    dilation: Size = 1
    groups: int = 1
    bias: bool = True
    allow_inexact: bool = False


@layer(
    "conv",
    Conv,
    saves=saved.CAST_INPUT,
    formulas=Formulas(
        output=f"[filters, …] with {WINDOW_OUT}",
        params="filters·(C/groups)·∏kernel + filters (bias)",
        macs="output elements × (C/groups)·∏kernel",
        rf=WINDOW_RF,
    ),
    example=Example((3, 32, 32), {"filters": 64, "kernel": 3, "padding": 1}),
)
def conv(x: Shape, a: Conv) -> Facts:
    """Convolution, channels first. Params = filters·(C/groups)·∏k (+ filters bias);
    MACs = output elements × (C/groups)·∏k."""
    channels, spatial = split_spatial(x, "conv")
    if channels % a.groups:
        raise LayerError(
            f"groups={a.groups} does not divide the {channels} input channels",
            "groups",
            groups_hint(channels, a.filters),
        )
    if a.filters % a.groups:
        raise LayerError(
            f"groups={a.groups} does not divide filters={a.filters}", "groups", groups_hint(channels, a.filters)
        )
    divisions = windows(spatial, a.kernel, a.stride, a.dilation, a.padding)
    out = tuple(d.out for d in divisions)
    per_filter = channels // a.groups * math.prod(per_axis(a.kernel, len(spatial), "kernel"))
    return Facts(
        output=(a.filters, *out),
        trainable=a.filters * per_filter + (a.filters if a.bias else 0),
        macs=a.filters * per_filter * math.prod(out),
        window=window_of(divisions, a.dilation),
        divisions=divisions,
        warnings=same_even_warning(a.kernel, a.padding, len(spatial)),
    )


@record
class DepthwiseConv:
    kernel: Size
    multiplier: int = 1
    stride: Size = 1
    padding: Padding = arg(0, minimum=0)
    dilation: Size = 1
    bias: bool = True
    allow_inexact: bool = False


@layer(
    "depthwise_conv",
    DepthwiseConv,
    short="dwconv",
    saves=saved.CAST_INPUT,
    formulas=Formulas(
        output=f"[C·multiplier, …] with {WINDOW_OUT}",
        params="C·multiplier·∏kernel + C·multiplier (bias)",
        macs="output elements × ∏kernel",
        rf=WINDOW_RF,
    ),
    example=Example((32, 56, 56), {"kernel": 3, "stride": 2, "padding": 1}),
)
def depthwise_conv(x: Shape, a: DepthwiseConv) -> Facts:
    """Depthwise convolution (groups = C): C·multiplier filters of ∏k weights each."""
    channels, spatial = split_spatial(x, "depthwise_conv")
    divisions = windows(spatial, a.kernel, a.stride, a.dilation, a.padding)
    out = tuple(d.out for d in divisions)
    filters = channels * a.multiplier
    per_filter = math.prod(per_axis(a.kernel, len(spatial), "kernel"))
    return Facts(
        output=(filters, *out),
        trainable=filters * per_filter + (filters if a.bias else 0),
        macs=filters * per_filter * math.prod(out),
        window=window_of(divisions, a.dilation),
        divisions=divisions,
        warnings=same_even_warning(a.kernel, a.padding, len(spatial)),
    )


@record
class SeparableConv:
    filters: int
    kernel: Size
    stride: Size = 1
    padding: Padding = arg(0, minimum=0)
    dilation: Size = 1
    multiplier: int = 1
    bias: bool = True
    allow_inexact: bool = False


@composite(
    "separable_conv",
    SeparableConv,
    formulas=Formulas(
        output=f"[filters, …] with {WINDOW_OUT}",
        params="C·multiplier·∏kernel + filters·C·multiplier + filters (bias, pointwise part only)",
        macs="depthwise output elements × ∏kernel + output elements × C·multiplier",
        rf=WINDOW_RF,
    ),
    example=Example((32, 56, 56), {"filters": 64, "kernel": 3, "padding": 1}),
)
def separable_conv(a: SeparableConv) -> list[tuple[str, str, dict[str, Any]]]:
    """Depthwise then pointwise convolution (Keras SeparableConv: bias on the pointwise part only)."""
    return [
        (
            "depthwise",
            "depthwise_conv",
            {
                "kernel": a.kernel,
                "multiplier": a.multiplier,
                "stride": a.stride,
                "padding": a.padding,
                "dilation": a.dilation,
                "bias": False,
                "allow_inexact": a.allow_inexact,
            },
        ),
        ("pointwise", "conv", {"filters": a.filters, "kernel": 1, "bias": a.bias}),
    ]


@record
class ConvTranspose:
    filters: int
    kernel: Size
    stride: Size = 1
    padding: Size = arg(0, minimum=0, doc="rows/columns removed from both sides of the output (PyTorch's padding)")
    output_padding: Size = arg(0, minimum=0)
    dilation: Size = 1
    groups: int = 1
    bias: bool = True
    allow_inexact: bool = False


@layer(
    "conv_transpose",
    ConvTranspose,
    short="convT",
    saves=saved.CAST_INPUT,
    formulas=Formulas(
        output="[filters, …] with (in − 1)·stride − 2·padding + k_eff + output_padding per spatial axis",
        params="C·(filters/groups)·∏kernel + filters (bias)",
        macs="input positions × C·(filters/groups)·∏kernel (as torch's flop counter)",
        rf="j_out = j_in/stride; output positions see 1 to ceil(k_eff/stride) inputs in turn: r_out, the widest, followed position by position",
    ),
    example=Example((64, 16, 16), {"filters": 32, "kernel": 2, "stride": 2}),
)
def conv_transpose(x: Shape, a: ConvTranspose) -> Facts:
    """Transposed convolution: out = (in − 1)·stride − 2p + k_eff + output_padding.
    MACs = input positions × C·(filters/groups)·∏k (as torch's flop counter)."""
    channels, spatial = split_spatial(x, "conv_transpose")
    rank = len(spatial)
    if channels % a.groups or a.filters % a.groups:
        raise LayerError(
            f"groups={a.groups} must divide both the {channels} input channels and filters={a.filters}",
            "groups",
            groups_hint(channels, a.filters),
        )
    k = per_axis(a.kernel, rank, "kernel")
    s = per_axis(a.stride, rank, "stride")
    p = per_axis(a.padding, rank, "padding")
    op = per_axis(a.output_padding, rank, "output_padding")
    d = per_axis(a.dilation, rank, "dilation")
    out = []
    for i in range(rank):
        if op[i] >= max(s[i], d[i]):
            raise LayerError(
                f"output_padding {op[i]} must be smaller than the stride or the dilation",
                "output_padding",
                f"use 0 to {max(s[i], d[i]) - 1}",
            )
        k_eff = d[i] * (k[i] - 1) + 1
        size = (spatial[i] - 1) * s[i] - 2 * p[i] + k_eff + op[i]
        if size < 1:
            most = ((spatial[i] - 1) * s[i] + k_eff + op[i] - 1) // 2
            raise LayerError(
                f"padding {p[i]} leaves no output on axis {axis_names(rank)[i]} ({size})",
                "padding",
                f"use a padding of at most {most}",
            )
        out.append(size)
    weights = channels * (a.filters // a.groups) * math.prod(k)
    window = Window(
        tuple(d[i] * (k[i] - 1) + 1 for i in range(rank)),
        tuple(Fraction(1, s[i]) for i in range(rank)),
        tuple(p[i] for i in range(rank)),
        transposed=True,
        dilation=d,
    )
    return Facts(
        output=(a.filters, *out),
        trainable=weights + (a.filters if a.bias else 0),
        macs=weights * math.prod(spatial),
        window=window,
    )


# --- dense ------------------------------------------------------------------


@record
class Dense:
    units: int
    bias: bool = True


@layer(
    "dense",
    Dense,
    aliases=("linear", "fc"),
    saves=saved.CAST_WEIGHTED_INPUT,
    formulas=Formulas(
        output="[units, …] (on every position of a spatial input)",
        params="C·units + units (bias)",
        macs="positions × C·units",
        rf="unchanged on a spatial input; all after flatten",
    ),
    example=Example((512,), {"units": 10}),
)
def dense(x: Shape, a: Dense) -> Facts:
    """Fully connected on the channel axis: params = C·units (+ units);
    on an input with spatial axes it acts at every position (Keras Dense; a
    transformer's or ConvNeXt's per-position linear), without a warning."""
    positions = math.prod(x[1:])
    return Facts(
        output=(a.units, *x[1:]),
        trainable=x[0] * a.units + (a.units if a.bias else 0),
        macs=x[0] * a.units * positions,
    )
