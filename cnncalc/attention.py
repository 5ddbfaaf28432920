"""Transformer layer types: tokens, their learned tensors, and attention.

Tokens are a 1-D map, channels first: ``[D, N]`` is N tokens of width D
(docs/spec-contract.md, version 2). ``attention`` works on any map (N = the product
of the spatial sizes); ``window_attention`` is Swin's, window by window.
MACs include the two attention matmuls, Q·Kᵀ and A·V, as torchvision's model
table counts them; softmax, scaling and masks count nothing.
"""

from __future__ import annotations

import math

from . import saved
from .describe import Example, Formulas
from .errors import LayerError
from .record import record
from .registry import GLOBAL, Facts, Shape, Size, Window, arg, axes_text, layer
from .shapes import Division, axis_names, per_axis


def _divisors(n: int) -> list[int]:
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return sorted({*small, *(n // d for d in small)})


def _listed(values: list[int]) -> str:
    return ", ".join(map(str, values[:12])) + (", ..." if len(values) > 12 else "")


def _tokens(x: Shape, type_name: str) -> tuple[int, int]:
    """The width D and the number of tokens N of a ``[D, N]`` input."""
    if len(x) != 2:
        found = "the flat vector" if len(x) == 1 else "the map"
        raise LayerError(
            f"{type_name} needs tokens [D, N], but its input is {found} {list(x)}",
            hint="turn a map [C, H, W] into tokens with 'flatten: {start: 1}' before it"
            if len(x) > 2
            else "keep the tokens: use 'flatten: {start: 1}' rather than 'flatten' or a global pool before it",
        )
    return x[0], x[1]


def _positions(x: Shape, type_name: str) -> tuple[int, tuple[int, ...]]:
    if len(x) < 2:
        raise LayerError(
            f"{type_name} needs tokens [D, N] or a map [C, H, W], but its input is the flat vector {list(x)}",
            hint="attend over tokens: use 'flatten: {start: 1}' (a map [C, H, W] becomes [C, H·W]) "
            "rather than 'flatten', a global pool or a dense layer on a flat vector before it",
        )
    return x[0], x[1:]


def _check_heads(width: int, heads: int) -> None:
    if width % heads:
        raise LayerError(
            f"heads={heads} does not divide the width {width} (each head gets width/heads channels)",
            "heads",
            f"heads can be {_listed(_divisors(width))}",
        )


def _heads_label(heads: int, qkv_bias: bool, proj_bias: bool) -> str:
    parts = [f"{heads} head" + ("s" if heads != 1 else "")]
    if not qkv_bias:
        parts.append("no qkv bias")
    if not proj_bias:
        parts.append("no proj bias")
    return ", ".join(parts)


# --- tokens -------------------------------------------------------------------------


@record
class ClassToken:
    pass


@layer(
    "class_token",
    ClassToken,
    short="cls_token",
    label=lambda a, rank: "",
    saves=saved.NOTHING,  # a cat
    formulas=Formulas(output="[D, N + 1]", params="D"),
    example=Example((768, 196)),
)
def class_token(x: Shape, a: ClassToken) -> Facts:
    """One learned token prepended on the token axis: [D, N] → [D, N+1]; D params (ViT's class token)."""
    width, count = _tokens(x, "class_token")
    return Facts(output=(width, count + 1), trainable=width, tokens=True)


@record
class PositionEmbedding:
    learned: bool = True


@layer(
    "position_embedding",
    PositionEmbedding,
    short="pos_embed",
    label=lambda a, rank: "" if a.learned else "fixed",
    saves=saved.NOTHING,  # an addition
    formulas=Formulas(params="D·N when learned, else 0"),
    example=Example((768, 197)),
)
def position_embedding(x: Shape, a: PositionEmbedding) -> Facts:
    """A position embedding added to every token: same shape; D·N params if learned
    (ViT's [1, N, D] parameter), none if fixed (sinusoidal). The sum is a new tensor."""
    width, positions = _positions(x, "position_embedding")
    return Facts(output=x, trainable=width * math.prod(positions) if a.learned else 0)


# --- attention ----------------------------------------------------------------------


@record
class Attention:
    heads: int
    qkv_bias: bool = True
    proj_bias: bool = True


def _attention_params(width: int, qkv_bias: bool, proj_bias: bool) -> int:
    """Q, K, V and output projections: 3D² + D² weights (+3D, +D biases)."""
    return 4 * width * width + (3 * width if qkv_bias else 0) + (width if proj_bias else 0)


def _attention_macs(positions: int, width: int) -> int:
    """Projections 4·N·D², then Q·Kᵀ and A·V: N²·D each (summed over the heads)."""
    return 4 * positions * width * width + 2 * positions * positions * width


def _sdpa_kept(shapes: tuple[Shape, ...], out: Shape, a: Attention) -> tuple[int, int, int]:
    """PyTorch's fused attention keeps q, k, v, its output (which the output projection
    reads as a view) and a float32 log-sum-exp per head and row, never the N×N matrix."""
    positions = math.prod(out[1:])
    return 4 * out[0] * positions, 4 * a.heads * positions, 0


@layer(
    "attention",
    Attention,
    label=lambda a, rank: _heads_label(a.heads, a.qkv_bias, a.proj_bias),
    saves=saved.Keeps(inputs=True, extra=_sdpa_kept, casts=True),  # the input: the q, k, v projection's
    formulas=Formulas(
        params="4D² (+ 4D with both biases)",
        macs="4·N·D² + 2·N²·D (N: the positions)",
        rf="all (every position sees every other)",
    ),
    example=Example((768, 197), {"heads": 12}),
)
def attention(x: Shape, a: Attention) -> Facts:
    """Multi-head self-attention over all N positions (torch MultiheadAttention):
    params 4D² (+4D biases); MACs 4·N·D² + 2·N²·D; an attention matrix of heads·N² elements."""
    width, positions = _positions(x, "attention")
    _check_heads(width, a.heads)
    count = math.prod(positions)
    return Facts(
        output=x,
        trainable=_attention_params(width, a.qkv_bias, a.proj_bias),
        macs=_attention_macs(count, width),
        window=GLOBAL,
        attention_matrix=a.heads * count * count,
    )


@record
class WindowAttention:
    heads: int
    window: Size
    shift: Size = arg(0, minimum=0)
    pad: bool = True
    qkv_bias: bool = True
    proj_bias: bool = True


def _window_label(a: WindowAttention, rank: int) -> str:
    text = axes_text(a.window, rank)
    if a.shift not in (0, (0,) * rank):
        text += " shift " + axes_text(a.shift, rank)
    return f"{text}, {_heads_label(a.heads, a.qkv_bias, a.proj_bias)}" + ("" if a.pad else ", no pad")


def _tiling(spatial: tuple[int, ...], window: tuple[int, ...], pad: bool) -> tuple[Division, ...]:
    """Without padding the window must tile the map: one division per axis, exact by
    construction (a window that does not tile is an error), so ``sizes`` reads the
    constraint. With padding the map is padded up and any size fits."""
    names = axis_names(len(spatial))
    for name, size, w in zip(names, spatial, window):
        if not pad and size % w:
            fits = [d for d in _divisors(size) if d > 1]
            raise LayerError(
                f"window {w} does not tile the {size} positions on axis {name}"
                + (" (it is larger than the map)" if w > size else ""),
                "window",
                (f"use a window that divides {size} ({_listed(fits)}), or " if fits else "use ")
                + "'pad: true' to pad the map up to a multiple of the window (as Swin does)",
            )
    if pad:
        return ()
    return tuple(Division(name, size, 0, 0, w, w) for name, size, w in zip(names, spatial, window))


def _window_kept(shapes: tuple[Shape, ...], out: Shape, a: WindowAttention) -> tuple[int, int, int]:
    """torchvision's shifted_window_attention, op by op: the windows' copy of the input (the
    qkv projection's), q·k·v, the scaled q, the softmax output (its attention matrices)
    and the output projection's input; not verified against PyTorch."""
    window = per_axis(a.window, len(out) - 1, "window")
    windows = math.prod(-(-n // w) for n, w in zip(out[1:], window))
    positions = windows * math.prod(window)
    return 6 * out[0] * positions + windows * a.heads * math.prod(window) ** 2, 0, 0


@layer(
    "window_attention",
    WindowAttention,
    short="win_attn",
    label=_window_label,
    saves=saved.Keeps(extra=_window_kept),
    formulas=Formulas(
        params="4C² (+ 4C with both biases) + ∏(2·wᵢ − 1)·heads (relative-position bias)",
        macs="per window of W = ∏wᵢ positions, 4·W·C² + 2·W²·C; times ∏ceil(sizeᵢ/wᵢ) windows",
        rf="r_out = r_in + (window − 1)·j_in (a stride-1 window)",
    ),
    example=Example((96, 56, 56), {"heads": 3, "window": 7}),
)
def window_attention(x: Shape, a: WindowAttention) -> Facts:
    """Swin's (shifted) window attention: the map padded up to a multiple of the window,
    attention inside each window of W = ∏wᵢ positions. Params 4C² (+4C) + ∏(2wᵢ−1)·heads
    relative-position bias; MACs (4·W·C² + 2·W²·C) per window."""
    channels, spatial = _positions(x, "window_attention")
    _check_heads(channels, a.heads)
    rank = len(spatial)
    window = per_axis(a.window, rank, "window")
    shift = per_axis(a.shift, rank, "shift")
    for name, w, s in zip(axis_names(rank), window, shift):
        if s >= w:
            raise LayerError(
                f"shift {s} is not smaller than the window {w} on axis {name}",
                "shift",
                f"use a shift from 0 to {w - 1} (Swin shifts by half the window: {w // 2})",
            )
    divisions = _tiling(spatial, window, a.pad)
    windows = math.prod(-(-n // w) for n, w in zip(spatial, window))
    size = math.prod(window)
    bias_table = math.prod(2 * w - 1 for w in window) * a.heads
    return Facts(
        output=x,
        trainable=_attention_params(channels, a.qkv_bias, a.proj_bias) + bias_table,
        macs=windows * _attention_macs(size, channels),
        # each position sees the positions of its window: a stride-1 kernel of that size
        window=Window(window, (1,) * rank, tuple((w - 1) // 2 for w in window)),
        divisions=divisions,
        attention_matrix=windows * a.heads * size * size,
    )
