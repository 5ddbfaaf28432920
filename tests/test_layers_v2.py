"""Tier 1: the single-input layer types of SPEC-FORMAT's version 2 table, hand-derived.

Every expected figure is written as the arithmetic that produces it from the
table (output, params, MACs 0) and the PyTorch definitions the table names
(PixelUnshuffle / PixelShuffle, GroupNorm, InstanceNorm, PReLU, ChannelShuffle,
Tensor.view / permute / narrow). Activation memory: views and in-place layers
add none; the others create a tensor of their output's size. Receptive fields
by SPEC-FORMAT's recurrence from r = 1, jump = 1, start = 0; admissible sizes
against a brute-force oracle (the engine run at every size).
"""

from __future__ import annotations

import math

import pytest

import cnncalc
from cnncalc.engine import run as engine_run
from cnncalc.errors import SpecError
from cnncalc.sizes import SizesError, solve


def run(input_shape, *layers):
    return cnncalc.analyze({"input": list(input_shape), "layers": list(layers)})


def last(input_shape, *layers):
    return run(input_shape, *layers).to_dict()["layers"][-1]


def located(layer: str, marker: str, input_shape: str = "[8, 6, 6]") -> str:
    """The message of a one-layer spec's error; it must point at ``marker`` on the layer's line."""
    line = f"  - {layer}"
    with pytest.raises(SpecError) as info:
        cnncalc.analyze(f"input: {input_shape}\nlayers:\n{line}\n")
    error = info.value
    assert (error.loc.line, error.loc.col) == (3, line.index(marker) + 1), str(error)
    return f"{error.message}; {error.hint}"


# --- the table: output, params, MACs, activation memory -----------------------------------

