"""Classic networks checked row by row against published figures.

- CS231n's VGG16 breakdown (seed 001, "VGGNet in detail"), whose table is copied
  below as printed: specs/notes/cs231n_vgg16.yaml (weights only, bias: false).
- specs/vgg11.yaml, vgg16.yaml, vgg19.yaml, alexnet.yaml against the figures of
  shared/reference/torchvision.json (copied here as literals) and Google's
  receptive_field table.
- specs/lenet5.yaml against the per-layer figures of LeCun et al. 1998.

Every expected number is the source's own or derived from it by the arithmetic
written beside it -- never taken from cnncalc's output.
"""

from pathlib import Path

import pytest

import cnncalc

SPECS = Path(__file__).resolve().parent.parent / "specs"


def analyze(relpath, **kwargs):
    return cnncalc.analyze(str(SPECS / relpath), **kwargs).to_dict()


def rows(report):
    return {layer["name"]: layer for layer in report["layers"]}


# --- CS231n's VGG16 table ----------------------------------------------------------------

# INPUT: [224x224x3]  memory:  224*224*3=150K   weights: 0
CS231N_INPUT = ((224, 224, 3), "150K")

# (row in our spec, [HxWxC] as printed, memory as printed, weights as printed)
CS231N_ROWS = [
    ("conv1_1", (224, 224, 64), "3.2M", 1_728),  # (3*3*3)*64
    ("conv1_2", (224, 224, 64), "3.2M", 36_864),  # (3*3*64)*64
    ("pool1", (112, 112, 64), "800K", 0),
    ("conv2_1", (112, 112, 128), "1.6M", 73_728),  # (3*3*64)*128
    ("conv2_2", (112, 112, 128), "1.6M", 147_456),  # (3*3*128)*128
    ("pool2", (56, 56, 128), "400K", 0),
    ("conv3_1", (56, 56, 256), "800K", 294_912),  # (3*3*128)*256
    ("conv3_2", (56, 56, 256), "800K", 589_824),  # (3*3*256)*256
    ("conv3_3", (56, 56, 256), "800K", 589_824),
    ("pool3", (28, 28, 256), "200K", 0),
    ("conv4_1", (28, 28, 512), "400K", 1_179_648),  # (3*3*256)*512
    ("conv4_2", (28, 28, 512), "400K", 2_359_296),  # (3*3*512)*512
    ("conv4_3", (28, 28, 512), "400K", 2_359_296),
    ("pool4", (14, 14, 512), "100K", 0),
    ("conv5_1", (14, 14, 512), "100K", 2_359_296),
    ("conv5_2", (14, 14, 512), "100K", 2_359_296),
    ("conv5_3", (14, 14, 512), "100K", 2_359_296),
    ("pool5", (7, 7, 512), "25K", 0),
    ("fc6", (1, 1, 4096), "4096", 102_760_448),  # 7*7*512*4096
    ("fc7", (1, 1, 4096), "4096", 16_777_216),  # 4096*4096
    ("fc8", (1, 1, 1000), "1000", 4_096_000),  # 4096*1000
]

CS231N_WEIGHTS = sum(w for *_, w in CS231N_ROWS)
CS231N_MEMORY = CS231N_INPUT[0][0] * CS231N_INPUT[0][1] * CS231N_INPUT[0][2] + sum(
    h * w * c for _, (h, w, c), _, _ in CS231N_ROWS
)
# Biases the table leaves out: one per conv filter and per FC unit.
VGG16_BIASES = sum(c for name, (_, _, c), _, _ in CS231N_ROWS if not name.startswith("pool"))


def _printed_value(text):
    scale = {"K": 1e3, "M": 1e6}.get(text[-1], 1)
    return float(text.rstrip("KM")) * scale


def _expected_output(name, hwc):
    h, w, c = hwc
    return [c] if name.startswith("fc") else [c, h, w]


def test_cs231n_table_is_self_consistent():
    # Each printed memory abbreviation is a rounding (within 1%) of its product,
    # e.g. 224*224*64 = 3,211,264 -> "3.2M", 112*112*64 = 802,816 -> "800K".
    (h, w, c), printed = CS231N_INPUT
    assert abs(h * w * c - _printed_value(printed)) / _printed_value(printed) < 0.01
    for name, (h, w, c), printed, _ in CS231N_ROWS:
        assert abs(h * w * c - _printed_value(printed)) / _printed_value(printed) < 0.01, name
    # Each weights entry is (3*3*C_in)*C_out for a conv, in*out for an FC.
    c_in, flat = 3, None
    for name, (h, w, c), _, weights in CS231N_ROWS:
        if name.startswith("conv"):
            assert weights == 3 * 3 * c_in * c, name
        elif name.startswith("fc"):
            assert weights == flat * c, name
        else:
            assert weights == 0
        c_in, flat = c, h * w * c
    assert CS231N_WEIGHTS == 138_344_128
    assert VGG16_BIASES == 2 * 64 + 2 * 128 + 3 * 256 + 6 * 512 + 2 * 4096 + 1000 == 13_416


