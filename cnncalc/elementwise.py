"""Element-wise layer types, in place: the activations (relu to softmax, and
version 2's hardsigmoid and Mish), dropout, identity, stochastic depth, PReLU.

Same contract as every family (:mod:`cnncalc.layers`): one argument record and
one pure rule per type. None multiplies-accumulates anything (MACs 0), and none
adds activation memory: each writes over its input.
"""

from __future__ import annotations

from . import saved
from .describe import POINTWISE, Formulas
from .layer_parts import NoArgs
from .record import record
from .registry import (
    ACTIVATION,
    IN_PLACE,
    Facts,
    Shape,
    arg,
    layer,
)

# --- element-wise, in place ----------------------------------------------------------


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


# in-place hardsigmoid needs its input's old values (a copy); Mish keeps its input
# and writes a new output
for _name, _saves in (("hardsigmoid", saved.COPY), ("mish", saved.NEW_INPUT)):
    _activation(_name, _saves)


@layer("identity", NoArgs, tags=(IN_PLACE,), saves=saved.NOTHING, formulas=POINTWISE)
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
    formulas=POINTWISE,
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
    formulas=Formulas(params="1 (shared) or C"),
)
def prelu(x: Shape, a: Prelu) -> Facts:
    """PReLU: one learned slope (shared) or one per channel; in place like every activation."""
    return Facts(output=x, trainable=1 if a.shared else x[0], in_place=True)
