"""The worked examples of the course notes (shared/seeds/*.txt), pinned to the unit.

Each spec in specs/notes/ cites its note. Every expected number here is the note's
own (quoted beside it) or derived from the note's text by the arithmetic written
out next to it -- never taken from cnncalc's output. Where a note's own arithmetic
is wrong, the test asserts the right figure and says why.

CS231n's VGG16 breakdown (seed 001) is checked row by row in
tests/test_classic_zoo_rows.py.
"""

import math
from fractions import Fraction
from pathlib import Path

import yaml

import cnncalc

NOTES = Path(__file__).resolve().parent.parent / "specs" / "notes"
GIB = 2**30
MIB = 2**20


def analyze(name, **kwargs):
    return cnncalc.analyze(str(NOTES / name), **kwargs).to_dict()


def rows(report):
    return {layer["name"]: layer for layer in report["layers"]}


def spec_input(name):
    return yaml.safe_load((NOTES / name).read_text())["input"]


# --- seed 002: Keras model.summary() -------------------------------------------------


def test_keras_summary_rows():
    d = analyze("keras_summary.yaml")
    r = rows(d)
    # The printout, (None, H, W, C), with its Param # column.
    printed = [
        ("conv2d_1", (222, 222, 32), 896),
        ("conv2d_2", (220, 220, 64), 18496),
        ("conv2d_3", (218, 218, 128), 73856),
        ("dense_9", (218, 218, 10), 1290),
    ]
    for name, (h, w, c), params in printed:
        assert r[name]["output"] == [c, h, w], name
        assert r[name]["params"] == params, name
        assert r[name]["trainable"] == params, name
        assert r[name]["non_trainable"] == 0, name
    assert [layer["name"] for layer in d["layers"]] == [p[0] for p in printed]
    assert d["outputs"]["main"] == [10, 218, 218]
    assert d["totals"]["params"] == 896 + 18496 + 73856 + 1290 == 94538


def test_keras_summary_note_formulas():
    # The note's formula "(K * F * F * D_in) + K" and its four asserts.
    num_classes = 10
    assert 32 * (3 * (3 * 3) + 1) == 896
    assert 64 * (32 * (3 * 3) + 1) == 18496
    assert 128 * (64 * (3 * 3) + 1) == 73856
    assert num_classes * (128 + 1) == 1290
    # Its 'valid' size formula, Height = ceil((H_in - F + 1) / S), on 224, 222, 220.
    assert [math.ceil((h - 3 + 1) / 1) for h in (224, 222, 220)] == [222, 220, 218]
    # Dense on a spatial tensor (Keras semantics): 128 MACs per output element.
    d = analyze("keras_summary.yaml")
    r = rows(d)
    assert r["dense_9"]["macs"] == 218 * 218 * 10 * 128
    assert r["conv2d_1"]["macs"] == 222 * 222 * 32 * (3 * 3 * 3)


# --- seed 000: simple_cnn_with_pool / simple_cnn_without_pool ------------------------


def test_simple_cnn_with_pool():
    d = analyze("simple_cnn_with_pool.yaml")
    r = rows(d)
    # "conv2d (Conv2D) (None, 30, 30, 32) 896"
    assert r["conv2d"]["output"] == [32, 30, 30]
    assert r["conv2d"]["params"] == 896
    # "max_pooling2d (MaxPooling2D) ... 0"; shape left blank in the note: (30-2)/2+1 = 15
    assert r["max_pooling2d"]["output"] == [32, 15, 15]
    assert r["max_pooling2d"]["params"] == 0
    # "Total params: 896 / Trainable params: 896 / Non-trainable params: 0"
    t = d["totals"]
    assert (t["params"], t["trainable"], t["non_trainable"]) == (896, 896, 0)
    assert t["inexact_layers"] == 0


def test_simple_cnn_without_pool():
    d = analyze("simple_cnn_without_pool.yaml")
    r = rows(d)
    # "conv2d (Conv2D) (None, 15, 15, 32) 896"
    assert r["conv2d"]["output"] == [32, 15, 15]
    assert r["conv2d"]["params"] == 896
    # (32 - 3) / 2 + 1 = 15.5: floored (Keras's ceil((32 - 3 + 1) / 2) is the same 15),
    # so the layer is inexact, but the spec says allow_inexact: true.
    assert (32 - 3) % 2 != 0 and math.ceil((32 - 3 + 1) / 2) == 15
    assert r["conv2d"]["exact"] is False
    assert d["totals"]["inexact_layers"] == 0
    # "Total params: 896 ... Same trainable parameters" as with pooling.
    t = d["totals"]
    assert (t["params"], t["trainable"], t["non_trainable"]) == (896, 896, 0)
    assert t["params"] == analyze("simple_cnn_with_pool.yaml")["totals"]["params"]


