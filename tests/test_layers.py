"""Tier 1: the formula table of every built-in layer type, hand-derived.

Each expected number is written out as the arithmetic that produces it, from
SPEC-FORMAT.md's table and output-size formulas, the PyTorch / Keras docs
formulas, or the course notes in shared/seeds -- never copied from cnncalc.
Cases cover 1, 2 and 3 spatial axes. Negative cases check that the error names
the argument at fault (and, through YAML text, points at its line:col).
"""

from __future__ import annotations

import math

import pytest

import cnncalc
from cnncalc.errors import LayerError, SpecError
from cnncalc.registry import REGISTRY


def run(input_shape, *layers, **kwargs):
    """Analyse a one-path spec given as Python data; the report."""
    return cnncalc.analyze({"input": list(input_shape), "layers": list(layers)}, **kwargs)


def last(input_shape, *layers, **kwargs):
    """The JSON row of the last layer."""
    return run(input_shape, *layers, **kwargs).to_dict()["layers"][-1]


def rule(type_name, shape, **args):
    """Call a layer type's rule directly, bypassing the loader."""
    layer_type = REGISTRY.get(type_name)
    return layer_type.rule(tuple(shape), layer_type.args_class(**args))


def spec_error(text):
    """The SpecError of a YAML spec text."""
    with pytest.raises(SpecError) as info:
        cnncalc.analyze(text)
    return info.value


# --- conv ----------------------------------------------------------------------------