@pytest.mark.parametrize("name,hwc,printed,weights", CS231N_ROWS, ids=[r[0] for r in CS231N_ROWS])
def test_cs231n_vgg16_row(name, hwc, printed, weights):
    r = rows(analyze("notes/cs231n_vgg16.yaml"))
    h, w, c = hwc
    assert r[name]["output"] == _expected_output(name, hwc)
    assert r[name]["activations"] == h * w * c  # "memory: H*W*C"
    assert r[name]["params"] == r[name]["trainable"] == weights  # "weights: ..."
    assert r[name]["non_trainable"] == 0


def test_cs231n_vgg16_in_place_layers_add_nothing():
    d = analyze("notes/cs231n_vgg16.yaml")
    named = {name for name, *_ in CS231N_ROWS}
    for layer in d["layers"]:
        if layer["name"] not in named:  # relu, flatten
            assert layer["type"] in ("relu", "flatten"), layer["name"]
            assert layer["activations"] == 0 and layer["params"] == 0, layer["name"]


def test_cs231n_vgg16_totals():
    d = analyze("notes/cs231n_vgg16.yaml")
    t = d["totals"]
    # Memory: the input's 150,528 plus every row's output.
    assert CS231N_MEMORY == 15_237_608
    assert t["activations"] == CS231N_MEMORY
    assert t["activations"] - sum(layer["activations"] for layer in d["layers"]) == 224 * 224 * 3
    # The note prints "TOTAL memory: 24M * 4 bytes ~= 93MB / image". That is a slip:
    # its own rows sum to 15,237,608 values (15.2M, not 24M), i.e. 60,950,432 bytes,
    # ~61 MB (58.1 MiB) in float32. (93 MiB would be 24.4M values: the byte figure
    # follows the wrong count.) The right figure is asserted.
    assert t["activation_bytes"] == 15_237_608 * 4 == 60_950_432
    assert round(t["activation_bytes"] / 1e6) == 61
    # "TOTAL params: 138M parameters": the weights column sums to 138,344,128.
    assert t["params"] == t["trainable"] == CS231N_WEIGHTS
    assert round(t["params"] / 1e6) == 138
    # "the first FC layer contains 100M weights, out of a total of 140M"
    assert round(102_760_448, -7) == 100_000_000 and round(CS231N_WEIGHTS, -7) == 140_000_000
    # MACs: weights x output positions, summed over the table = torchvision's figure.
    macs = sum(weights * h * w for _, (h, w, _), _, weights in CS231N_ROWS)
    assert macs == 15_470_264_320
    assert t["macs"] == macs and t["flops"] == 2 * macs
    assert d["outputs"]["main"] == [1000]


def test_cs231n_vgg16_batch_scales_memory_only():
    # "memory ... / image": a batch of 2 holds twice the activations, same weights.
    t = analyze("notes/cs231n_vgg16.yaml", batch=2)["totals"]
    assert t["activations"] == 2 * 15_237_608
    assert t["activation_bytes"] == 2 * 60_950_432
    assert t["params"] == CS231N_WEIGHTS


# --- torchvision's VGG16 -----------------------------------------------------------------


def test_vgg16_against_torchvision():
    d = analyze("vgg16.yaml")
    t = d["totals"]
    # torchvision.json "vgg16": trainable 138357544, bn_running_stats 0, macs 15470264320
    assert t["trainable"] == t["params"] == 138_357_544
    assert t["non_trainable"] == 0
    assert t["macs"] == 15_470_264_320 and t["flops"] == 2 * 15_470_264_320
    assert d["outputs"]["main"] == [1000]
    assert t["inexact_layers"] == 0
    # CS231n's "138M parameters" is this network with its biases: the note's weights
    # column plus one bias per filter and unit.
    assert t["params"] == CS231N_WEIGHTS + VGG16_BIASES
    assert round(t["params"] / 1e6) == 138
    # torchvision's table prints the MACs as "GFLOPS 15.47".
    assert f"{t['macs'] / 1e9:.2f}" == "15.47"


def test_vgg16_rows_against_cs231n():
    r = rows(analyze("vgg16.yaml"))
    for name, hwc, _, weights in CS231N_ROWS:
        assert r[name]["output"] == _expected_output(name, hwc), name
        bias = 0 if name.startswith("pool") else hwc[2]
        assert r[name]["params"] == weights + bias, name