# --- seed 003: the course CNN and MLP -------------------------------------------------


COURSE_CNN_PARAMS = {  # the note's comments
    "conv1": 3 * 5 * 5 * 8 + 8,  # = 608
    "conv2": 8 * 5 * 5 * 24 + 24,  # = 4,824
    "conv3": 24 * 3 * 3 * 32 + 32,  # = 6,944
    "conv4": 32 * 3 * 3 * 48 + 48,  # = 13,872
    "fc1": 48 * 12 * 12 * 200 + 200,  # = 1,382,600
    "fc2": 200 * 10 + 10,  # = 2,010
}


def test_course_cnn_note_arithmetic():
    assert list(COURSE_CNN_PARAMS.values()) == [608, 4824, 6944, 13872, 1382600, 2010]
    assert sum(COURSE_CNN_PARAMS.values()) == 1410858  # "In total: 1,410,858"


def test_course_cnn_rows():
    d = analyze("course_cnn.yaml")
    r = rows(d)
    for name, params in COURSE_CNN_PARAMS.items():
        assert r[name]["params"] == params, name
    # Shapes: floor((224-5)/2)+1 = 110, floor((110-5)/2)+1 = 53, (53-3)/2+1 = 26,
    # floor((26-3)/2)+1 = 12 -> 48x12x12 before flatten, as Linear(48 * 12 * 12, 200) says.
    assert r["conv1"]["output"] == [8, 110, 110]
    assert r["conv2"]["output"] == [24, 53, 53]
    assert r["conv3"]["output"] == [32, 26, 26]
    assert r["conv4"]["output"] == [48, 12, 12]
    assert [r[n]["exact"] for n in ("conv1", "conv2", "conv3", "conv4")] == [False, False, True, False]
    flat = [layer for layer in d["layers"] if layer["type"] == "flatten"]
    assert len(flat) == 1 and flat[0]["output"] == [48 * 12 * 12] == [6912]
    assert r["fc1"]["output"] == [200]
    assert d["outputs"]["main"] == [10]
    t = d["totals"]
    assert t["params"] == t["trainable"] == 1410858
    assert t["inexact_layers"] == 0  # all three accepted with allow_inexact


def test_course_cnn_model_size():
    # "Model size: 0.005GB" (sum of storage sizes / 1024 ** 3; sys.getsizeof adds a few
    # dozen bytes of object header per tensor, invisible at three decimals).
    t = analyze("course_cnn.yaml")["totals"]
    assert t["param_bytes"] == 1410858 * 4 == 5643432
    assert f"{t['param_bytes'] / 1024**3:.3f}" == "0.005"


COURSE_MLP_PARAMS = {  # the note's comments
    "fc1": 3 * 224 * 224 * 10000 + 10000,  # = 1,505,290,000
    "fc2": 10000 * 1000 + 1000,  # = 10,001,000
    "fc3": 1000 * 100 + 100,  # = 100,100
    "fc4": 100 * 10 + 10,  # = 1,010
}


def test_course_mlp():
    assert list(COURSE_MLP_PARAMS.values()) == [1505290000, 10001000, 100100, 1010]
    assert sum(COURSE_MLP_PARAMS.values()) == 1515392110  # "In total: 1,515,392,110"
    d = analyze("course_mlp.yaml")
    r = rows(d)
    for name, params in COURSE_MLP_PARAMS.items():
        assert r[name]["params"] == params, name
        assert r[name]["macs"] == params - r[name]["output"][0], name  # bias excluded
    assert d["outputs"]["main"] == [10]
    t = d["totals"]
    assert t["params"] == t["trainable"] == 1515392110
    # "Model size: 5.645GB": float32, 4 bytes a parameter, divided by 1024 ** 3.
    assert t["param_bytes"] == 1515392110 * 4 == 6061568440
    assert f"{t['param_bytes'] / GIB:.3f}" == "5.645"


def test_course_mlp_float16_halves_param_bytes():
    t = analyze("course_mlp.yaml", dtype="float16")["totals"]
    assert t["param_bytes"] == 1515392110 * 2
    assert f"{t['param_bytes'] / GIB:.3f}" == "2.823"