CONV_CASES = [
    # id, input, args, output, params, macs
    (
        "2d k3 (CS231n: 3 -> 64 on 224, padding 1)",
        [3, 224, 224],
        {"filters": 64, "kernel": 3, "padding": 1},
        [64, (224 + 2 * 1 - 3) // 1 + 1, (224 + 2 * 1 - 3) // 1 + 1],
        64 * (3 * 3 * 3) + 64,
        64 * (3 * 3 * 3) * 224 * 224,
    ),
    (
        "2d k3 no padding (Keras conv2d_1: 3 -> 32 on 224)",
        [3, 224, 224],
        {"filters": 32, "kernel": 3},
        [32, 224 - 3 + 1, 224 - 3 + 1],
        32 * (3 * 3 * 3) + 32,  # 896, the seed's Keras summary
        32 * (3 * 3 * 3) * 222 * 222,
    ),
    (
        "2d k5 s1 on 32 (CS231n example 1: 5*5*3 weights + 1 bias per filter)",
        [3, 32, 32],
        {"filters": 10, "kernel": 5},
        [10, 32 - 5 + 1, 32 - 5 + 1],
        10 * (5 * 5 * 3 + 1),
        10 * (5 * 5 * 3) * 28 * 28,
    ),
    (
        "2d stride 2 exact (AlexNet-like 11x11/4 on 227)",
        [3, 227, 227],
        {"filters": 96, "kernel": 11, "stride": 4},
        [96, (227 - 11) // 4 + 1, (227 - 11) // 4 + 1],  # 216/4 = 54, +1 = 55
        96 * (11 * 11 * 3) + 96,
        96 * (11 * 11 * 3) * 55 * 55,
    ),
    (
        "2d stride as a list [2, 1]",
        [4, 9, 9],
        {"filters": 8, "kernel": 3, "stride": [2, 1]},
        [8, (9 - 3) // 2 + 1, (9 - 3) // 1 + 1],  # 4 x 7
        8 * (4 * 3 * 3) + 8,
        8 * (4 * 3 * 3) * 4 * 7,
    ),
    (
        "2d kernel and padding lists (Inception 1x7)",
        [16, 17, 17],
        {"filters": 32, "kernel": [1, 7], "padding": [0, 3]},
        [32, (17 + 0 - 1) + 1, (17 + 2 * 3 - 7) + 1],  # 17 x 17
        32 * (16 * 1 * 7) + 32,
        32 * (16 * 1 * 7) * 17 * 17,
    ),
    (
        "2d padding valid = 0",
        [3, 10, 10],
        {"filters": 4, "kernel": 3, "padding": "valid"},
        [4, 10 - 3 + 1, 10 - 3 + 1],
        4 * 27 + 4,
        4 * 27 * 8 * 8,
    ),
    (
        "2d padding same, stride 1: same size",
        [3, 10, 10],
        {"filters": 4, "kernel": 3, "padding": "same"},
        [4, 10, 10],
        4 * 27 + 4,
        4 * 27 * 10 * 10,
    ),
    (
        "2d padding same, stride 2: ceil(in / stride) (TensorFlow)",
        [3, 225, 225],
        {"filters": 4, "kernel": 3, "stride": 2, "padding": "same"},
        [4, math.ceil(225 / 2), math.ceil(225 / 2)],  # 113
        4 * 27 + 4,
        4 * 27 * 113 * 113,
    ),
    (
        "2d dilation 2: k_eff = 2*(3-1)+1 = 5, weights still 3x3",
        [2, 9, 9],
        {"filters": 3, "kernel": 3, "dilation": 2},
        [3, 9 - (2 * (3 - 1) + 1) + 1, 9 - 5 + 1],  # 5 x 5
        3 * (2 * 3 * 3) + 3,
        3 * (2 * 3 * 3) * 5 * 5,
    ),
    (
        "2d groups 4: each filter sees C/groups channels",
        [8, 6, 6],
        {"filters": 16, "kernel": 3, "groups": 4},
        [16, 4, 4],
        16 * ((8 // 4) * 3 * 3) + 16,
        16 * ((8 // 4) * 3 * 3) * 4 * 4,
    ),
    (
        "2d bias false",
        [3, 8, 8],
        {"filters": 6, "kernel": 3, "bias": False},
        [6, 6, 6],
        6 * (3 * 3 * 3),
        6 * (3 * 3 * 3) * 6 * 6,
    ),
    (
        # CS231n: "a 7x7 input and a 3x3 filter with stride 1 and pad 0 would get a 5x5 output"
        "1d k3 s1 on 7 (CS231n: output 5)",
        [1, 7],
        {"filters": 1, "kernel": 3},
        [1, (7 - 3) // 1 + 1],
        1 * 3 + 1,
        1 * 3 * 5,
    ),
    (
        # CS231n: "with stride 2 we would get a 3x3 output"
        "1d k3 s2 on 7 (CS231n: output 3)",
        [1, 7],
        {"filters": 1, "kernel": 3, "stride": 2},
        [1, (7 - 3) // 2 + 1],
        1 * 3 + 1,
        1 * 3 * 3,
    ),
    (
        # CS231n: W=5, F=3, P=1, S=2: (5 - 3 + 2)/2 + 1 = 3
        "1d k3 s2 p1 on 5",
        [1, 5],
        {"filters": 1, "kernel": 3, "stride": 2, "padding": 1},
        [1, (5 - 3 + 2 * 1) // 2 + 1],
        1 * 3 + 1,
        1 * 3 * 3,
    ),
    (
        "1d k5 s2 on 101",
        [3, 101],
        {"filters": 8, "kernel": 5, "stride": 2},
        [8, (101 - 5) // 2 + 1],  # 49
        8 * (3 * 5) + 8,
        8 * (3 * 5) * 49,
    ),
    (
        "3d k3 on 8^3",
        [2, 8, 8, 8],
        {"filters": 4, "kernel": 3},
        [4, 6, 6, 6],
        4 * (2 * 3 * 3 * 3) + 4,
        4 * (2 * 3 * 3 * 3) * 6 * 6 * 6,
    ),
    (
        "3d kernel [1, 3, 3], stride [1, 2, 2], padding [0, 1, 1]",
        [3, 16, 32, 32],
        {"filters": 8, "kernel": [1, 3, 3], "stride": [1, 2, 2], "padding": [0, 1, 1]},
        [8, 16, (32 + 2 - 3) // 2 + 1, (32 + 2 - 3) // 2 + 1],  # 31/2 -> 15 + 1 = 16 (inexact)
        8 * (3 * 1 * 3 * 3) + 8,
        8 * (3 * 1 * 3 * 3) * 16 * 16 * 16,
    ),
]


@pytest.mark.parametrize("shape,args,output,params,macs", [c[1:] for c in CONV_CASES], ids=[c[0] for c in CONV_CASES])
def test_conv(shape, args, output, params, macs):
    row = last(shape, {"conv": args})
    assert row["type"] == "conv"
    assert row["output"] == output
    assert row["params"] == row["trainable"] == params
    assert row["non_trainable"] == 0
    assert row["macs"] == macs
    assert row["activations"] == math.prod(output)


def test_conv_rule_directly_3d():
    facts = rule("conv", (2, 5, 6, 7), filters=3, kernel=[1, 2, 3])
    assert facts.output == (3, 5 - 1 + 1, 6 - 2 + 1, 7 - 3 + 1)
    assert facts.trainable == 3 * (2 * 1 * 2 * 3) + 3
    assert facts.macs == 3 * (2 * 1 * 2 * 3) * 5 * 5 * 5
    assert facts.exact


def test_conv_keras_summary_chain():
    # seed 002 (Keras model.summary()): 896, 18496, 73856, then Dense(10) on 218x218x128: 1290
    report = run(
        [3, 224, 224],
        {"conv": {"filters": 32, "kernel": 3}},
        {"conv": {"filters": 64, "kernel": 3}},
        {"conv": {"filters": 128, "kernel": 3}},
        {"dense": {"units": 10}},
    )
    params = [r.params for r in report.rows]
    assert params == [32 * 27 + 32, 64 * (32 * 9) + 64, 128 * (64 * 9) + 128, 128 * 10 + 10]
    assert params == [896, 18496, 73856, 1290]
    assert report.rows[-1].output == (10, 218, 218)


# --- depthwise / separable -------------------------------------------------------------


@pytest.mark.parametrize(
    "shape,args,output,params,macs",
    [
        ([16, 8, 8], {"kernel": 3, "padding": 1}, [16, 8, 8], 16 * 9 + 16, 16 * 9 * 8 * 8),
        ([16, 8, 8], {"kernel": 3, "padding": 1, "multiplier": 2}, [32, 8, 8], 32 * 9 + 32, 32 * 9 * 64),
        ([16, 9, 9], {"kernel": 3, "stride": 2, "bias": False}, [16, 4, 4], 16 * 9, 16 * 9 * 16),
        ([32, 112, 112], {"kernel": 3, "stride": 2, "padding": "same"}, [32, 56, 56], 32 * 9 + 32, 32 * 9 * 56 * 56),
        ([4, 20], {"kernel": 5, "multiplier": 3}, [12, 16], 12 * 5 + 12, 12 * 5 * 16),
        ([2, 4, 4, 4], {"kernel": 3, "padding": 1}, [2, 4, 4, 4], 2 * 27 + 2, 2 * 27 * 64),
    ],
    ids=["2d", "2d multiplier 2", "2d stride 2 bias false", "2d same /2", "1d multiplier 3", "3d"],
)
def test_depthwise_conv(shape, args, output, params, macs):
    row = last(shape, {"depthwise_conv": args})
    assert row["type"] == "depthwise_conv"
    assert row["output"] == output
    assert row["params"] == params
    assert row["macs"] == macs


def test_separable_conv_keras_16_to_32():
    # Keras SeparableConv2D(32, 3) on 16 channels: 16*3*3 depthwise + 16*32 pointwise + 32 bias = 688
    report = run([16, 8, 8], {"separable_conv": {"filters": 32, "kernel": 3, "padding": 1}})
    depthwise, pointwise = report.rows
    assert (depthwise.type, pointwise.type) == ("depthwise_conv", "conv")
    assert depthwise.params == 16 * 3 * 3  # no bias on the depthwise part
    assert pointwise.params == 16 * 32 + 32
    assert depthwise.output == (16, 8, 8)
    assert pointwise.output == (32, 8, 8)
    assert report.totals.params == 16 * 9 + 16 * 32 + 32 == 688
    assert depthwise.macs == 16 * 9 * 8 * 8
    assert pointwise.macs == 16 * 32 * 8 * 8
    # the standard conv it replaces (seed notes): 16*32*3*3 + 32 = 4640
    standard = run([16, 8, 8], {"conv": {"filters": 32, "kernel": 3, "padding": 1}})
    assert standard.totals.params == 16 * 32 * 9 + 32 == 4640


def test_separable_conv_multiplier_bias_false_stride():
    report = run(
        [16, 9, 9], {"separable_conv": {"filters": 32, "kernel": 3, "stride": 2, "multiplier": 2, "bias": False}}
    )
    depthwise, pointwise = report.rows
    assert depthwise.output == (32, 4, 4)  # (9-3)/2+1 = 4, channels 16*2
    assert depthwise.params == 32 * 9
    assert pointwise.params == 32 * 32
    assert pointwise.output == (32, 4, 4)


# --- conv_transpose ------------------------------------------------------------------


def test_conv_transpose_pytorch_stride2():
    # torch.nn.ConvTranspose2d(16, 33, 3, stride=2) on 50x100; the docs' formula
    # H_out = (H_in - 1)*stride - 2*padding + dilation*(kernel-1) + output_padding + 1
    h = (50 - 1) * 2 - 2 * 0 + 1 * (3 - 1) + 0 + 1
    w = (100 - 1) * 2 - 2 * 0 + 1 * (3 - 1) + 0 + 1
    assert (h, w) == (101, 201)
    row = last([16, 50, 100], {"conv_transpose": {"filters": 33, "kernel": 3, "stride": 2}})
    assert row["output"] == [33, h, w]
    assert row["params"] == 16 * 33 * 3 * 3 + 33  # weight (in, out/groups, kH, kW) + bias
    assert row["macs"] == 16 * 33 * 3 * 3 * 50 * 100  # every input element times out*k*k
    assert row["exact"] is True


def test_conv_transpose_pytorch_docs_example():
    # ConvTranspose2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2)) on 50x100
    h = (50 - 1) * 2 - 2 * 4 + (3 - 1) + 1  # 93
    w = (100 - 1) * 1 - 2 * 2 + (5 - 1) + 1  # 100
    row = last(
        [16, 50, 100], {"conv_transpose": {"filters": 33, "kernel": [3, 5], "stride": [2, 1], "padding": [4, 2]}}
    )
    assert row["output"] == [33, h, w] == [33, 93, 100]
    assert row["params"] == 16 * 33 * 3 * 5 + 33


@pytest.mark.parametrize(
    "shape,args,output,params",
    [
        # DCGAN-like 4 -> 8: (4-1)*2 - 2*1 + 4 = 8
        ([64, 4, 4], {"filters": 32, "kernel": 4, "stride": 2, "padding": 1}, [32, 8, 8], 64 * 32 * 16 + 32),
        # output_padding 1: (7-1)*2 - 2*1 + 3 + 1 = 14
        (
            [8, 7, 7],
            {"filters": 4, "kernel": 3, "stride": 2, "padding": 1, "output_padding": 1},
            [4, 14, 14],
            8 * 4 * 9 + 4,
        ),
        # dilation 2: k_eff 5, (5-1)*1 + 5 = 9
        ([2, 5, 5], {"filters": 2, "kernel": 3, "dilation": 2}, [2, 9, 9], 2 * 2 * 9 + 2),
        # groups 2: weight (in, out/groups, k, k)
        ([4, 3, 3], {"filters": 6, "kernel": 2, "groups": 2, "bias": False}, [6, 4, 4], 4 * (6 // 2) * 4),
        # 1-D: (10-1)*3 + 4 = 31
        ([1, 10], {"filters": 1, "kernel": 4, "stride": 3}, [1, 31], 1 * 1 * 4 + 1),
        # 3-D: (2-1)*2 + 2 = 4
        ([3, 2, 2, 2], {"filters": 5, "kernel": 2, "stride": 2}, [5, 4, 4, 4], 3 * 5 * 8 + 5),
    ],
    ids=["4x4 /2 p1", "output_padding", "dilation", "groups", "1d", "3d"],
)
def test_conv_transpose_table(shape, args, output, params):
    row = last(shape, {"conv_transpose": args})
    assert row["output"] == output
    assert row["params"] == params


# --- pooling -------------------------------------------------------------------------

POOL_CASES = [
    # id, input, args, output, exact
    ("default stride = kernel", [64, 224, 224], {"kernel": 2}, [64, 112, 112], True),
    ("3/2 on 55 (AlexNet)", [96, 55, 55], {"kernel": 3, "stride": 2}, [96, (55 - 3) // 2 + 1, (55 - 3) // 2 + 1], True),
    ("2/2 on 7: floor, inexact", [8, 7, 7], {"kernel": 2}, [8, (7 - 2) // 2 + 1, 3], False),
    ("3/1 p1 keeps size", [8, 28, 28], {"kernel": 3, "stride": 1, "padding": 1}, [8, 28, 28], True),
    (
        "3/2 p1 on 112 (ResNet stem): inexact",
        [64, 112, 112],
        {"kernel": 3, "stride": 2, "padding": 1},
        [64, 56, 56],
        False,
    ),
    # size 5, kernel 2, stride 2, ceil: ceil((5-2)/2) + 1 = 2 + 1 = 3; last window starts at 4 < 5, kept
    ("ceil_mode 5 k2 s2 -> 3", [1, 5, 5], {"kernel": 2, "stride": 2, "ceil_mode": True}, [1, 3, 3], False),
    # GoogLeNet: 3/2 ceil on 112: ceil(109/2) + 1 = 55 + 1 = 56
    ("ceil_mode 3/2 on 112 -> 56", [64, 112, 112], {"kernel": 3, "stride": 2, "ceil_mode": True}, [64, 56, 56], False),
    # ceil_mode without remainder changes nothing: (6-2)/2 + 1 = 3
    ("ceil_mode exact", [1, 6, 6], {"kernel": 2, "ceil_mode": True}, [1, 3, 3], True),
    # the correction: size 6, kernel 1, stride 4: ceil(5/4) + 1 = 3, but window 3 would start
    # at (3-1)*4 = 8 >= 6, outside the input, so PyTorch drops it -> 2
    ("ceil_mode correction, no padding", [1, 6], {"kernel": 1, "stride": 4, "ceil_mode": True}, [1, 2], False),
    # with padding: size 4, kernel 2, stride 3, pad 1: ceil(4/3) + 1 = 3; (3-1)*3 = 6 >= 4 + 1 -> 2
    (
        "ceil_mode correction with padding",
        [1, 4, 4],
        {"kernel": 2, "stride": 3, "padding": 1, "ceil_mode": True},
        [1, 2, 2],
        False,
    ),
    ("same /2 on 7 -> ceil(7/2)", [3, 7, 7], {"kernel": 2, "padding": "same"}, [3, 4, 4], True),
    ("valid", [3, 7, 7], {"kernel": 3, "stride": 2, "padding": "valid"}, [3, 3, 3], True),
    ("kernel list", [3, 8, 9], {"kernel": [2, 3]}, [3, 4, 3], True),
    ("1d", [4, 100], {"kernel": 4}, [4, 25], True),
    ("3d", [4, 8, 16, 16], {"kernel": [1, 2, 2]}, [4, 8, 8, 8], True),
]


@pytest.mark.parametrize("pool", ["maxpool", "avgpool"])
@pytest.mark.parametrize("shape,args,output,exact", [c[1:] for c in POOL_CASES], ids=[c[0] for c in POOL_CASES])
def test_pool(pool, shape, args, output, exact):
    row = last(shape, {pool: args})
    assert row["type"] == pool
    assert row["output"] == output
    assert row["exact"] is exact
    assert row["params"] == 0
    assert row["macs"] == 0
    assert row["activations"] == math.prod(output)


@pytest.mark.parametrize("pool", ["global_avgpool", "global_maxpool"])
@pytest.mark.parametrize("shape", [[512, 7, 7], [32, 100], [16, 4, 8, 8]], ids=["2d", "1d", "3d"])
def test_global_pool(pool, shape):
    row = last(shape, pool)
    assert row["output"] == [shape[0]]
    assert row["params"] == row["macs"] == 0
    assert row["activations"] == shape[0]
    assert row["rf"] is None


@pytest.mark.parametrize("pool", ["adaptive_avgpool", "adaptive_maxpool"])
@pytest.mark.parametrize(
    "shape,output,expected",
    [
        ([512, 14, 14], [7, 7], [512, 7, 7]),
        ([512, 7, 7], 7, [512, 7, 7]),  # an int for every axis (VGG's AdaptiveAvgPool2d((7, 7)))
        ([512, 13, 10], [6, 6], [512, 6, 6]),  # uneven windows, still exact
        ([8, 100], [10], [8, 10]),
        ([8, 9, 9, 9], [3, 1, 1], [8, 3, 1, 1]),
    ],
    ids=["2d 14->7", "int", "uneven", "1d", "3d"],
)
def test_adaptive_pool(pool, shape, output, expected):
    row = last(shape, {pool: {"output": output}})
    assert row["output"] == expected
    assert row["params"] == row["macs"] == 0
    assert row["exact"] is True


def test_adaptive_pool_to_one_is_global():
    assert last([64, 7, 7], {"adaptive_avgpool": {"output": [1, 1]}})["rf"] is None


@pytest.mark.parametrize(
    "shape,kernel,output",
    [([64, 8, 8], 4, [64 // 4, 8, 8]), ([6, 10], 3, [2, 10]), ([8, 2, 2, 2], 8, [1, 2, 2, 2])],
    ids=["2d", "1d", "3d"],
)
def test_channel_maxpool(shape, kernel, output):
    row = last(shape, {"channel_maxpool": {"kernel": kernel}})
    assert row["output"] == output
    assert row["params"] == row["macs"] == 0


# --- normalisation, activations, dropout, flatten ------------------------------------


@pytest.mark.parametrize("shape", [[64, 56, 56], [16, 100], [8, 4, 4, 4], [10]], ids=["2d", "1d", "3d", "flat"])
def test_batchnorm(shape):
    row = last(shape, "batchnorm")
    c = shape[0]
    assert row["output"] == shape
    assert row["trainable"] == 2 * c  # gamma, beta
    assert row["non_trainable"] == 2 * c  # running mean, running variance
    assert row["params"] == 4 * c
    assert row["macs"] == 0
    assert row["activations"] == math.prod(shape)


@pytest.mark.parametrize("shape", [[64, 56, 56], [16, 100], [8, 4, 4, 4], [10]], ids=["2d", "1d", "3d", "flat"])
def test_layernorm(shape):
    row = last(shape, "layernorm")
    assert row["output"] == shape
    assert (row["trainable"], row["non_trainable"]) == (2 * shape[0], 0)


def test_lrn():
    for layer in ("lrn", {"lrn": {"size": 3}}):
        row = last([96, 55, 55], layer)
        assert row["output"] == [96, 55, 55]
        assert row["params"] == row["macs"] == 0
        assert row["activations"] == 96 * 55 * 55  # not an in-place activation


ACTIVATIONS = ["relu", "relu6", "leaky_relu", "elu", "gelu", "silu", "hardswish", "sigmoid", "tanh", "softmax"]


@pytest.mark.parametrize("shape", [[8, 6, 6], [8, 6], [8, 2, 3, 4], [10]], ids=["2d", "1d", "3d", "flat"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_activation(activation, shape):
    report = run(shape, {"conv": {"filters": 2, "kernel": 1}} if len(shape) > 1 else "batchnorm", activation)
    row = report.to_dict()["layers"][-1]
    assert row["type"] == activation
    assert row["output"] == report.to_dict()["layers"][0]["output"]
    assert row["params"] == row["macs"] == 0
    assert row["activations"] == 0  # in place
    assert row["rf"] == report.to_dict()["layers"][0]["rf"]


@pytest.mark.parametrize("layer", ["dropout", {"dropout": {"rate": 0.2}}, {"dropout": {"rate": 0}}])
def test_dropout(layer):
    row = last([4096], layer)
    assert row["output"] == [4096]
    assert row["params"] == row["activations"] == 0


@pytest.mark.parametrize(
    "shape", [[512, 7, 7], [16, 30], [4, 2, 3, 5], [100]], ids=["2d 25088 (VGG)", "1d", "3d", "flat"]
)
def test_flatten(shape):
    row = last(shape, "flatten")
    assert row["output"] == [math.prod(shape)]
    assert row["activations"] == 0  # a view
    assert row["params"] == row["macs"] == 0
    assert row["rf"] is None


# --- dense ---------------------------------------------------------------------------


@pytest.mark.parametrize("alias", ["dense", "linear", "fc"])
def test_dense_flat(alias):
    # PyTorch seed 003: Linear(3*224*224, 10000) = 3*224*224*10000 + 10000 = 1,505,290,000
    row = last([3 * 224 * 224], {alias: {"units": 10000}})
    assert row["type"] == "dense"
    assert row["output"] == [10000]
    assert row["params"] == 3 * 224 * 224 * 10000 + 10000 == 1_505_290_000
    assert row["macs"] == 3 * 224 * 224 * 10000
    assert row["rf"] is None


def test_dense_bias_false_and_vgg_fc6():
    assert last([25088], {"dense": {"units": 4096, "bias": False}})["params"] == 25088 * 4096
    row = last([512, 7, 7], "flatten", {"fc": {"units": 4096}})
    assert row["params"] == 512 * 7 * 7 * 4096 + 4096


@pytest.mark.parametrize(
    "shape,units,output",
    [([128, 218, 218], 10, [10, 218, 218]), ([64, 20], 8, [8, 20]), ([4, 2, 3, 3], 5, [5, 2, 3, 3])],
    ids=["2d (Keras dense_9)", "1d", "3d"],
)
def test_dense_on_spatial_input_keras_semantics(shape, units, output):
    report = run(shape, {"dense": {"units": units}})
    row = report.rows[-1]
    c, positions = shape[0], math.prod(shape[1:])
    assert list(row.output) == output
    assert row.params == c * units + units
    assert row.macs == c * units * positions
    # SPEC-FORMAT v2: a per-position linear (ConvNeXt's MLP, a transformer's) is not warned about
    assert report.warnings == ()


def test_dense_on_flat_input_does_not_warn():
    assert run([784], {"dense": {"units": 10}}).warnings == ()


# --- upsample, zero_pad --------------------------------------------------------------


@pytest.mark.parametrize(
    "shape,scale,output",
    [
        ([8, 7, 7], 2, [8, 14, 14]),
        ([8, 7, 5], [2, 3], [8, 14, 15]),
        ([2, 10], 4, [2, 40]),
        ([1, 2, 3, 4], 2, [1, 4, 6, 8]),
    ],
    ids=["2d", "2d list", "1d", "3d"],
)
def test_upsample(shape, scale, output):
    row = last(shape, {"upsample": {"scale": scale}})
    assert row["output"] == output
    assert row["params"] == row["macs"] == 0
    assert row["activations"] == math.prod(output)


@pytest.mark.parametrize(
    "shape,padding,output",
    [
        ([3, 5, 5], 1, [3, 7, 7]),
        ([3, 5, 5], [1, 2], [3, 7, 9]),
        ([3, 10], 3, [3, 16]),
        ([1, 1, 2, 3], [0, 1, 2], [1, 1, 4, 7]),
    ],
    ids=["2d", "2d list", "1d", "3d"],
)
def test_zero_pad(shape, padding, output):
    row = last(shape, {"zero_pad": {"padding": padding}})
    assert row["output"] == output
    assert row["params"] == 0


# --- merges --------------------------------------------------------------------------


def test_add_and_concat_rules():
    assert rule("add", [(8, 4, 4), (8, 4, 4), (8, 4, 4)]).output == (8, 4, 4)
    facts = rule("concat", [(64, 28, 28), (128, 28, 28), (32, 28, 28), (32, 28, 28)])
    assert facts.output == (64 + 128 + 32 + 32, 28, 28)
    assert rule("concat", [(3, 10), (5, 10)]).output == (8, 10)
    assert facts.trainable == facts.macs == 0


def test_merge_rules_reject_mismatches():
    with pytest.raises(LayerError, match=r"\[8, 4, 4\].*\[8, 2, 2\]"):
        rule("add", [(8, 4, 4), (8, 2, 2)])
    with pytest.raises(LayerError, match=r"\[8, 4, 4\].*\[8, 2, 2\]"):
        rule("concat", [(8, 4, 4), (8, 2, 2)])


def test_multiply_broadcasts_like_torch():
    import cnncalc.layers  # noqa: F401  (registers the built-in types, when this test runs alone)

    # PyTorch broadcasting (docs, "Broadcasting semantics"): sizes equal or 1 on each
    # axis; torch.broadcast_shapes((16, 1, 1), (16, 56, 56)) == (16, 56, 56).
    # torch.mul has no parameters, and no MACs are counted for element-wise ops.
    facts = rule("multiply", [(16, 1, 1), (16, 56, 56)])
    assert facts.output == (16, 56, 56)
    assert facts.trainable == facts.non_trainable == facts.macs == 0
    assert rule("multiply", [(16, 56, 56), (16, 1, 1), (1, 56, 1)]).output == (16, 56, 56)
    # A bare [C] gate would line up with the wrong axis: refused, both shapes named
    with pytest.raises(LayerError, match=r"branch 0 gives \[16\] and branch 1 gives \[16, 56, 56\]"):
        rule("multiply", [(16,), (16, 56, 56)])
    with pytest.raises(LayerError, match=r"branch 0 gives \[16, 1, 1\] and branch 1 gives \[8, 56, 56\]"):
        rule("multiply", [(16, 1, 1), (8, 56, 56)])


def test_squeeze_and_excitation_in_a_spec():
    # torchvision's EfficientNet-B0, features[1][0].block[1]: SqueezeExcitation(32, 8)
    # on a [32, 112, 112] map: fc1 Conv2d(32, 8, 1) has 32*8 + 8 = 264 params, fc2
    # Conv2d(8, 32, 1) has 8*32 + 32 = 288: 552 in all; the product is [32, 112, 112].
    gate = [
        {"adaptive_avgpool": {"output": 1}},
        {"conv": {"filters": 8, "kernel": 1}},
        "silu",
        {"conv": {"filters": 32, "kernel": 1}},
        "sigmoid",
    ]
    report = run([32, 112, 112], {"multiply": [gate, []]})
    rows = report.to_dict()["layers"]
    assert rows[-1]["type"] == "multiply" and rows[-1]["output"] == [32, 112, 112]
    assert rows[-1]["params"] == rows[-1]["macs"] == 0
    assert rows[-1]["activations"] == 32 * 112 * 112  # a new tensor
    assert report.totals.params == 552
    assert rows[-1]["rf"] is None  # the pooled gate sees the whole input, and the largest field wins


# --- exactness -----------------------------------------------------------------------


def test_resnet_stem_is_inexact():
    # torchvision ResNet: 7x7/2 padding 3 on 224: (224 + 6 - 7)/2 + 1 = 112.5 -> 112
    report = run([3, 224, 224], {"conv": {"filters": 64, "kernel": 7, "stride": 2, "padding": 3}})
    row = report.rows[0]
    assert row.output == (64, (224 + 2 * 3 - 7) // 2 + 1, 112)
    assert row.exact is False
    assert report.to_dict()["layers"][0]["exact"] is False
    assert report.totals.inexact_layers == 1


def test_allow_inexact_is_not_counted():
    report = run(
        [3, 224, 224],
        {"conv": {"filters": 64, "kernel": 7, "stride": 2, "padding": 3, "allow_inexact": True}},
        {"maxpool": {"kernel": 3, "stride": 2, "padding": 1}},  # (112 + 2 - 3)/2 = 55.5: inexact, not allowed
        {"conv": {"filters": 8, "kernel": 3, "padding": 1}},  # exact
        {"avgpool": {"kernel": 2, "allow_inexact": True}},  # 56 -> 28 exact, allowed anyway
    )
    assert [r.exact for r in report.rows] == [False, False, True, True]
    assert report.totals.inexact_layers == 1


def test_same_padding_is_always_exact():
    row = last([3, 225, 225], {"conv": {"filters": 4, "kernel": 4, "stride": 3, "padding": "same"}})
    assert row["output"] == [4, 75, 75]  # ceil(225/3)
    assert row["exact"] is True


def test_same_padding_with_an_even_kernel_warns():
    report = run([3, 8, 8], {"conv": {"filters": 4, "kernel": 2, "padding": "same"}})
    assert report.rows[0].output == (4, 8, 8)
    assert len(report.warnings) == 1 and "asymmetric" in report.warnings[0].message
    assert run([3, 8, 8], {"conv": {"filters": 4, "kernel": 3, "padding": "same"}}).warnings == ()


def test_inexact_on_one_axis_only():
    row = last([3, 8, 9], {"conv": {"filters": 1, "kernel": 2, "stride": 2}})
    assert row["output"] == [1, (8 - 2) // 2 + 1, (9 - 2) // 2 + 1]  # 4 exact, 7/2 -> 4 inexact
    assert row["exact"] is False


def test_separable_conv_passes_allow_inexact_to_its_window():
    report = run([3, 8, 8], {"separable_conv": {"filters": 4, "kernel": 3, "stride": 2, "allow_inexact": True}})
    assert report.rows[0].exact is False  # (8-3)/2 = 2.5
    assert report.totals.inexact_layers == 0


# --- negative cases: the error names the argument ----------------------------------


def located(layer, marker, input_shape="[3, 8, 8]"):
    """The message of the error in a one-layer spec; it must point at ``marker``
    (the offending argument's value) on the layer's line."""
    line = f"  - {layer}"
    error = spec_error(f"input: {input_shape}\nlayers:\n{line}\n")
    assert (error.loc.line, error.loc.col) == (3, line.index(marker) + 1), str(error)
    return error.message


def test_kernel_too_large():
    message = located("conv: {filters: 8, kernel: 5}", "5}", "[3, 4, 4]")
    assert "kernel 5" in message and "larger" in message


def test_kernel_too_large_after_dilation():
    # k_eff = 2*(3-1)+1 = 5 > 4
    message = located("conv: {filters: 8, kernel: 3, dilation: 2}", "3,", "[3, 4, 4]")
    assert "kernel 3" in message and "5" in message


def test_pool_kernel_too_large():
    assert "kernel" in located("maxpool: {kernel: 3}", "3}", "[3, 2, 2]")


def test_groups_not_dividing_channels():
    message = located("conv: {filters: 8, kernel: 3, groups: 2}", "2}", "[3, 8, 8]")
    assert "groups=2" in message and "3 input channels" in message


def test_groups_not_dividing_filters():
    message = located("conv: {filters: 6, kernel: 3, groups: 4}", "4}", "[4, 8, 8]")
    assert "groups=4" in message and "filters=6" in message


def test_conv_transpose_groups_not_dividing():
    assert "groups" in located("conv_transpose: {filters: 4, kernel: 2, groups: 2}", "2}", "[3, 8, 8]")


@pytest.mark.parametrize(
    "layer,arg,marker",
    [
        ("conv: {filters: 8, kernel: [3, 3, 3]}", "kernel", "[3, 3, 3]"),
        ("conv: {filters: 8, kernel: 3, stride: [1, 2, 2]}", "stride", "[1, 2, 2]"),
        ("conv: {filters: 8, kernel: 3, padding: [1]}", "padding", "[1]"),
        ("conv: {filters: 8, kernel: 3, dilation: [1, 1, 1]}", "dilation", "[1, 1, 1]"),
        ("maxpool: {kernel: [2, 2, 2]}", "kernel", "[2, 2, 2]"),
        ("upsample: {scale: [2, 2, 2]}", "scale", "[2, 2, 2]"),
        ("zero_pad: {padding: [1]}", "padding", "[1]"),
        ("adaptive_avgpool: {output: [7]}", "output", "[7]"),
    ],
)
def test_list_length_wrong(layer, arg, marker):
    message = located(layer, marker)
    assert f"'{arg}'" in message
    assert "2 spatial axes" in message


def test_output_below_one_is_an_error():
    # conv_transpose: (2-1)*1 - 2*2 + 2 = -1 < 1
    message = located("conv_transpose: {filters: 8, kernel: 2, padding: 2}", "2}", "[3, 2, 2]")
    assert "padding 2" in message


def test_pool_padding_more_than_half_the_kernel():
    # PyTorch: "pad should be at most half of effective kernel size"
    assert "padding 2" in located("maxpool: {kernel: 2, padding: 2}", "2}")


def test_channel_maxpool_kernel_not_dividing():
    message = located("channel_maxpool: {kernel: 3}", "3}", "[10, 8, 8]")
    assert "kernel 3" in message and "10" in message


def test_output_padding_must_be_smaller_than_stride():
    error = spec_error("input: [3, 8, 8]\nlayers:\n  - conv_transpose: {filters: 8, kernel: 3, output_padding: 1}\n")
    assert "output_padding" in error.message


def test_spatial_layer_on_flat_input():
    error = spec_error("input: [10]\nlayers:\n  - conv: {filters: 8, kernel: 3}\n")
    assert "flat" in error.message


@pytest.mark.parametrize(
    "layer,word",
    [
        ("conv: {filters: 0, kernel: 3}", "filters"),
        ("conv: {kernel: 3}", "filters"),
        ("conv: {filters: 8, kernel: 3, strides: 2}", "strides"),
        ("conv: {filters: 8, kernel: 3, padding: sam}", "sam"),
        ("conv: {filters: 8, kernel: 3, bias: 1}", "bias"),
        ("dropout: {rate: 1.5}", "rate"),
        ("dense: {units: 2.5}", "units"),
    ],
)
def test_bad_arguments_are_named(layer, word):
    assert word in spec_error(f"input: [3, 8, 8]\nlayers:\n  - {layer}\n").message


# --- the Type column: each type's compact label, from its registry entry -------------------


@pytest.mark.parametrize(
    ("layer", "expected"),
    [
        ("conv: {filters: 8, kernel: 3, stride: 2, padding: 1, dilation: 2, groups: 2, bias: false}",
         "conv 3×3 /2 p1 d2 g2 nobias"),
        ("conv: {filters: 8, kernel: [1, 7], padding: [0, 3]}", "conv 1×7 p0×3"),
        ("conv: {filters: 8, kernel: 3, padding: same}", "conv 3×3 same"),
        ("depthwise_conv: {kernel: 3, multiplier: 2}", "dwconv 3×3 ×2"),
        ("conv_transpose: {filters: 8, kernel: 2, stride: 2}", "convT 2×2 /2"),
        ("maxpool: {kernel: 2}", "maxpool 2×2"),
        ("maxpool: {kernel: 3, stride: 2, padding: 1, ceil_mode: true}", "maxpool 3×3 /2 p1 ceil"),
        ("avgpool: {kernel: 2, stride: 1}", "avgpool 2×2 /1"),
        ("avgpool: {kernel: 2, stride: 2}", "avgpool 2×2"),
        ("adaptive_avgpool: {output: [7, 7]}", "adaptive_avg →7×7"),
        ("global_maxpool", "global_max"),
        ("channel_maxpool: {kernel: 2}", "channel_maxpool /2"),
        ("dropout: {rate: 0.25}", "dropout 0.25"),
        ("upsample: {scale: 2}", "upsample ×2"),
        ("zero_pad: {padding: [1, 2]}", "zero_pad 1×2"),
        ("relu", "relu"),
    ],
)  # fmt: skip
def test_type_column_label(layer: str, expected: str) -> None:
    report = cnncalc.analyze(f"input: [4, 16, 16]\nlayers:\n  - {layer}\n")
    assert report.rows[0].summary == expected
