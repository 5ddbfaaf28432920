"""Layer types that move elements without computing any, from docs/spec-contract.md's
version 2 table: channel_shuffle, slice, flatten, reshape, permute,
space_to_depth and depth_to_space.

Same contract as every family (:mod:`cnncalc.layers`): one argument record and one pure rule
per type, MACs 0. Views (``slice``, ``flatten``, ``reshape``, ``permute``) add no
activation memory; a shuffle or a space/depth rearrangement makes a new tensor.
"""

from __future__ import annotations

import math
from fractions import Fraction

from . import saved
from .describe import POINTWISE, Example, Formulas
from .errors import LayerError
from .layer_parts import divides, shape_text, split_spatial
from .record import record
from .registry import (
    GLOBAL,
    VIEW,
    Axes,
    Facts,
    Shape,
    Window,
    arg,
    layer,
)
from .shapes import Division, axis_names


def _spatial_rf(x: Shape, y: Shape) -> Window | str | None:
    """The receptive field after a layer that rearranges axes: unchanged when
    the spatial sizes are, else not tracked (null, as after flatten)."""
    return None if x[1:] == y[1:] else GLOBAL


# --- channels ------------------------------------------------------------------------


@record
class ChannelShuffle:
    groups: int


@layer(
    "channel_shuffle",
    ChannelShuffle,
    short="shuffle",
    saves=saved.NOTHING,
    formulas=POINTWISE,
    example=Example((116, 28, 28), {"groups": 2}),
)
def channel_shuffle(x: Shape, a: ChannelShuffle) -> Facts:
    """ShuffleNet's channel shuffle: same shape, a new tensor; `groups` must divide C."""
    divides(x[0], a.groups, "channels")
    return Facts(output=x)


@record
class Slice:
    stop: int
    start: int = arg(0, minimum=0)
    axis: int = arg(0, minimum=0)


def _slice_label(a: Slice, rank: int) -> str:
    return f"{a.start}:{a.stop}" + (f" axis {a.axis}" if a.axis else "")


@layer(
    "slice",
    Slice,
    label=_slice_label,
    tags=(VIEW,),
    saves=saved.NOTHING,
    formulas=Formulas(output="[start, stop) of axis, the other axes unchanged (a view)"),
    example=Example((116, 28, 28), {"stop": 58}),
)
def slice_(x: Shape, a: Slice) -> Facts:
    """The range [start, stop) of one axis (0: the channels); a view, so no
    activation memory. On a spatial axis it moves the receptive field's start."""
    if a.axis >= len(x):
        raise LayerError(
            f"axis {a.axis} does not exist: the input {shape_text(x)} has axes 0 to {len(x) - 1}",
            "axis",
            "0 is the channels, 1 the first spatial axis",
        )
    size = x[a.axis]
    if a.stop > size:
        raise LayerError(
            f"stop {a.stop} is past the end of axis {a.axis}, which has {size} entries (input {shape_text(x)})",
            "stop",
            f"use a stop of at most {size}",
        )
    if a.start >= a.stop:
        raise LayerError(
            f"start {a.start} is not before stop {a.stop}: the slice would be empty", "start", f"use 0 to {a.stop - 1}"
        )
    output = (*x[: a.axis], a.stop - a.start, *x[a.axis + 1 :])
    window = None
    if a.axis > 0:
        rank = len(x) - 1
        pads = tuple(-a.start if i == a.axis - 1 else 0 for i in range(rank))
        window = Window((1,) * rank, (1,) * rank, pads)
    return Facts(output=output, window=window, in_place=True)


# --- views that rearrange axes -------------------------------------------------------


@record
class Flatten:
    start: int = arg(0, minimum=0, doc="first axis collapsed (0: everything; 1: keep the channels, [C, H·W])")


@layer(
    "flatten",
    Flatten,
    label=lambda a, rank: f"start {a.start}" if a.start else "",
    tags=(VIEW,),
    saves=saved.NOTHING,
    formulas=Formulas(output="[∏ of the axes from start on] (start 0: one axis)", rf="all"),
    example=Example((64, 7, 7)),
)
def flatten(x: Shape, a: Flatten) -> Facts:
    """Collapse the axes from `start` on into one: `start: 0` (the default) gives
    [prod(shape)], `start: 1` turns [C, H, W] into [C, H·W] (tokens). A view."""
    if a.start >= len(x):
        raise LayerError(
            f"start {a.start} is not an axis of the input {shape_text(x)} (axes 0 to {len(x) - 1})",
            "start",
            "0 flattens everything, 1 keeps the channels",
        )
    output = (*x[: a.start], math.prod(x[a.start :]))
    if a.start == 0:
        return Facts(output=output, window=GLOBAL if len(x) > 1 else None, in_place=True)
    # [C, H·W] is tokens (the table shows "196 tokens × 768")
    return Facts(output=output, window=_spatial_rf(x, output), in_place=True, tokens=len(output) == 2 or None)


@record
class Reshape:
    shape: Axes = arg(minimum=-1)