# --- seed 001: one 7x7 conv against three stacked 3x3 convs ---------------------------


def test_one_7x7_against_three_3x3():
    C = spec_input("cs231n_one_conv7x7.yaml")[0]
    assert spec_input("cs231n_three_conv3x3.yaml")[0] == C
    one = analyze("cs231n_one_conv7x7.yaml")
    three = analyze("cs231n_three_conv3x3.yaml")
    # "C×(7×7×C)=49C^2 parameters" against "3×(C×(3×3×C))=27C^2 parameters"
    assert one["totals"]["params"] == C * (7 * 7 * C) == 49 * C**2
    assert three["totals"]["params"] == 3 * (C * (3 * 3 * C)) == 27 * C**2
    r1, r3 = rows(one), rows(three)
    for name in ("conv3x3_1", "conv3x3_2", "conv3x3_3"):
        assert r3[name]["params"] == 9 * C**2
    # "all the volumes have C channels": same output, so MACs keep the 49:27 ratio.
    _, h, w = spec_input("cs231n_one_conv7x7.yaml")
    assert one["outputs"]["main"] == three["outputs"]["main"] == [C, h, w]
    assert one["totals"]["macs"] == 49 * C**2 * h * w
    assert three["totals"]["macs"] == 27 * C**2 * h * w
    # "a 3x3 view ... a 5x5 view ... a 7x7 view of the input volume"
    assert r3["conv3x3_1"]["rf"]["size"] == [3, 3]
    assert r3["conv3x3_2"]["rf"]["size"] == [5, 5]
    assert r3["conv3x3_3"]["rf"]["size"] == [7, 7]
    assert r1["conv7x7"]["rf"]["size"] == [7, 7]
    assert r1["conv7x7"]["rf"]["jump"] == r3["conv3x3_3"]["rf"]["jump"] == [1, 1]
    # Padding (k-1)/2 keeps both centred on the input pixel: start 0 on both.
    assert r1["conv7x7"]["rf"]["start"] == r3["conv3x3_3"]["rf"]["start"] == [0.0, 0.0]


# --- seed 001: other CS231n examples --------------------------------------------------


def test_cs231n_local_connectivity():
    # Example 1: "5*5*3 = 75 weights (and +1 bias parameter)"
    d = analyze("cs231n_local_connectivity_ex1.yaml")
    assert d["totals"]["params"] == 5 * 5 * 3 + 1 == 76
    assert d["outputs"]["main"] == [1, 28, 28]
    # Example 2: "3*3*20 = 180 connections to the input volume" per neuron
    d = analyze("cs231n_local_connectivity_ex2.yaml")
    assert d["totals"]["params"] == 3 * 3 * 20 == 180
    assert d["outputs"]["main"] == [1, 14, 14]
    assert d["totals"]["macs"] == 180 * 14 * 14


def test_cs231n_shapes_slip():
    # The note: "H_o = 32-3+1 = 29 ... Output = [C_o, H_o, W_o] = [16, 29, 29]".
    # Its own formula H_o = H_i - K + 1 gives 30, not 29: the note's subtraction slips.
    assert 32 - 3 + 1 == 30
    d = analyze("cs231n_shapes_3_16.yaml")
    assert d["outputs"]["main"] == [16, 30, 30]
    # "n=16 kernels each of size [3, 3, 3]", plus one bias each.
    assert d["totals"]["params"] == 16 * (3 * 3 * 3) + 16 == 448


def test_cs231n_three_conv64_memory():
    # "three activation volumes of size [224x224x64]. This amounts to a total of about
    # 10 million activations, or 72MB of memory (per image, for both activations and
    # gradients)."
    d = analyze("cs231n_three_conv64_224.yaml")
    r = rows(d)
    volume = 224 * 224 * 64
    for name in ("conv1", "conv2", "conv3"):
        assert r[name]["output"] == [64, 224, 224]
        assert r[name]["activations"] == volume
    three = 3 * volume
    assert three == 9633792 and round(three / 1e6) == 10  # "about 10 million"
    # The whole report also counts the input (224*224*3); ReLUs are in place.
    assert d["totals"]["activations"] == three + 224 * 224 * 3
    # "72MB": 9,633,792 values x 4 bytes x 2 (activations + gradients) = 77,070,336
    # bytes = 77.1 MB = 73.5 MiB. The note's 72 matches neither unit (a slip); the
    # right figure is asserted.
    training_bytes = 2 * 4 * three
    assert training_bytes == 77070336
    assert round(training_bytes / MIB, 1) == 73.5
    assert sum(r[n]["activations"] for n in ("conv1", "conv2", "conv3")) * 4 * 2 == training_bytes


