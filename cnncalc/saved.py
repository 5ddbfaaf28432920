"""What PyTorch's autograd keeps of one layer for the backward pass.

Each layer type declares a :class:`Keeps` beside its rule (``@layer(...,
saves=...)``): the tensors its backward function saves, as PyTorch's
``derivatives.yaml`` says for the op that implements it, and whether PyTorch
writes its output to a new tensor. :mod:`cnncalc.memory` turns the
declarations into bytes, each tensor counted once however many layers keep it.

Ground floor: no cnncalc module but ``record`` is imported.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .record import record

Shape = tuple[int, ...]
# (input shapes, output shape, arguments) → (elements per sample in the activation
# dtype, bytes per sample at a fixed width, bytes for the whole batch): what a layer
# keeps beyond its inputs and output (indices, statistics, a dropout mask)
Extra = Callable[[tuple[Shape, ...], Shape, Any], tuple[int, int, int]]


@record
class Keeps:
    """The tensors autograd saves for one layer in training (parameters excluded)."""

    inputs: bool = False  # every input tensor (conv and dense their input, multiply both)
    output: bool = False  # its output (relu, sigmoid, tanh, softmax)
    copy: bool = False  # a new copy of its input: in-place ReLU6/SiLU/Hardswish need the original values
    extra: Extra | None = None  # anything else it makes and keeps (pooling indices, norm statistics, masks)
    # PyTorch writes a new output although cnncalc counts the layer in place (GELU,
    # sigmoid, tanh, softmax have no in-place form); None: as the rule says
    allocates: bool | None = None
    train_allocates: bool = False  # a new output in training only (dropout: identity at inference)
    # autocast runs it in low precision (conv, linear, attention's projections): under a mixed
    # precision it makes a low-precision copy of its weights, kept until its backward is done
    casts: bool = False
    # its inputs are kept only for its params' gradient (PyTorch's mm and mul save them only then):
    # frozen ('trainable: false'), it keeps none. Conv and norms keep theirs frozen or not.
    inputs_for_params: bool = False


# A declaration is a Keeps, or a function of the layer's arguments giving one
# (dropout keeps nothing at rate 0).
Saves = Keeps | Callable[[Any], Keeps]

NOTHING = Keeps()
INPUT = Keeps(inputs=True)
CAST_INPUT = Keeps(inputs=True, casts=True)  # conv and dense: their input, and autocast's weight copy
OUTPUT = Keeps(output=True)


def _indices(shapes: tuple[Shape, ...], out: Shape, args: Any) -> tuple[int, int, int]:
    return 0, 8 * math.prod(out), 0  # int64, one per output element


def _channel_stats(shapes: tuple[Shape, ...], out: Shape, args: Any) -> tuple[int, int, int]:
    return 0, 0, 2 * 4 * shapes[0][0]  # BatchNorm's save_mean and save_invstd: float32 per channel


def _position_stats(shapes: tuple[Shape, ...], out: Shape, args: Any) -> tuple[int, int, int]:
    return 0, 2 * 4 * math.prod(shapes[0][1:]), 0  # LayerNorm's mean and rstd: float32 per position


def _mask(shapes: tuple[Shape, ...], out: Shape, args: Any) -> tuple[int, int, int]:
    return math.prod(out), 0, 0  # dropout's noise tensor, as large as its output


INDICES = Keeps(inputs=True, extra=_indices)  # max pooling: its input and the int64 indices
INDICES_ONLY = Keeps(extra=_indices)  # a max over one axis: indices only
BATCHNORM = Keeps(inputs=True, extra=_channel_stats)
LAYERNORM = Keeps(inputs=True, extra=_position_stats)
COPY = Keeps(copy=True)  # in place, but autograd keeps a copy of the input
WEIGHTED_INPUT = Keeps(inputs=True, inputs_for_params=True)  # scale: x·γ keeps x for γ's gradient
CAST_WEIGHTED_INPUT = Keeps(inputs=True, casts=True, inputs_for_params=True)  # dense: x·W, autocast's copy of W
NEW_OUTPUT = Keeps(output=True, allocates=True)  # sigmoid, tanh, softmax
NEW_INPUT = Keeps(inputs=True, allocates=True)  # GELU, Mish: keep the input, write a new output
DROPOUT = Keeps(extra=_mask, train_allocates=True)


def keeps(saves: Saves, args: Any) -> Keeps:
    """A type's declaration for one layer's arguments."""
    return saves if isinstance(saves, Keeps) else saves(args)
