"""Layer types that change the spatial size without weights: zero_pad, and
version 2's upsample (by a scale or to a size) and crop (centred).

Same contract as every family (:mod:`cnncalc.layers`): one argument record and
one pure rule per type, MACs 0, a new tensor each.
"""

from __future__ import annotations

from fractions import Fraction

from . import saved
from .describe import Example, Formulas
from .errors import LayerError
from .layer_parts import shape_text, split_spatial
from .record import record
from .registry import (
    Facts,
    OptionalSize,
    Shape,
    Size,
    Tensor,
    Window,
    arg,
    axes_text,
    layer,
    uniform_text,
)
from .shapes import axis_names, per_axis

# --- resizing ------------------------------------------------------------------------


@record
class ZeroPad:
    padding: Size = arg(minimum=0, doc="zeros added on both sides of each spatial axis")


@layer(
    "zero_pad",
    ZeroPad,
    label=lambda a, rank: uniform_text(a.padding, rank),
    saves=saved.NOTHING,
    formulas=Formulas(output="[C, …] with in + 2·padding per spatial axis", rf="unchanged (starts shift by padding)"),
    example=Example((3, 32, 32), {"padding": 2}),
)
def zero_pad(x: Shape, a: ZeroPad) -> Facts:
    """Zero padding on both sides of every spatial axis."""
    channels, spatial = split_spatial(x, "zero_pad")
    pad = per_axis(a.padding, len(spatial), "padding")
    window = Window((1,) * len(pad), (1,) * len(pad), pad)
    return Facts(output=(channels, *(n + 2 * p for n, p in zip(spatial, pad))), window=window)


# Input positions each output interpolates from: the resize's kernel for the receptive field.
RESIZE_TAPS = {"nearest": 1, "linear": 2, "bilinear": 2, "trilinear": 2, "bicubic": 4}
RESIZE_RANK = {"linear": 1, "bilinear": 2, "trilinear": 3}


@record
class Upsample:
    scale: OptionalSize = None
    size: OptionalSize = arg(None, doc="output size per spatial axis, instead of a scale")
    like: Tensor = arg(None, doc="a reference: resize to that tensor's spatial size, instead of a scale")
    mode: str = "nearest"


def _upsample_label(a: Upsample, rank: int) -> str:
    if a.scale is not None:
        shown = "×" + uniform_text(a.scale, rank)
    else:
        shown = f"like {a.like}" if a.like is not None else "→" + axes_text(a.size, rank)
    return shown if a.mode == "nearest" else f"{shown} {a.mode}"


@layer(
    "upsample",
    Upsample,
    label=_upsample_label,
    saves=saved.NOTHING,  # sizes only
    formulas=Formulas(
        output="[C, …] with in·scale (or size) per spatial axis",
        rf="j_out = j_in/scale; r_out, the widest field an output position sees, followed position by position",
    ),
    example=Example((64, 16, 16), {"scale": 2}),
)
def upsample(x: Shape, a: Upsample, like: Shape | None = None) -> Facts:
    """Resize by an integer `scale` per axis, to `size`, or `like` another tensor (its
    spatial size); `mode` nearest (default), linear, bilinear, bicubic or trilinear.
    A new tensor, no params, no MACs."""
    channels, spatial = split_spatial(x, "upsample")
    rank = len(spatial)
    if a.mode not in RESIZE_TAPS:
        raise LayerError(f"unknown mode '{a.mode}'", "mode", "use one of " + ", ".join(RESIZE_TAPS))
    if a.mode in RESIZE_RANK and RESIZE_RANK[a.mode] != rank:
        wanted = {1: "linear", 2: "bilinear", 3: "trilinear"}[rank] if rank in (1, 2, 3) else "nearest"
        raise LayerError(
            f"mode {a.mode} is for {RESIZE_RANK[a.mode]} spatial axes, but the input has {rank}",
            "mode",
            f"use {wanted}",
        )
    if [a.scale, a.size, a.like].count(None) != 2:
        raise LayerError("upsample needs exactly one of 'scale' and 'size' (or 'like')", "scale" if a.scale else None,
                         "give 'scale: 2' to double every axis, 'size: [H, W]' for a fixed size, "
                         "or 'like: NAME' for another tensor's size")  # fmt: skip
    if a.scale is not None:
        out = tuple(n * s for n, s in zip(spatial, per_axis(a.scale, rank, "scale")))
    elif like is not None:
        out = _spatial_like(x, like, a.like, "upsample")
    else:
        out = per_axis(a.size, rank, "size")  # type: ignore[arg-type]
    taps = RESIZE_TAPS[a.mode]
    # the first output's taps are input positions 0 .. taps-1, centred at (taps-1)/2 - pad
    window = Window((taps,) * rank, tuple(Fraction(n, o) for n, o in zip(spatial, out)), ((taps - 1) // 2,) * rank)
    return Facts(output=(channels, *out), window=window)


def _spatial_like(x: Shape, like: Shape, ref: Tensor, kind: str) -> tuple[int, ...]:
    """The spatial size of the tensor a layer is made ``like``; its rank must be the input's."""
    if len(like) != len(x):
        raise LayerError(
            f"like: '{ref}' is {shape_text(like)}, with {len(like) - 1} spatial axes, "
            f"but the input {shape_text(x)} has {len(x) - 1}",
            "like",
            f"{kind} like a tensor with as many axes as its input",
        )
    return like[1:]


@record
class Crop:
    size: OptionalSize = arg(None, doc="output size per spatial axis (centred)")
    like: Tensor = arg(None, doc="a reference: crop to that tensor's spatial size, instead of a size")


def _crop_label(a: Crop, rank: int) -> str:
    return f"like {a.like}" if a.like is not None else "→" + axes_text(a.size, rank)


@layer(
    "crop",
    Crop,
    label=_crop_label,
    saves=saved.NOTHING,
    formulas=Formulas(output="[C, …] with size per spatial axis (centre crop)", rf="start moves"),
    example=Example((64, 64, 64), {"size": 56}),
)
def crop(x: Shape, a: Crop, like: Shape | None = None) -> Facts:
    """Centre crop to `size`, or `like` another tensor (its spatial size; the 2015
    U-Net's skip connections): (in − size) // 2 positions dropped before, the rest
    after. A new tensor; the receptive field's start moves by the positions dropped."""
    channels, spatial = split_spatial(x, "crop")
    rank = len(spatial)
    if (a.size is None) == (a.like is None):
        raise LayerError("crop needs exactly one of 'size' and 'like'", "size" if a.size else None,
                         "give 'size: [H, W]', or 'like: NAME' for another tensor's size")  # fmt: skip
    size = _spatial_like(x, like, a.like, "crop") if like is not None else per_axis(a.size, rank, "size")  # type: ignore[arg-type]
    names = axis_names(rank)
    for name, n, s in zip(names, spatial, size):
        if s > n:
            what = f"'{a.like}' is {s}, larger" if a.like is not None else f"size {s} is larger"
            raise LayerError(
                f"crop {what} than the input's {n} on axis {name} (input {shape_text(x)})",
                "like" if a.like is not None else "size",
                f"crop to at most {n}" if a.like is None else "crop a larger tensor, or like a smaller one",
            )
    window = Window((1,) * rank, (1,) * rank, tuple(-((n - s) // 2) for n, s in zip(spatial, size)))
    return Facts(output=(channels, *size), window=window)