# --- seed 004: "Convolutional Layers 2" -------------------------------------------------


def test_conv1d_examples():
    # "W=7 ... K=3 ... S = 1. We get (W - K)/S + 1 = 5 output values."
    d = analyze("conv1d_w7_k3_s1.yaml")
    assert (7 - 3) // 1 + 1 == 5
    assert d["outputs"]["main"] == [1, 5]
    assert d["totals"]["params"] == 3  # fixed weights [1, 0, -1], no bias
    assert d["layers"][0]["exact"] is True
    # "... S = 2. We get (W - K)/S + 1 = 3 output values."
    d = analyze("conv1d_w7_k3_s2.yaml")
    assert (7 - 3) // 2 + 1 == 3
    assert d["outputs"]["main"] == [1, 3]
    assert d["layers"][0]["exact"] is True
    assert d["layers"][0]["rf"] == {"size": [3], "jump": [2], "start": [1.0]}


def test_12_filters_6x6_stride_2():
    # "Since (32 - 6)/2 + 1 = 14 the output dimension will be [14x14x12]"
    assert (32 - 6) / 2 + 1 == 14
    d = analyze("conv12_6x6_s2.yaml")
    r = rows(d)
    assert r["conv"]["output"] == [12, 14, 14]
    assert r["conv"]["exact"] is True
    # "Adding an activation layer the output dimension does not change"
    assert d["outputs"]["main"] == [12, 14, 14]
    # CS231n's (seed 001) count: "(F·F·D1)·K weights and K biases"
    assert d["totals"]["params"] == (6 * 6 * 3) * 12 + 12 == 1308
    assert r["conv"]["rf"]["size"] == [6, 6] and r["conv"]["rf"]["jump"] == [2, 2]


def test_one_5x5_against_two_3x3():
    # "In the case of the kernel 5x5, we have 25+1 parameters. In the case of the 3x3
    # kernel, we have (9+1)x2 parameters." -- "the same receptive field".
    one = analyze("one_conv5x5_1ch.yaml")
    two = analyze("two_conv3x3_1ch.yaml")
    assert one["totals"]["params"] == 25 + 1 == 26
    assert two["totals"]["params"] == (9 + 1) * 2 == 20
    assert one["outputs"]["main"] == two["outputs"]["main"] == [1, 24, 24]
    assert rows(one)["conv5x5"]["rf"]["size"] == [5, 5]
    assert rows(two)["conv3x3_2"]["rf"]["size"] == [5, 5]


def test_standard_against_depthwise_separable():
    # "32 x 144 = 4608 parameters" against "16x3x3 + 32x1x1x16 = 656"
    std = analyze("standard_conv_16_32.yaml")
    sep = analyze("separable_conv_16_32.yaml")
    parts = analyze("depthwise_pointwise_16_32.yaml")
    assert std["totals"]["params"] == 32 * (3 * 3 * 16) == 4608
    assert sep["totals"]["params"] == 16 * 3 * 3 + 32 * 1 * 1 * 16 == 656
    assert parts["totals"]["params"] == 656
    r = rows(parts)
    assert r["depthwise"]["params"] == 16 * 3 * 3 == 144
    assert r["depthwise"]["output"] == [16, 32, 32]
    assert r["pointwise"]["params"] == 32 * 1 * 1 * 16 == 512
    _, h, w = spec_input("standard_conv_16_32.yaml")
    for d in (std, sep, parts):
        assert d["outputs"]["main"] == [32, h, w]
    # The built-in separable_conv is exactly its two parts.
    for key in ("params", "macs", "activations"):
        assert sep["totals"][key] == parts["totals"][key], key
    # Cost: seed 001's "D_f.D_f.M.D_k.D_k.N -> D_f.D_f.N.D_k.D_k.1 + D_f.D_f.M.1.1.N",
    # a factor of "1/M + 1/D_K^2" (N = 16 input, M = 32 output channels, D_k = 3).
    N, M, Dk, Df = 16, 32, 3, h
    assert std["totals"]["macs"] == Df * Df * M * Dk * Dk * N == 4718592
    assert sep["totals"]["macs"] == Df * Df * N * Dk * Dk + Df * Df * M * N == 671744
    assert Fraction(sep["totals"]["macs"], std["totals"]["macs"]) == Fraction(1, M) + Fraction(1, Dk**2)
