"""Every built-in layer type, registered by importing this module.

The types live in modules by family, each type one argument record and one
pure rule: a rule takes the input shape (channels first, no batch) and its
arguments and returns :class:`~cnncalc.registry.Facts`. MACs count multiply-accumulates of conv,
dense and attention layers only, bias additions excluded (torchvision's
"GFLOPS" figure). Adding a layer type is one record and one rule in its
family's module (with its formulas, cnncalc.describe), plus its test.
"""

from __future__ import annotations

# Importing the families registers their types, in this order.
from . import (  # noqa: F401
    attention as _attention,  # class_token, position_embedding, attention, window_attention
    conv as _conv,  # conv, depthwise_conv, separable_conv, conv_transpose, dense
    elementwise as _elementwise,  # the activations, dropout, identity, stochastic_depth, prelu
    merges as _merges,  # add, multiply, concat
    norms as _norms,  # batchnorm, layernorm, lrn, scale, groupnorm, instancenorm
    pooling as _pooling,  # maxpool, avgpool, global and adaptive pools, channel_maxpool
    rearrange as _rearrange,  # channel_shuffle, slice, flatten, reshape, permute, space/depth
    resize as _resize,  # zero_pad, upsample, crop
)
from .layer_parts import NoArgs as NoArgs  # the record of a type without arguments, by its old name
