"""Every built-in layer type: its arguments and one pure rule.

A rule takes the input shape (channels first, no batch) and its arguments and
returns :class:`Facts`. MACs count multiply-accumulates of conv and dense
layers only, bias additions excluded (torchvision's "GFLOPS" figure).
Adding a layer type is one dataclass and one function here, plus its test.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from . import (
    attention as _attention,  # noqa: F401  (registers the transformer types)
    saved,
)
from .describe import POINTWISE, WINDOW_OUT, WINDOW_RF, Example, Formulas
from .errors import SAME_EVEN, LayerError
from .record import record
from .registry import (
    ACTIVATION,
    BROADCAST,
    EQUAL,
    GLOBAL,
    IN_PLACE,
    STACK,
    Facts,
    OptionalSize,
    Padding,
    Shape,
    Size,
    Window,
    arg,
    axes_text,
    composite,
    layer,
    merge,
    uniform_text,
    window_label,
)
from .shapes import Division, axis_names, per_axis, window_axis


def _spatial(x: Shape, type_name: str) -> tuple[int, tuple[int, ...]]:
    if len(x) < 2:
        raise LayerError(
            f"{type_name} needs an input with spatial axes, but its input is the flat vector {list(x)}",
            hint="remove the flatten/dense before it, or give 'input' as [C, H, W]",
        )
    return x[0], x[1:]


def _windows(
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


def _window(divisions: tuple[Division, ...]) -> Window:
    return Window(
        tuple(d.k_eff for d in divisions),
        tuple(d.stride for d in divisions),
        tuple(d.pad_before for d in divisions),
    )


def _same_even_warning(kernel: Size, padding: Padding, rank: int) -> tuple[tuple[str, str], ...]:
    if padding == "same" and any(k % 2 == 0 for k in per_axis(kernel, rank, "kernel")):
        return (
            (SAME_EVEN, "'padding: same' with an even kernel pads one side more than the other (asymmetric padding)"),
        )
    return ()


def _groups_hint(channels: int, filters: int, what: str = "groups") -> str:
    """The valid values: the common divisors of the channels and filters."""
    common = math.gcd(channels, filters)
    small = [d for d in range(1, math.isqrt(common) + 1) if common % d == 0]
    divisors = sorted({*small, *(common // d for d in small)})
    shown = ", ".join(map(str, divisors[:12])) + (", ..." if len(divisors) > 12 else "")
    return f"{what} can be {shown}" if len(divisors) > 1 else f"{what} can only be 1 here"


# --- convolutions -----------------------------------------------------------


def _shape_text(shape: Shape | list[int]) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def _divides(count: int, groups: int, what: str, arg_name: str = "groups") -> None:
    if count % groups:
        raise LayerError(
            f"{arg_name}={groups} does not divide the {count} {what}", arg_name, _groups_hint(count, count, arg_name)
        )


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
    channels, spatial = _spatial(x, "conv")
    if channels % a.groups:
        raise LayerError(
            f"groups={a.groups} does not divide the {channels} input channels",
            "groups",
            _groups_hint(channels, a.filters),
        )
    if a.filters % a.groups:
        raise LayerError(
            f"groups={a.groups} does not divide filters={a.filters}", "groups", _groups_hint(channels, a.filters)
        )
    divisions = _windows(spatial, a.kernel, a.stride, a.dilation, a.padding)
    out = tuple(d.out for d in divisions)
    per_filter = channels // a.groups * math.prod(per_axis(a.kernel, len(spatial), "kernel"))
    return Facts(
        output=(a.filters, *out),
        trainable=a.filters * per_filter + (a.filters if a.bias else 0),
        macs=a.filters * per_filter * math.prod(out),
        window=_window(divisions),
        divisions=divisions,
        warnings=_same_even_warning(a.kernel, a.padding, len(spatial)),
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
    channels, spatial = _spatial(x, "depthwise_conv")
    divisions = _windows(spatial, a.kernel, a.stride, a.dilation, a.padding)
    out = tuple(d.out for d in divisions)
    filters = channels * a.multiplier
    per_filter = math.prod(per_axis(a.kernel, len(spatial), "kernel"))
    return Facts(
        output=(filters, *out),
        trainable=filters * per_filter + (filters if a.bias else 0),
        macs=filters * per_filter * math.prod(out),
        window=_window(divisions),
        divisions=divisions,
        warnings=_same_even_warning(a.kernel, a.padding, len(spatial)),
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
        rf="r_out = r_in + (ceil(k_eff/stride) − 1)·j_in, j_out = j_in/stride",
    ),
    example=Example((64, 16, 16), {"filters": 32, "kernel": 2, "stride": 2}),
)
def conv_transpose(x: Shape, a: ConvTranspose) -> Facts:
    """Transposed convolution: out = (in − 1)·stride − 2p + k_eff + output_padding.
    MACs = input positions × C·(filters/groups)·∏k (as torch's flop counter)."""
    channels, spatial = _spatial(x, "conv_transpose")
    rank = len(spatial)
    if channels % a.groups or a.filters % a.groups:
        raise LayerError(
            f"groups={a.groups} must divide both the {channels} input channels and filters={a.filters}",
            "groups",
            _groups_hint(channels, a.filters),
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
    )
    return Facts(
        output=(a.filters, *out),
        trainable=weights + (a.filters if a.bias else 0),
        macs=weights * math.prod(spatial),
        window=window,
    )


# --- pooling ----------------------------------------------------------------


@record
class Pool:
    kernel: Size
    stride: OptionalSize = None
    padding: Padding = arg(0, minimum=0)
    ceil_mode: bool = False
    allow_inexact: bool = False


def _pool(x: Shape, a: Pool, type_name: str) -> Facts:
    channels, spatial = _spatial(x, type_name)
    stride = a.kernel if a.stride is None else a.stride
    if not isinstance(a.padding, str):
        for k, p in zip(per_axis(a.kernel, len(spatial), "kernel"), per_axis(a.padding, len(spatial), "padding")):
            if 2 * p > k:
                raise LayerError(
                    f"padding {p} is more than half the kernel {k} (a window could see only padding)",
                    "padding",
                    f"use a padding of at most {k // 2}, or a larger kernel",
                )
    divisions = _windows(spatial, a.kernel, stride, 1, a.padding, a.ceil_mode)
    return Facts(
        output=(channels, *(d.out for d in divisions)),
        window=_window(divisions),
        divisions=divisions,
        warnings=_same_even_warning(a.kernel, a.padding, len(spatial)),
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


@record
class NoArgs:
    pass


def _global(x: Shape, type_name: str) -> Facts:
    channels, _ = _spatial(x, type_name)
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
    channels, spatial = _spatial(x, type_name)
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
        window = Window(kernels, tuple(Fraction(n, o) for n, o in zip(spatial, out)), (0,) * len(out))
    return Facts(output=(channels, *out), window=window)


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
        rf="r_out = r_in + (w − 1)·j_in, j_out = j_in·in/output (w: the widest window; all for output 1)",
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
        rf="r_out = r_in + (w − 1)·j_in, j_out = j_in·in/output (w: the widest window; all for output 1)",
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
            f"kernel {a.kernel} does not divide the {x[0]} input channels", "kernel", _groups_hint(x[0], x[0], "kernel")
        )
    return Facts(output=(x[0] // a.kernel, *x[1:]))


# --- normalisation ----------------------------------------------------------


@layer(
    "batchnorm",
    NoArgs,
    saves=saved.BATCHNORM,
    formulas=Formulas(params="2C trainable (γ, β) + 2C non-trainable (running mean, variance)"),
)
def batchnorm(x: Shape, a: NoArgs) -> Facts:
    """Batch normalisation over channels: γ, β trainable; running mean and variance
    non-trainable (Keras counts them as params, PyTorch as buffers)."""
    return Facts(output=x, trainable=2 * x[0], non_trainable=2 * x[0])


@layer(
    "layernorm",
    NoArgs,
    saves=saved.LAYERNORM,
    formulas=Formulas(params="2C trainable (γ, β)"),
    example=Example((768, 197)),
)
def layernorm(x: Shape, a: NoArgs) -> Facts:
    """Layer normalisation over channels: γ and β, 2C trainable params."""
    return Facts(output=x, trainable=2 * x[0])


@record
class Lrn:
    size: int = arg(5, doc="channels each response is normalised over")


# F.local_response_norm's ops: mul keeps the input, avg_pool the padded squares, pow
# its base and result (div keeps the input and that result): about three more input-sized tensors
_LRN = saved.Keeps(inputs=True, extra=lambda shapes, out, a: (3 * math.prod(out), 0, 0))


@layer("lrn", Lrn, saves=_LRN, formulas=POINTWISE)
def lrn(x: Shape, a: Lrn) -> Facts:
    """Local response normalisation across `size` channels (AlexNet); no params."""
    return Facts(output=x)


# --- element-wise -----------------------------------------------------------


def _activation(name: str, saves: saved.Keeps) -> None:
    def rule(x: Shape, a: NoArgs) -> Facts:
        return Facts(output=x, in_place=True)

    rule.__doc__ = f"{name}: element-wise, same shape, no params; in place, so no activation memory."
    layer(name, NoArgs, tags=(ACTIVATION, IN_PLACE), saves=saves, formulas=POINTWISE)(rule)


# What autograd keeps, for each as torchvision uses it (in place where the module can be):
# in-place ReLU, LeakyReLU and ELU their output; in-place ReLU6 (hardtanh_), SiLU and Hardswish
# need the input's old values, so autograd keeps a copy; GELU keeps its input, sigmoid, tanh
# and softmax their output, and all four write a new tensor (they have no in-place form).
_ACTIVATION_SAVES = {
    "relu": saved.OUTPUT,
    "relu6": saved.COPY,
    "leaky_relu": saved.OUTPUT,
    "elu": saved.OUTPUT,
    "gelu": saved.NEW_INPUT,
    "silu": saved.COPY,
    "hardswish": saved.COPY,
    "sigmoid": saved.NEW_OUTPUT,
    "tanh": saved.NEW_OUTPUT,
    "softmax": saved.NEW_OUTPUT,
}
for _name, _saves in _ACTIVATION_SAVES.items():
    _activation(_name, _saves)


@record
class Dropout:
    rate: float = arg(0.5, minimum=0, maximum=1)


def _dropout_saves(a: Dropout) -> saved.Keeps:
    """In training a new output and its noise tensor (float on CPU, 1 byte on GPU); at rate 0 the input itself."""
    return saved.DROPOUT if a.rate > 0 else saved.NOTHING


@layer(
    "dropout", Dropout, label=lambda a, rank: f"{a.rate:g}", tags=(IN_PLACE,), saves=_dropout_saves, formulas=POINTWISE
)
def dropout(x: Shape, a: Dropout) -> Facts:
    """Dropout: same shape, no params, counted in place (identity at inference)."""
    return Facts(output=x, in_place=True)


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


# --- resizing ---------------------------------------------------------------


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
    channels, spatial = _spatial(x, "zero_pad")
    pad = per_axis(a.padding, len(spatial), "padding")
    window = Window((1,) * len(pad), (1,) * len(pad), pad)
    return Facts(output=(channels, *(n + 2 * p for n, p in zip(spatial, pad))), window=window)


# --- merges ---------------------------------------------------------------
# A merge declares how its inputs meet on each axis; its rule, schema and
# `sizes` support follow (registry.merge).

_SHORTCUT_HINT = "match the filters and strides of the branches (a projection shortcut: conv 1×1 with the same stride)"


@merge(
    "add",
    NoArgs,
    hint=_SHORTCUT_HINT,
    saves=saved.NOTHING,
    formulas=Formulas(output="the broadcast shape (each axis equal, or 1)", rf="the largest input's"),
)
def add(a: NoArgs, rank: int) -> tuple[str, ...]:
    """Element-wise sum of the branches (residual); shapes equal, where a size of 1 broadcasts."""
    return (BROADCAST,) * rank


@merge(
    "multiply",
    NoArgs,
    hint="a size of 1 broadcasts: a squeeze-and-excitation gate is [C, 1, 1], never [C]",
    saves=saved.INPUT,  # x · gate keeps both (every input)
    formulas=Formulas(output="the broadcast shape (each axis equal, or 1)", rf="the largest input's"),
)
def multiply(a: NoArgs, rank: int) -> tuple[str, ...]:
    """Element-wise product of the branches (a squeeze-and-excitation gate); a size of 1 broadcasts."""
    return (BROADCAST,) * rank


@record
class Concat:
    axis: int = arg(0, minimum=0, maximum=3)


def _concat_label(a: Concat, rank: int) -> str:
    return f"axis {a.axis}" if a.axis else ""


@merge(
    "concat",
    Concat,
    hint="give every branch the same strides and padding",
    label=_concat_label,
    saves=saved.NOTHING,
    formulas=Formulas(
        output="the inputs stacked on axis (0: channels); the other axes equal", rf="the largest input's"
    ),
)
def concat(a: Concat, rank: int) -> tuple[str, ...]:
    """Stack the branches on `axis` (0, the channels, by default); every other axis must be equal."""
    if a.axis >= rank:
        raise LayerError(
            f"axis {a.axis} is past the last axis of its inputs (rank {rank})",
            "axis",
            f"use 0 (the channels) to {rank - 1}",
        )
    return tuple(STACK if axis == a.axis else EQUAL for axis in range(rank))


# The version 2 types (and flatten, upsample with their v2 arguments) live in
# modules by family; importing them here registers them wherever layers is
# imported, in this order (`cnncalc layers` lists the types in it).
from . import (  # noqa: E402,F401
    elementwise as _elementwise,
    norms as _norms,
    rearrange as _rearrange,
    resize as _resize,
)
