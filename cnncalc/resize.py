"""Layer types that change the spatial size without weights, from SPEC-FORMAT's
version 2 table: upsample (by a scale or to a size) and crop (centred).

Same contract as :mod:`cnncalc.layers`: one argument record and one pure rule
per type, MACs 0, a new tensor each.
"""

from __future__ import annotations

from fractions import Fraction

from . import saved
from .errors import LayerError
from .layers import _shape_text, _spatial
from .record import record
from .registry import (
    Facts,
    OptionalSize,
    Shape,
    Size,
    Window,
    arg,
    axes_text,
    layer,
    uniform_text,
)
from .shapes import axis_names, per_axis

# --- resizing ------------------------------------------------------------------------

# Input positions each output interpolates from: the resize's kernel for the receptive field.
RESIZE_TAPS = {"nearest": 1, "linear": 2, "bilinear": 2, "trilinear": 2, "bicubic": 4}
RESIZE_RANK = {"linear": 1, "bilinear": 2, "trilinear": 3}


@record
class Upsample:
    scale: OptionalSize = None
    size: OptionalSize = arg(None, doc="output size per spatial axis, instead of a scale")
    mode: str = "nearest"


def _upsample_label(a: Upsample, rank: int) -> str:
    shown = "×" + uniform_text(a.scale, rank) if a.scale is not None else "→" + axes_text(a.size, rank)
    return shown if a.mode == "nearest" else f"{shown} {a.mode}"


@layer("upsample", Upsample, label=_upsample_label, saves=saved.NOTHING)  # sizes only
def upsample(x: Shape, a: Upsample) -> Facts:
    """Resize by an integer `scale` per axis, or to `size`; `mode` nearest (default),
    linear, bilinear, bicubic or trilinear. A new tensor, no params, no MACs."""
    channels, spatial = _spatial(x, "upsample")
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
    if (a.scale is None) == (a.size is None):
        raise LayerError("upsample needs exactly one of 'scale' and 'size'", "scale" if a.scale else None,
                         "give 'scale: 2' to double every axis, or 'size: [H, W]' for a fixed size")  # fmt: skip
    if a.scale is not None:
        out = tuple(n * s for n, s in zip(spatial, per_axis(a.scale, rank, "scale")))
    else:
        out = per_axis(a.size, rank, "size")  # type: ignore[arg-type]
    taps = RESIZE_TAPS[a.mode]
    # the first output's taps are input positions 0 .. taps-1, centred at (taps-1)/2 - pad
    window = Window((taps,) * rank, tuple(Fraction(n, o) for n, o in zip(spatial, out)), ((taps - 1) // 2,) * rank)
    return Facts(output=(channels, *out), window=window)


@record
class Crop:
    size: Size = arg(doc="output size per spatial axis (centred)")


@layer("crop", Crop, label=lambda a, rank: "→" + axes_text(a.size, rank), saves=saved.NOTHING)
def crop(x: Shape, a: Crop) -> Facts:
    """Centre crop to `size` (the 2015 U-Net's skip connections): (in − size) // 2
    positions dropped before, the rest after. A new tensor; the receptive
    field's start moves by the positions dropped."""
    channels, spatial = _spatial(x, "crop")
    rank = len(spatial)
    size = per_axis(a.size, rank, "size")
    names = axis_names(rank)
    for name, n, s in zip(names, spatial, size):
        if s > n:
            raise LayerError(
                f"crop size {s} is larger than the input's {n} on axis {name} (input {_shape_text(x)})",
                "size",
                f"crop to at most {n}",
            )
    window = Window((1,) * rank, (1,) * rank, tuple(-((n - s) // 2) for n, s in zip(spatial, size)))
    return Facts(output=(channels, *size), window=window)