# id, input, layer, output, trainable, activations (0: a view or in place)
CASES = [
    ("flatten start 0 = v1", [4, 3, 5], "flatten", [4 * 3 * 5], 0, 0),
    ("flatten start 1: tokens [C, H·W]", [768, 14, 14], {"flatten": {"start": 1}}, [768, 14 * 14], 0, 0),
    ("flatten start 2 on 3-D", [2, 3, 4, 5], {"flatten": {"start": 2}}, [2, 3, 4 * 5], 0, 0),
    ("flatten start 1 on 1-D: nothing to collapse", [8, 10], {"flatten": {"start": 1}}, [8, 10], 0, 0),
    ("slice channels [0, 58)", [116, 28, 28], {"slice": {"stop": 58}}, [58, 28, 28], 0, 0),
    ("slice channels [58, 116)", [116, 28, 28], {"slice": {"start": 58, "stop": 116}}, [116 - 58, 28, 28], 0, 0),
    ("slice the class token", [768, 197], {"slice": {"axis": 1, "stop": 1}}, [768, 1], 0, 0),
    ("slice a spatial axis", [3, 10, 12], {"slice": {"axis": 2, "start": 2, "stop": 9}}, [3, 10, 9 - 2], 0, 0),
    ("space_to_depth 2 (PixelUnshuffle)", [3, 8, 6], {"space_to_depth": {"block": 2}}, [3 * 2**2, 4, 3], 0, 12 * 4 * 3),
    ("space_to_depth 2 pad (Swin)", [96, 7, 5], {"space_to_depth": {"block": 2, "pad": True}},
     [96 * 4, math.ceil(7 / 2), math.ceil(5 / 2)], 0, 384 * 4 * 3),
    ("space_to_depth 3 on 1-D", [2, 9], {"space_to_depth": {"block": 3}}, [2 * 3, 3], 0, 6 * 3),
    ("depth_to_space 2 (PixelShuffle)", [12, 4, 3], {"depth_to_space": {"block": 2}}, [12 // 4, 8, 6], 0, 3 * 8 * 6),
    ("depth_to_space 2 on 3-D", [16, 1, 2, 3], {"depth_to_space": {"block": 2}}, [16 // 8, 2, 4, 6], 0, 2 * 2 * 4 * 6),
    ("groupnorm 32 groups: 2C", [64, 7, 7], {"groupnorm": {"groups": 32}}, [64, 7, 7], 2 * 64, 64 * 49),
    ("identity", [5, 4, 4], "identity", [5, 4, 4], 0, 0),
    ("stochastic_depth", [5, 4, 4], {"stochastic_depth": {"rate": 0.1}}, [5, 4, 4], 0, 0),
    ("hardsigmoid", [5, 4, 4], "hardsigmoid", [5, 4, 4], 0, 0),
    ("mish", [5, 4], "mish", [5, 4], 0, 0),
    ("scale: layer scale, C", [96, 56, 56], "scale", [96, 56, 56], 96, 96 * 56 * 56),
    ("scale with bias: affine, 2C", [96, 56, 56], {"scale": {"bias": True}}, [96, 56, 56], 2 * 96, 96 * 56 * 56),
    ("scale on tokens [D, N]: D", [768, 197], "scale", [768, 197], 768, 768 * 197),
    ("instancenorm: no params", [16, 8, 8], "instancenorm", [16, 8, 8], 0, 16 * 64),
    ("instancenorm affine: 2C", [16, 8, 8], {"instancenorm": {"affine": True}}, [16, 8, 8], 2 * 16, 16 * 64),
    ("prelu shared: 1", [16, 8, 8], "prelu", [16, 8, 8], 1, 0),
    ("prelu per channel: C", [16, 8, 8], {"prelu": {"shared": False}}, [16, 8, 8], 16, 0),
    ("channel_shuffle 2", [116, 28, 28], {"channel_shuffle": {"groups": 2}}, [116, 28, 28], 0, 116 * 28 * 28),
    ("reshape [C, H·W]", [8, 4, 5], {"reshape": {"shape": [8, 20]}}, [8, 4 * 5], 0, 0),
    ("reshape with -1", [8, 4, 5], {"reshape": {"shape": [2, -1, 5]}}, [2, 8 * 4 * 5 // (2 * 5), 5], 0, 0),
    ("reshape to flat", [8, 4, 5], {"reshape": {"shape": [-1]}}, [160], 0, 0),
    ("permute channels last", [8, 4, 5], {"permute": {"order": [1, 2, 0]}}, [4, 5, 8], 0, 0),
    ("permute swap H and W", [8, 4, 5], {"permute": {"order": [0, 2, 1]}}, [8, 5, 4], 0, 0),
    ("upsample scale (v1)", [8, 7, 5], {"upsample": {"scale": 2}}, [8, 14, 10], 0, 8 * 14 * 10),
    ("upsample to a size, bilinear", [21, 65, 65], {"upsample": {"size": [520, 520], "mode": "bilinear"}},
     [21, 520, 520], 0, 21 * 520 * 520),
    ("upsample to a smaller size", [4, 10, 10], {"upsample": {"size": 3}}, [4, 3, 3], 0, 4 * 9),
    ("upsample trilinear", [2, 2, 2, 2], {"upsample": {"scale": [1, 2, 3], "mode": "trilinear"}},
     [2, 2, 4, 6], 0, 2 * 2 * 4 * 6),
    ("crop (U-Net: 64 -> 56)", [512, 64, 64], {"crop": {"size": 56}}, [512, 56, 56], 0, 512 * 56 * 56),
    ("crop to its own size", [2, 5, 6], {"crop": {"size": [5, 6]}}, [2, 5, 6], 0, 2 * 30),
]  # fmt: skip


@pytest.mark.parametrize(("shape", "layer", "output", "trainable", "activations"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_table(shape, layer, output, trainable, activations):
    row = last(shape, layer)
    assert row["output"] == output
    assert math.prod(row["output"]) == math.prod(output)
    assert (row["trainable"], row["non_trainable"], row["params"]) == (trainable, 0, trainable)
    assert row["macs"] == 0  # none of these multiplies-accumulates
    assert row["activations"] == activations
    assert row["exact"] is True


def test_views_keep_the_element_count():
    # slice aside, a view is the same elements seen differently
    for layer in ({"flatten": {"start": 1}}, {"reshape": {"shape": [-1, 3]}}, {"permute": {"order": [2, 0, 1]}}):
        assert math.prod(last([6, 4, 3], layer)["output"]) == 6 * 4 * 3


def test_stochastic_depth_inside_a_residual_changes_no_figure():
    # ConvNeXt's block ends in layer scale + stochastic depth on the residual branch
    block = [{"conv": {"filters": 8, "kernel": 1}}, "scale"]
    plain = run([8, 4, 4], {"add": [block, []]}).totals
    dropped = run([8, 4, 4], {"add": [[*block, {"stochastic_depth": {"rate": 0.2}}], []]}).totals
    training = {"saved_activation_bytes", "training_peak_bytes"}
    assert {k: v for k, v in plain.to_dict().items() if k not in training} == {
        k: v for k, v in dropped.to_dict().items() if k not in training
    }
    # in training torchvision's StochasticDepth multiplies by a noise tensor of one float per sample
    assert dropped.saved_activation_bytes == plain.saved_activation_bytes + 4
    assert plain.trainable == (8 * 8 + 8) + 8


def test_dense_after_layernorm_is_convnext_mlp_and_not_warned():
    # ConvNeXt-T stage 1 MLP on 56x56: Linear(96, 384) and Linear(384, 96) at every position
    report = run([96, 56, 56], "layernorm", {"dense": {"units": 384}}, "gelu", {"dense": {"units": 96}})
    assert report.warnings == ()
    assert report.totals.trainable == 2 * 96 + (96 * 384 + 384) + (384 * 96 + 96)
    assert report.totals.macs == 56 * 56 * (96 * 384 + 384 * 96)


# --- the Type column ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("layer", "expected"),
    [
        ("slice: {start: 2, stop: 6}", "slice 2:6"),
        ("slice: {stop: 3, axis: 1}", "slice 0:3 axis 1"),
        ("channel_shuffle: {groups: 2}", "shuffle g2"),
        ("flatten: {start: 1}", "flatten start 1"),
        ("reshape: {shape: [8, -1]}", "reshape →[8, -1]"),
        ("permute: {order: [0, 2, 1]}", "permute [0, 2, 1]"),
        ("space_to_depth: {block: 2, pad: true}", "space_to_depth /2 pad"),
        ("depth_to_space: {block: 2}", "depth_to_space ×2"),
        ("groupnorm: {groups: 4}", "groupnorm g4"),
        ("instancenorm: {affine: true}", "instancenorm affine"),
        ("scale: {bias: true}", "scale +bias"),
        ("scale", "scale"),
        ("prelu: {shared: false}", "prelu per-channel"),
        ("stochastic_depth: {rate: 0.1}", "drop_path 0.1"),
        ("upsample: {size: [32, 32], mode: bilinear}", "upsample →32×32 bilinear"),
        ("upsample: {scale: 2}", "upsample ×2"),
        ("crop: {size: 12}", "crop →12×12"),
    ],
)
def test_type_column_label(layer: str, expected: str) -> None:
    report = cnncalc.analyze(f"input: [8, 16, 16]\nlayers:\n  - {layer}\n")
    assert report.rows[0].summary == expected


# --- bad input: located, with a fix ---------------------------------------------------------


@pytest.mark.parametrize(
    ("layer", "marker", "words"),
    [
        ("slice: {stop: 9}", "9}", ["stop 9", "8 entries", "at most 8"]),
        ("slice: {stop: 7, axis: 2}", "7,", ["stop 7", "6 entries", "at most 6"]),
        ("slice: {start: 4, stop: 4}", "4,", ["start 4", "empty"]),
        ("slice: {stop: 1, axis: 3}", "3}", ["axis 3", "axes 0 to 2"]),
        ("reshape: {shape: [8, 35]}", "[8, 35]", ["280 elements", "288"]),
        ("reshape: {shape: [5, -1]}", "[5, -1]", ["288 elements", "multiple of the 5"]),
        ("reshape: {shape: [-1, -1]}", "[-1, -1]", ["more than one -1"]),
        ("permute: {order: [0, 1, 1]}", "[0, 1, 1]", ["not a permutation"]),
        ("crop: {size: 7}", "7}", ["crop size 7", "larger than the input's 6", "at most 6"]),
        ("space_to_depth: {block: 4}", "4}", ["block 4", "does not divide the size 6", "pad: true", "up to 8"]),
        ("depth_to_space: {block: 3}", "3}", ["3^2 = 9", "there are 8"]),
        ("groupnorm: {groups: 3}", "3}", ["groups=3", "8 channels"]),
        ("channel_shuffle: {groups: 3}", "3}", ["groups=3", "8 channels", "can be 1, 2, 4, 8"]),
        ("upsample: {size: [4, 4], mode: cubic}", "cubic", ["unknown mode 'cubic'", "bicubic"]),
        ("upsample: {scale: 2, mode: linear}", "linear", ["1 spatial axes", "use bilinear"]),
        ("flatten: {start: 3}", "3}", ["start 3", "axes 0 to 2"]),
    ],
)  # fmt: skip
def test_errors_are_located_with_a_fix(layer: str, marker: str, words: list[str]) -> None:
    message = located(layer, marker)
    for word in words:
        assert word in message, message


def test_upsample_needs_scale_or_size():
    with pytest.raises(SpecError, match="exactly one of 'scale' and 'size'"):
        run([4, 8, 8], {"upsample": {}})
    with pytest.raises(SpecError, match="exactly one of 'scale' and 'size'"):
        run([4, 8, 8], {"upsample": {"scale": 2, "size": [16, 16]}})


# --- receptive field ------------------------------------------------------------------------


def rf(shape, *layers):
    return last(shape, *layers)["rf"]


def test_space_to_depth_is_a_kernel_and_stride_of_block():
    # r = 1 + (2-1)*1 = 2, jump 2, start 0 + ((2-1)/2 - 0)*1 = 0.5; then a 3x3 conv:
    # r = 2 + 2*2 = 6, jump 2, start 0.5 + (1 - 0)*2 = 2.5
    assert rf([3, 8, 8], {"space_to_depth": {"block": 2}}) == {"size": [2, 2], "jump": [2, 2], "start": [0.5, 0.5]}
    assert rf([3, 8, 8], {"space_to_depth": {"block": 2}}, {"conv": {"filters": 4, "kernel": 3}}) == {
        "size": [6, 6], "jump": [2, 2], "start": [2.5, 2.5],
    }  # fmt: skip


def test_depth_to_space_undoes_space_to_depth_jump():
    # after /2 the jump is 2; PixelShuffle ×2 divides it back to 1, size and start unchanged
    assert rf([3, 8, 8], {"space_to_depth": {"block": 2}}, {"depth_to_space": {"block": 2}}) == {
        "size": [2, 2], "jump": [1, 1], "start": [0.5, 0.5],
    }  # fmt: skip


def test_crop_moves_the_start():
    # U-Net: two valid 3x3 convs (r 5, start 2), then crop 10 -> 6 drops (10-6)//2 = 2 positions
    # before: start 2 + 2*1 = 4, size and jump unchanged
    layers = [{"conv": {"filters": 2, "kernel": 3}}, {"conv": {"filters": 2, "kernel": 3}}, {"crop": {"size": 6}}]
    assert rf([1, 14, 14], *layers) == {"size": [5, 5], "jump": [1, 1], "start": [4.0, 4.0]}


def test_crop_moves_the_start_by_the_jump():
    # after a 2x2/2 pool (r 2, jump 2, start 0.5), cropping 8 -> 4 drops 2 positions: start 0.5 + 2*2 = 4.5
    assert rf([1, 16, 16], {"maxpool": {"kernel": 2}}, {"crop": {"size": 4}}) == {
        "size": [2, 2], "jump": [2, 2], "start": [4.5, 4.5],
    }  # fmt: skip


def test_slice_on_a_spatial_axis_moves_its_start_only():
    assert rf([1, 16, 16], {"slice": {"axis": 2, "start": 3, "stop": 10}}) == {
        "size": [1, 1], "jump": [1, 1], "start": [0.0, 3.0],
    }  # fmt: skip
    assert rf([4, 16, 16], {"slice": {"stop": 2}}) == {"size": [1, 1], "jump": [1, 1], "start": [0.0, 0.0]}


def test_upsample_to_a_size():
    # nearest 8 -> 16: jump 8/16 = 0.5; bilinear: each output reads 2 inputs, so r = 1 + (2-1)*1 = 2
    # and the first output's taps (inputs 0, 1) are centred at 0.5
    assert rf([1, 8, 8], {"upsample": {"size": 16}}) == {"size": [1, 1], "jump": [0.5, 0.5], "start": [0.0, 0.0]}
    assert rf([1, 8, 8], {"upsample": {"size": 16, "mode": "bilinear"}}) == {
        "size": [2, 2], "jump": [0.5, 0.5], "start": [0.5, 0.5],
    }  # fmt: skip


def test_element_wise_and_channel_layers_keep_the_field():
    conv = {"conv": {"filters": 8, "kernel": 3}}
    expected = {"size": [3, 3], "jump": [1, 1], "start": [1.0, 1.0]}
    for layer in ("identity", "mish", "hardsigmoid", "scale", "prelu", {"groupnorm": {"groups": 2}},
                  "instancenorm", {"channel_shuffle": {"groups": 4}}, {"stochastic_depth": {"rate": 0.5}}):  # fmt: skip
        assert rf([3, 8, 8], conv, layer) == expected, layer


def test_rearranging_spatial_axes_ends_the_field():
    # tokens [C, H·W] or swapped axes: no per-axis field to follow (null, as after flatten)
    assert rf([3, 8, 8], {"flatten": {"start": 1}}) is None
    assert rf([3, 8, 8], {"permute": {"order": [0, 2, 1]}}) is None
    assert rf([3, 8, 8], {"reshape": {"shape": [3, 64]}}) is None
    assert rf([3, 8, 8], {"reshape": {"shape": [3, 8, 8]}}) == {"size": [1, 1], "jump": [1, 1], "start": [0.0, 0.0]}


# --- sizes: which inputs give integer sizes through each new type ---------------------------


def _oracle(spec: dict, top: int) -> list[int]:
    """Square sizes 1..top the engine analyses with every layer exact (brute force)."""
    graph = cnncalc.load_graph(spec)
    fits = []
    for n in range(1, top + 1):
        try:
            if engine_run(graph, input=(spec["input"][0], n, n)).totals.inexact_layers == 0:
                fits.append(n)
        except SpecError:
            pass
    return fits


def _solved(spec: dict, top: int) -> list[int]:
    graph = cnncalc.load_graph(spec)
    axes = solve(graph, engine_run(graph))
    return [n for n in range(1, top + 1) if all(axis.fits(n) for axis in axes)]


SIZE_SPECS = [
    # by hand: space_to_depth 2 needs n even, then conv 3 needs n/2 >= 3: n in {6, 8, ...}
    ("space_to_depth", [{"space_to_depth": {"block": 2}}, {"conv": {"filters": 2, "kernel": 3}}],
     [n for n in range(6, 61, 2)]),
    # pad: ceil(n/2) >= 3 for the conv: n >= 5, every n
    ("space_to_depth pad", [{"space_to_depth": {"block": 2, "pad": True}}, {"conv": {"filters": 2, "kernel": 3}}],
     list(range(5, 61))),
    # depth_to_space doubles, then a 2x2/2 pool is exact on every 2n: every n
    ("depth_to_space", [{"depth_to_space": {"block": 2}}, {"maxpool": {"kernel": 2}}], list(range(1, 61))),
    # crop 10 needs n >= 10; then a 2x2/2 pool on 10 is exact whatever n was
    ("crop", [{"crop": {"size": 10}}, {"maxpool": {"kernel": 2}}], list(range(10, 61))),
    # conv 3 (n-2), crop 6: n - 2 >= 6
    ("conv then crop", [{"conv": {"filters": 2, "kernel": 3}}, {"crop": {"size": 6}}], list(range(8, 61))),
    # slicing the channels changes no spatial size: the pool's even n
    ("slice channels", [{"slice": {"stop": 2}}, {"maxpool": {"kernel": 2}}], list(range(2, 61, 2))),
    # slice [2, 9) on W needs W >= 9; on a square input n >= 9, then 7 is odd for a 2x2/2 pool on W
    ("slice spatial", [{"slice": {"axis": 2, "start": 2, "stop": 9}}, {"maxpool": {"kernel": [2, 1]}}],
     list(range(10, 61, 2))),
    # upsample to 12: any n; the pool after it sees 12
    ("upsample size", [{"upsample": {"size": 12}}, {"maxpool": {"kernel": 4}}], list(range(1, 61))),
    # every same-shape type passes sizes through: the pool's multiples of 2
    ("same-shape types", ["identity", "mish", "hardsigmoid", "scale", {"groupnorm": {"groups": 2}}, "instancenorm",
                          "prelu", {"channel_shuffle": {"groups": 2}}, {"stochastic_depth": {"rate": 0.1}},
                          {"maxpool": {"kernel": 2}}], list(range(2, 61, 2))),
]  # fmt: skip


@pytest.mark.parametrize(("layers", "expected"), [c[1:] for c in SIZE_SPECS], ids=[c[0] for c in SIZE_SPECS])
def test_sizes_through_new_types(layers, expected):
    spec = {"input": [4, 24, 24], "layers": layers}
    assert _oracle(spec, 60) == expected
    assert _solved(spec, 60) == expected


def test_sizes_refuse_a_layer_that_mixes_axes():
    for layer in ({"permute": {"order": [0, 2, 1]}}, {"reshape": {"shape": [4, 12, 48]}}):
        graph = cnncalc.load_graph({"input": [4, 24, 24], "layers": [layer, {"maxpool": {"kernel": 2}}]})
        with pytest.raises(SizesError):
            solve(graph, engine_run(graph))


def test_sizes_end_at_tokens():
    # flatten start 1 ends the spatial axes: only the pool before it constrains
    spec = {"input": [4, 24, 24], "layers": [{"maxpool": {"kernel": 2}}, {"flatten": {"start": 1}}, "layernorm"]}
    assert _oracle(spec, 40) == _solved(spec, 40) == list(range(2, 41, 2))


# --- lists over every axis: reshape and permute take up to 4 values (channels first) --------


def test_reshape_and_permute_on_a_3d_input():
    # [C, D, H, W] = [2, 3, 4, 5]: permute to channels last, and reshape keeping 4 axes
    assert last([2, 3, 4, 5], {"permute": {"order": [1, 2, 3, 0]}})["output"] == [3, 4, 5, 2]
    assert last([2, 3, 4, 5], {"reshape": {"shape": [6, 2, -1, 5]}})["output"] == [6, 2, 2 * 3 * 4 * 5 // 60, 5]


def test_reshape_lists_at_most_four_values():
    message = located("reshape: {shape: [1, 1, 1, 2, 144]}", "[1, 1, 1, 2, 144]")
    assert "1 to 4 values (one per axis, channels first)" in message


def test_schema_lists_the_version_2_types():
    from cnncalc.schema import spec_schema

    defs = spec_schema()["$defs"]
    for name in ("slice", "channel_shuffle", "reshape", "permute", "scale", "groupnorm", "instancenorm", "prelu",
                 "hardsigmoid", "mish", "identity", "stochastic_depth", "space_to_depth", "depth_to_space", "crop"):  # fmt: skip
        assert f"args_{name}" in defs, name
    assert set(defs["args_upsample"]["properties"]) >= {"scale", "size", "mode"}


def test_identity_is_not_a_nonlinearity() -> None:
    """torch.nn.Identity passes its input through: compare's nonlinearities (the
    CS231n argument for three 3×3 convs) must not count it."""
    from cnncalc.compare import nonlinearities

    with_identity = cnncalc.analyze("input: [8, 4, 4]\nlayers: [relu, identity, hardsigmoid]\n")
    assert nonlinearities(with_identity) == 2
    assert with_identity.rows[1].params == 0 and with_identity.rows[1].activations == 0