def test_vgg16_activations():
    # CS231n's 15,237,608 plus the output of AdaptiveAvgPool2d((7, 7)) (an identity on
    # 7x7, but a layer whose output is a new tensor): 7*7*512.
    t = analyze("vgg16.yaml")["totals"]
    assert t["activations"] == 15_237_608 + 7 * 7 * 512
    assert t["activation_bytes"] == 4 * t["activations"]


# Receptive field by SPEC-FORMAT's recurrence, by hand: a 3x3/1 pad-1 conv adds 2*jump
# and leaves start alone ((3-1)/2 - 1 = 0); a 2x2/2 pool adds 1*jump, doubles jump and
# moves start by (2-1)/2 * jump.
#   block1 1+2+2 = 5, pool1 6, jump 2, start 0.5
#   block2 6+4+4 = 14, pool2 16, jump 4, start 0.5+1 = 1.5
#   block3 16+8*3 = 40, pool3 44, jump 8, start 1.5+2 = 3.5
#   block4 44+16*3 = 92, pool4 100, jump 16, start 3.5+4 = 7.5
#   block5 100+32*3 = 196, pool5 212, jump 32, start 7.5+8 = 15.5
VGG16_POOL_RF = {
    "pool1": (6, 2, 0.5),
    "pool2": (16, 4, 1.5),
    "pool3": (44, 8, 3.5),
    "pool4": (100, 16, 7.5),
    "pool5": (212, 32, 15.5),
}


def test_vgg16_receptive_field():
    r = rows(analyze("vgg16.yaml"))
    for name, (size, jump, start) in VGG16_POOL_RF.items():
        assert r[name]["rf"] == {"size": [size, size], "jump": [jump, jump], "start": [start, start]}, name
    # Google's receptive_field table: VGG-16 pool5 size 212, effective stride 32,
    # effective padding 90. Effective padding is how far the first window reaches
    # before the image: start = (size - 1)/2 - padding = (212 - 1)/2 - 90 = 15.5.
    assert (212 - 1) / 2 - 90 == 15.5
    assert r["pool5"]["rf"]["size"] == [212, 212] and r["pool5"]["rf"]["jump"] == [32, 32]
    # After flatten/dense the field is the whole input: null.
    for name in ("fc6", "fc7", "fc8"):
        assert r[name]["rf"] is None


# --- torchvision's VGG11 / VGG19 / AlexNet -------------------------------------------------

TORCHVISION = {  # shared/reference/torchvision.json
    "vgg11.yaml": {"trainable": 132_863_336, "bn_running_stats": 0, "macs": 7_609_090_048},
    "vgg16.yaml": {"trainable": 138_357_544, "bn_running_stats": 0, "macs": 15_470_264_320},
    "vgg19.yaml": {"trainable": 143_667_240, "bn_running_stats": 0, "macs": 19_632_062_464},
    "alexnet.yaml": {"trainable": 61_100_840, "bn_running_stats": 0, "macs": 714_188_480},
}


@pytest.mark.parametrize("spec", sorted(TORCHVISION))
def test_against_torchvision_json(spec):
    ref = TORCHVISION[spec]
    d = analyze(spec)
    t = d["totals"]
    assert d["input"] == [3, 224, 224]
    assert t["trainable"] == ref["trainable"]
    assert t["non_trainable"] == ref["bn_running_stats"]
    assert t["params"] == ref["trainable"] + ref["bn_running_stats"]
    assert t["macs"] == ref["macs"]
    assert d["outputs"]["main"] == [1000]
    assert t["inexact_layers"] == 0


# Hand-derived by the same recurrence as VGG16 (no published figure to quote):
#   VGG11: 1+2=3, pool1 4 | 4+4=8, pool2 10 | 10+8*2=26, pool3 30 | 30+16*2=62, pool4 70
#          | 70+32*2=134, pool5 150
#   VGG19: pool2 16 as VGG16 | 16+8*4=48, pool3 52 | 52+16*4=116, pool4 124
#          | 124+32*4=252, pool5 268
# Jump 32 and start 15.5 at pool5 for both: the pools alone set them.
@pytest.mark.parametrize("spec,size", [("vgg11.yaml", 150), ("vgg16.yaml", 212), ("vgg19.yaml", 268)])
def test_vgg_pool5_receptive_field(spec, size):
    r = rows(analyze(spec))
    assert r["pool5"]["output"] == [512, 7, 7]
    assert r["pool5"]["rf"] == {"size": [size, size], "jump": [32, 32], "start": [15.5, 15.5]}


