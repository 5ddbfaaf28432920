"""The single-input layer types of SPEC-FORMAT's version 2 table.

Same contract as :mod:`cnncalc.layers`: one argument dataclass and one pure
rule per type. None of these multiplies-accumulates anything, so every MACs
figure here is 0. Activation memory: views (``slice``, ``reshape``,
``permute``) and in-place layers (activations, ``identity``,
``stochastic_depth``) add none; the others (a shuffle, a resize, a crop, a
space/depth rearrangement, a norm, a scale) create a tensor.
"""

from __future__ import annotations

import math
from fractions import Fraction

from . import saved
from .errors import LayerError
from .layers import NoArgs, _activation, _groups_hint, _spatial
from .record import record
from .registry import (
    ACTIVATION,
    GLOBAL,
    IN_PLACE,
    VIEW,
    Axes,
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
from .shapes import Division, axis_names, per_axis


def _shape_text(shape: Shape | list[int]) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def _divides(count: int, groups: int, what: str, arg_name: str = "groups") -> None:
    if count % groups:
        raise LayerError(
            f"{arg_name}={groups} does not divide the {count} {what}", arg_name, _groups_hint(count, count, arg_name)
        )


def _spatial_rf(x: Shape, y: Shape) -> Window | str | None:
    """The receptive field after a layer that rearranges axes: unchanged when
    the spatial sizes are, else not tracked (null, as after flatten)."""
    return None if x[1:] == y[1:] else GLOBAL


# --- element-wise, in place ----------------------------------------------------------

# in-place hardsigmoid needs its input's old values (a copy); Mish keeps its input
# and writes a new output
for _name, _saves in (("hardsigmoid", saved.COPY), ("mish", saved.NEW_INPUT)):
    _activation(_name, _saves)


@layer("identity", NoArgs, tags=(IN_PLACE,), saves=saved.NOTHING)
def identity(x: Shape, a: NoArgs) -> Facts:
    """The input unchanged (torch.nn.Identity, a placeholder): no params, no memory,
    nothing kept for backward; not a nonlinearity."""
    return Facts(output=x, in_place=True)


@record
class StochasticDepth:
    rate: float = arg(0.0, minimum=0, maximum=1)


def _stochastic_depth_saves(a: StochasticDepth) -> saved.Keeps:
    """torchvision multiplies by a noise tensor of one value per sample: a new output, the noise kept."""
    return _DROP_PATH if a.rate > 0 else saved.NOTHING


_DROP_PATH = saved.Keeps(extra=lambda shapes, out, a: (1, 0, 0), train_allocates=True)


@layer(
    "stochastic_depth",
    StochasticDepth,
    short="drop_path",
    label=lambda a, rank: f"{a.rate:g}",
    tags=(IN_PLACE,),
    saves=_stochastic_depth_saves,
)
def stochastic_depth(x: Shape, a: StochasticDepth) -> Facts:
    """Stochastic depth (drop path): drops the whole residual branch with probability
    `rate` in training; same shape, no params, in place (identity at inference)."""
    return Facts(output=x, in_place=True)


@record
class Prelu:
    shared: bool = True


@layer(
    "prelu",
    Prelu,
    label=lambda a, rank: "" if a.shared else "per-channel",
    tags=(ACTIVATION, IN_PLACE),
    saves=saved.INPUT,
)
def prelu(x: Shape, a: Prelu) -> Facts:
    """PReLU: one learned slope (shared) or one per channel; in place like every activation."""
    return Facts(output=x, trainable=1 if a.shared else x[0], in_place=True)


# --- learned scales and norms: a new tensor each -------------------------------------


@record
class Scale:
    bias: bool = False


@layer("scale", Scale, label=lambda a, rank: "+bias" if a.bias else "", saves=saved.WEIGHTED_INPUT)  # x · γ keeps x
def scale(x: Shape, a: Scale) -> Facts:
    """A learned multiplier per channel (ConvNeXt's layer scale): C params, or 2C
    with a bias (an affine map); no MACs (torch counts elementwise ops as 0)."""
    return Facts(output=x, trainable=x[0] * (2 if a.bias else 1))


@record
class GroupNorm:
    groups: int


# its input and a float32 mean and rstd per sample and group
_GROUPNORM = saved.Keeps(inputs=True, extra=lambda shapes, out, a: (0, 2 * 4 * a.groups, 0))
# PyTorch runs it as batch norm over samples × channels: its input and float32 statistics per sample and channel
_INSTANCENORM = saved.Keeps(inputs=True, extra=lambda shapes, out, a: (0, 2 * 4 * shapes[0][0], 0))


@layer("groupnorm", GroupNorm, saves=_GROUPNORM)
def groupnorm(x: Shape, a: GroupNorm) -> Facts:
    """Group normalisation (PyTorch GroupNorm, affine): γ and β per channel, 2C params;
    `groups` must divide C."""
    _divides(x[0], a.groups, "channels")
    return Facts(output=x, trainable=2 * x[0])


@record
class InstanceNorm:
    affine: bool = False


@layer("instancenorm", InstanceNorm, label=lambda a, rank: "affine" if a.affine else "", saves=_INSTANCENORM)
def instancenorm(x: Shape, a: InstanceNorm) -> Facts:
    """Instance normalisation (PyTorch InstanceNorm, no running statistics):
    2C params with `affine`, else none."""
    return Facts(output=x, trainable=2 * x[0] if a.affine else 0)


# --- channels ------------------------------------------------------------------------


@record
class ChannelShuffle:
    groups: int


@layer("channel_shuffle", ChannelShuffle, short="shuffle", saves=saved.NOTHING)
def channel_shuffle(x: Shape, a: ChannelShuffle) -> Facts:
    """ShuffleNet's channel shuffle: same shape, a new tensor; `groups` must divide C."""
    _divides(x[0], a.groups, "channels")
    return Facts(output=x)


@record
class Slice:
    stop: int
    start: int = arg(0, minimum=0)
    axis: int = arg(0, minimum=0)


def _slice_label(a: Slice, rank: int) -> str:
    return f"{a.start}:{a.stop}" + (f" axis {a.axis}" if a.axis else "")


@layer("slice", Slice, label=_slice_label, tags=(VIEW,), saves=saved.NOTHING)
def slice_(x: Shape, a: Slice) -> Facts:
    """The range [start, stop) of one axis (0: the channels); a view, so no
    activation memory. On a spatial axis it moves the receptive field's start."""
    if a.axis >= len(x):
        raise LayerError(
            f"axis {a.axis} does not exist: the input {_shape_text(x)} has axes 0 to {len(x) - 1}",
            "axis",
            "0 is the channels, 1 the first spatial axis",
        )
    size = x[a.axis]
    if a.stop > size:
        raise LayerError(
            f"stop {a.stop} is past the end of axis {a.axis}, which has {size} entries (input {_shape_text(x)})",
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
    "flatten", Flatten, label=lambda a, rank: f"start {a.start}" if a.start else "", tags=(VIEW,), saves=saved.NOTHING
)
def flatten(x: Shape, a: Flatten) -> Facts:
    """Collapse the axes from `start` on into one: `start: 0` (the default) gives
    [prod(shape)], `start: 1` turns [C, H, W] into [C, H·W] (tokens). A view."""
    if a.start >= len(x):
        raise LayerError(
            f"start {a.start} is not an axis of the input {_shape_text(x)} (axes 0 to {len(x) - 1})",
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
    label=lambda a, rank: "→" + _shape_text(a.shape if isinstance(a.shape, tuple) else [a.shape]),
    tags=(VIEW,),
    saves=saved.NOTHING,
)
def reshape(x: Shape, a: Reshape) -> Facts:
    """View the tensor as `shape` (channels first, no batch); one entry may be -1
    (worked out from the element count). A view: no activation memory."""
    wanted = a.shape if isinstance(a.shape, tuple) else (a.shape,)
    count = math.prod(x)
    if 0 in wanted:
        raise LayerError(f"shape {_shape_text(wanted)} has a 0", "shape", "give sizes of at least 1, or one -1")
    if wanted.count(-1) > 1:
        raise LayerError(f"shape {_shape_text(wanted)} has more than one -1", "shape", "leave at most one size as -1")
    known = math.prod(n for n in wanted if n != -1)
    if -1 in wanted:
        if count % known:
            raise LayerError(
                f"shape {_shape_text(wanted)} does not fit: the input {_shape_text(x)} has {count:,} elements, "
                f"not a multiple of the {known:,} the other sizes hold",
                "shape",
                "make the product of the other sizes divide the element count",
            )
        output = tuple(count // known if n == -1 else n for n in wanted)
    elif known != count:
        raise LayerError(
            f"shape {_shape_text(wanted)} holds {known:,} elements but the input {_shape_text(x)} has {count:,}",
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
    label=lambda a, rank: _shape_text(a.order if isinstance(a.order, tuple) else [a.order]),
    tags=(VIEW,),
    saves=saved.NOTHING,
)
def permute(x: Shape, a: Permute) -> Facts:
    """Reorder the axes (0 = the channels): output axis i is input axis order[i]. A view."""
    order = a.order if isinstance(a.order, tuple) else (a.order,)
    if sorted(order) != list(range(len(x))):
        raise LayerError(
            f"order {_shape_text(order)} is not a permutation of the axes 0 to {len(x) - 1} of {_shape_text(x)}",
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
)
def space_to_depth(x: Shape, a: SpaceToDepth) -> Facts:
    """PixelUnshuffle (Swin's patch merging with `pad`): [C·b^n, *ceil(spatial/b)], a
    new tensor. The receptive field grows like a kernel and stride of `block`."""
    channels, spatial = _spatial(x, "space_to_depth")
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


@layer("depth_to_space", DepthToSpace, label=lambda a, rank: f"×{a.block}", saves=saved.NOTHING)
def depth_to_space(x: Shape, a: DepthToSpace) -> Facts:
    """PixelShuffle: [C/b^n, *spatial·b], a new tensor; b^n must divide C."""
    channels, spatial = _spatial(x, "depth_to_space")
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
