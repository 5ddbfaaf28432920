"""Normalisations and learned scales: batchnorm, layernorm, lrn, and version 2's
scale (a layer scale), groupnorm, instancenorm.

Same contract as every family (:mod:`cnncalc.layers`): one argument record and
one pure rule per type. MACs 0 (torch counts element-wise ops as none); each
makes a new tensor.
"""

from __future__ import annotations

import math

from . import saved
from .describe import POINTWISE, Example, Formulas
from .layer_parts import NoArgs, divides
from .record import record
from .registry import Facts, Shape, arg, layer

# --- norms and learned scales: a new tensor each -------------------------------------


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
    divides(x[0], a.groups, "channels")
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
