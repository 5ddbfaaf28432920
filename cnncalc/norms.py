"""Learned scales and norms of SPEC-FORMAT's version 2 table: scale (a layer
scale), groupnorm, instancenorm.

Same contract as :mod:`cnncalc.layers`: one argument record and one pure rule
per type. MACs 0 (torch counts element-wise ops as none); each makes a new
tensor.
"""

from __future__ import annotations

from . import saved
from .describe import Example, Formulas
from .layers import _divides
from .record import record
from .registry import (
    Facts,
    Shape,
    layer,
)

# --- learned scales and norms: a new tensor each -------------------------------------


@record
class Scale:
    bias: bool = False


@layer(
    "scale",
    Scale,
    label=lambda a, rank: "+bias" if a.bias else "",
    saves=saved.WEIGHTED_INPUT,  # x · γ keeps x
    formulas=Formulas(params="C, or 2C with bias"),
)
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


@layer(
    "groupnorm",
    GroupNorm,
    saves=_GROUPNORM,
    formulas=Formulas(params="2C trainable (γ, β)"),
    example=Example((64, 32, 32), {"groups": 32}),
)
def groupnorm(x: Shape, a: GroupNorm) -> Facts:
    """Group normalisation (PyTorch GroupNorm, affine): γ and β per channel, 2C params;
    `groups` must divide C."""
    _divides(x[0], a.groups, "channels")
    return Facts(output=x, trainable=2 * x[0])


@record
class InstanceNorm:
    affine: bool = False


@layer(
    "instancenorm",
    InstanceNorm,
    label=lambda a, rank: "affine" if a.affine else "",
    saves=_INSTANCENORM,
    formulas=Formulas(params="2C trainable with affine, else 0"),
)
def instancenorm(x: Shape, a: InstanceNorm) -> Facts:
    """Instance normalisation (PyTorch InstanceNorm, no running statistics):
    2C params with `affine`, else none."""
    return Facts(output=x, trainable=2 * x[0] if a.affine else 0)
