"""Merges, layer types with several inputs: add, multiply, concat. Each declares
how its inputs meet on each axis; its rule, schema and `sizes` support follow
(registry.merge).
"""

from __future__ import annotations

from . import saved
from .describe import Formulas
from .errors import LayerError
from .layer_parts import NoArgs
from .record import record
from .registry import (
    BROADCAST,
    EQUAL,
    STACK,
    arg,
    merge,
)

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