def test_alexnet_rows():
    d = analyze("alexnet.yaml")
    r = rows(d)
    # conv1: (224 + 2*2 - 11)/4 + 1 = 55.25 -> 55 (accepted inexact); pools 3/2:
    # (55-3)/2+1 = 27, (27-3)/2+1 = 13, (13-3)/2+1 = 6.
    expected = {
        "conv1": ([64, 55, 55], 3 * 11 * 11 * 64 + 64),  # 23,296
        "pool1": ([64, 27, 27], 0),
        "conv2": ([192, 27, 27], 64 * 5 * 5 * 192 + 192),  # 307,392
        "pool2": ([192, 13, 13], 0),
        "conv3": ([384, 13, 13], 192 * 3 * 3 * 384 + 384),  # 663,936
        "conv4": ([256, 13, 13], 384 * 3 * 3 * 256 + 256),  # 884,992
        "conv5": ([256, 13, 13], 256 * 3 * 3 * 256 + 256),  # 590,080
        "pool5": ([256, 6, 6], 0),
        "avgpool": ([256, 6, 6], 0),
        "fc6": ([4096], 256 * 6 * 6 * 4096 + 4096),  # 37,752,832
        "fc7": ([4096], 4096 * 4096 + 4096),  # 16,781,312
        "fc8": ([1000], 4096 * 1000 + 1000),  # 4,097,000
    }
    for name, (output, params) in expected.items():
        assert r[name]["output"] == output, name
        assert r[name]["params"] == params, name
    assert sum(p for _, p in expected.values()) == 61_100_840
    assert r["conv1"]["exact"] is False
    assert all(layer["exact"] for layer in d["layers"] if layer["name"] != "conv1")
    # torchvision.json "alexnet" rf 195 (and Google's table: 195 at pool5). By hand:
    # conv1 11, jump 4, start (11-1)/2 - 2 = 3 | pool1 11+2*4 = 19, jump 8, start 3+1*4 = 7
    # | conv2 19+4*8 = 51 | pool2 51+2*8 = 67, jump 16, start 7+1*8 = 15
    # | conv3-5 67+3*2*16 = 163 | pool5 163+2*16 = 195, jump 32, start 15+1*16 = 31.
    assert r["pool5"]["rf"] == {"size": [195, 195], "jump": [32, 32], "start": [31.0, 31.0]}


# --- LeNet-5 (LeCun et al. 1998) ---------------------------------------------------------


def test_lenet5_rows():
    d = analyze("lenet5.yaml")
    r = rows(d)
    # C1: "6 feature maps ... size 28x28", "156 trainable parameters, and 122,304
    # connections" (connections = one per weight and bias use: 28*28*6*(25+1)).
    assert r["C1"]["output"] == [6, 28, 28]
    assert r["C1"]["params"] == 6 * 25 + 6 == 156
    assert r["C1"]["macs"] + 28 * 28 * 6 == 28 * 28 * 6 * (25 + 1) == 122_304
    # S2: "6 feature maps of size 14x14"; S4: "16 feature maps of size 5x5". (The
    # paper's 12 and 32 trainable subsampling coefficients are not modelled: plain
    # average pooling, 0 params.)
    assert r["S2"]["output"] == [6, 14, 14] and r["S2"]["params"] == 0
    assert r["S4"]["output"] == [16, 5, 5] and r["S4"]["params"] == 0
    # C3: "16 feature maps of size 10x10". Fully connected to S2 here: 6*25*16 + 16 =
    # 2,416, not the paper's 1,516 of its sparse Table I.
    assert r["C3"]["output"] == [16, 10, 10]
    assert r["C3"]["params"] == 6 * 25 * 16 + 16 == 2416
    # C5: "120 feature maps ... size 1x1", "48,120 trainable connections"
    assert r["C5"]["output"] == [120, 1, 1]
    assert r["C5"]["params"] == 120 * (16 * 25 + 1) == 48_120
    # F6: "84 units", "10,164 trainable parameters"
    assert r["F6"]["output"] == [84]
    assert r["F6"]["params"] == 84 * (120 + 1) == 10_164
    # Output: 10 units; a dense layer with bias here (the paper's RBF has no bias).
    assert r["output"]["params"] == 10 * 84 + 10 == 850
    assert d["outputs"]["main"] == [10]
    assert d["totals"]["params"] == 156 + 2416 + 48_120 + 10_164 + 850 == 61_706
    # C5's single unit sees all 32x32 pixels, centred. By hand: C1 5, start 2 | S2 6,
    # jump 2, start 2.5 | C3 6+4*2 = 14, start 2.5+2*2 = 6.5 | S4 16, jump 4, start
    # 7.5 | C5 16+4*4 = 32, start 7.5+2*4 = 15.5 = (32-1)/2.
    assert r["C5"]["rf"] == {"size": [32, 32], "jump": [4, 4], "start": [15.5, 15.5]}
    # tanh rows: no params, in place.
    for layer in d["layers"]:
        if layer["type"] == "tanh":
            assert layer["params"] == 0 and layer["activations"] == 0