@layer(
    "reshape",
    Reshape,
    label=lambda a, rank: "→" + shape_text(a.shape if isinstance(a.shape, tuple) else [a.shape]),
    tags=(VIEW,),
    saves=saved.NOTHING,
    formulas=Formulas(output="shape (one entry may be −1); the element count unchanged", rf="all"),
    example=Example((64, 8, 8), {"shape": [64, -1]}),
)
def reshape(x: Shape, a: Reshape) -> Facts:
    """View the tensor as `shape` (channels first, no batch); one entry may be -1
    (worked out from the element count). A view: no activation memory."""
    wanted = a.shape if isinstance(a.shape, tuple) else (a.shape,)
    count = math.prod(x)
    if 0 in wanted:
        raise LayerError(f"shape {shape_text(wanted)} has a 0", "shape", "give sizes of at least 1, or one -1")
    if wanted.count(-1) > 1:
        raise LayerError(f"shape {shape_text(wanted)} has more than one -1", "shape", "leave at most one size as -1")
    known = math.prod(n for n in wanted if n != -1)
    if -1 in wanted:
        if count % known:
            raise LayerError(
                f"shape {shape_text(wanted)} does not fit: the input {shape_text(x)} has {count:,} elements, "
                f"not a multiple of the {known:,} the other sizes hold",
                "shape",
                "make the product of the other sizes divide the element count",
            )
        output = tuple(count // known if n == -1 else n for n in wanted)
    elif known != count:
        raise LayerError(
            f"shape {shape_text(wanted)} holds {known:,} elements but the input {shape_text(x)} has {count:,}",
            "shape",
            "make the element counts equal, or write one size as -1",
        )
    else:
        output = wanted
    return Facts(output=output, window=_spatial_rf(x, output), in_place=True)


@record
class Permute:
    order: Axes = arg(minimum=0)


@layer(
    "permute",
    Permute,
    label=lambda a, rank: shape_text(a.order if isinstance(a.order, tuple) else [a.order]),
    tags=(VIEW,),
    saves=saved.NOTHING,
    formulas=Formulas(output="the axes in order", rf="all"),
    example=Example((64, 8, 8), {"order": [1, 2, 0]}),
)
def permute(x: Shape, a: Permute) -> Facts:
    """Reorder the axes (0 = the channels): output axis i is input axis order[i]. A view."""
    order = a.order if isinstance(a.order, tuple) else (a.order,)
    if sorted(order) != list(range(len(x))):
        raise LayerError(
            f"order {shape_text(order)} is not a permutation of the axes 0 to {len(x) - 1} of {shape_text(x)}",
            "order",
            f"list each of 0 to {len(x) - 1} once",
        )
    output = tuple(x[i] for i in order)
    window = None if order == tuple(range(len(x))) else GLOBAL
    return Facts(output=output, window=window, in_place=True)


# --- space and depth -----------------------------------------------------------------


@record
class SpaceToDepth:
    block: int
    pad: bool = False


@layer(
    "space_to_depth",
    SpaceToDepth,
    label=lambda a, rank: f"/{a.block}" + (" pad" if a.pad else ""),
    saves=saved.NOTHING,
    formulas=Formulas(
        output="[C·block^n, …] with ceil(in / block) per spatial axis",
        rf="r_out = r_in + (block − 1)·j_in, j_out = j_in·block",
    ),
    example=Example((64, 8, 8), {"block": 2}),
)
def space_to_depth(x: Shape, a: SpaceToDepth) -> Facts:
    """PixelUnshuffle (Swin's patch merging with `pad`): [C·b^n, *ceil(spatial/b)], a
    new tensor. The receptive field grows like a kernel and stride of `block`."""
    channels, spatial = split_spatial(x, "space_to_depth")
    rank = len(spatial)
    names = axis_names(rank)
    divisions = []
    for name, n in zip(names, spatial):
        if n % a.block and not a.pad:
            raise LayerError(
                f"block {a.block} does not divide the size {n} of axis {name}",
                "block",
                f"use a block that divides every spatial size, or 'pad: true' to pad {n} up to "
                f"{-(-n // a.block) * a.block}",
            )
        padded = -(-n // a.block) * a.block
        # padding at the end only (as Swin pads); 'same' marks the rounding up as exact
        divisions.append(Division(name, n, 0, padded - n, a.block, a.block, same=a.pad))
    output = (channels * a.block**rank, *(d.out for d in divisions))
    window = Window((a.block,) * rank, (a.block,) * rank, (0,) * rank)
    return Facts(output=output, window=window, divisions=tuple(divisions))


@record
class DepthToSpace:
    block: int


@layer(
    "depth_to_space",
    DepthToSpace,
    label=lambda a, rank: f"×{a.block}",
    saves=saved.NOTHING,
    formulas=Formulas(output="[C/block^n, …] with in·block per spatial axis", rf="j_out = j_in/block"),
    example=Example((64, 8, 8), {"block": 2}),
)
def depth_to_space(x: Shape, a: DepthToSpace) -> Facts:
    """PixelShuffle: [C/b^n, *spatial·b], a new tensor; b^n must divide C."""
    channels, spatial = split_spatial(x, "depth_to_space")
    rank = len(spatial)
    per_block = a.block**rank
    if channels % per_block:
        raise LayerError(
            f"block {a.block} needs the channels to be a multiple of {a.block}^{rank} = {per_block}, "
            f"but there are {channels}",
            "block",
            "use a block whose power divides the channels",
        )
    window = Window((1,) * rank, (Fraction(1, a.block),) * rank, (0,) * rank)
    return Facts(output=(channels // per_block, *(n * a.block for n in spatial)), window=window)
