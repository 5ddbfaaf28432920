"""Tier 1: the receptive field, per spatial axis, by SPEC-FORMAT's recurrence

    r_out = r_in + (k_eff - 1) * jump_in
    jump_out = jump_in * stride
    start_out = start_in + ((k_eff - 1)/2 - p) * jump_in

from r = 1, jump = 1, start = 0 at the input. Every expected value is worked by
hand beside it (or cited: CS231n's "three 3x3 convs see 7x7", Google's
receptive_field table for VGG16 pool5: size 212, jump 32, effective padding 90).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

import cnncalc


def run(input_shape, *layers):
    return cnncalc.analyze({"input": list(input_shape), "layers": list(layers)})


def rf(input_shape, *layers):
    """The JSON receptive field of the last row."""
    return run(input_shape, *layers).to_dict()["layers"][-1]["rf"]


def conv(kernel, stride=1, padding=0, dilation=1, filters=4):
    return {"conv": {"filters": filters, "kernel": kernel, "stride": stride, "padding": padding, "dilation": dilation}}


def test_input_is_one_pixel():
    # a 1x1 conv leaves the field of the input itself
    assert rf([3, 8, 8], conv(1)) == {"size": [1, 1], "jump": [1, 1], "start": [0.0, 0.0]}


def test_three_stacked_3x3_see_7():
    # CS231n: three 3x3 conv layers -> each neuron of the third sees 7x7 of the input
    # r: 1 + 2*1 = 3, 3 + 2*1 = 5, 5 + 2*1 = 7; start with padding 1: 0 + (1 - 1)*1 = 0 each time
    assert rf([3, 32, 32], conv(3, padding=1), "relu", conv(3, padding=1), "relu", conv(3, padding=1)) == {
        "size": [7, 7],
        "jump": [1, 1],
        "start": [0.0, 0.0],
    }


def test_three_stacked_3x3_without_padding():
    # start: 0 + (1 - 0)*1 = 1, then 2, then 3 (the centre of the first 7x7 window)
    assert rf([3, 32, 32], conv(3), conv(3), conv(3)) == {"size": [7, 7], "jump": [1, 1], "start": [3.0, 3.0]}


def test_one_7x7_sees_7():
    assert rf([3, 32, 32], conv(7)) == {"size": [7, 7], "jump": [1, 1], "start": [3.0, 3.0]}


def test_strided_then_3x3():
    # 3x3/2: r = 3, jump 1*2 = 2; then 3x3: r = 3 + (3-1)*2 = 7, jump 2
    # start: 0 + (1 - 0)*1 = 1, then 1 + (1 - 0)*2 = 3
    assert rf([3, 33, 33], conv(3, stride=2), conv(3)) == {"size": [7, 7], "jump": [2, 2], "start": [3.0, 3.0]}


def test_dilation_gives_k_eff():
    # k_eff = 2*(3-1) + 1 = 5: r = 5; start = 0 + (5-1)/2 = 2
    assert rf([3, 16, 16], conv(3, dilation=2)) == {"size": [5, 5], "jump": [1, 1], "start": [2.0, 2.0]}
    # after a 3x3/2 (jump 2): r = 3 + (5-1)*2 = 11
    assert rf([3, 33, 33], conv(3, stride=2), conv(3, dilation=2))["size"] == [11, 11]


def test_start_with_padding():
    # 5x5 p1:   r = 5, j = 1, start = 0 + (2 - 1)*1 = 1
    # 3x3/2 p0: r = 5 + 2*1 = 7, j = 2, start = 1 + (1 - 0)*1 = 2
    # 3x3 p2:   r = 7 + 2*2 = 11, j = 2, start = 2 + (1 - 2)*2 = 0
    # 2x2/2 maxpool: r = 11 + 1*2 = 13, j = 4, start = 0 + (1/2 - 0)*2 = 1
    report = run(
        [1, 64, 64],
        conv(5, padding=1),
        conv(3, stride=2),
        conv(3, padding=2),
        {"maxpool": {"kernel": 2}},
    )
    fields = [row["rf"] for row in report.to_dict()["layers"]]
    assert [f["size"][0] for f in fields] == [5, 7, 11, 13]
    assert [f["jump"][0] for f in fields] == [1, 2, 2, 4]
    assert [f["start"][0] for f in fields] == [1.0, 2.0, 0.0, 1.0]


def test_fractional_start():
    # a 2x2/2 pool: start = 0 + (1/2 - 0)*1 = 0.5, the centre between pixels 0 and 1
    assert rf([1, 8, 8], {"avgpool": {"kernel": 2}}) == {"size": [2, 2], "jump": [2, 2], "start": [0.5, 0.5]}


def test_resnet_stem():
    # 7x7/2 p3: r 7, j 2, start 0 + (3 - 3) = 0; maxpool 3/2 p1: r 7 + 2*2 = 11, j 4, start 0 + (1 - 1)*2 = 0
    report = run(
        [3, 224, 224],
        {"conv": {"filters": 64, "kernel": 7, "stride": 2, "padding": 3, "allow_inexact": True}},
        {"maxpool": {"kernel": 3, "stride": 2, "padding": 1, "allow_inexact": True}},
    )
    assert report.to_dict()["layers"][-1]["rf"] == {"size": [11, 11], "jump": [4, 4], "start": [0.0, 0.0]}


def test_vgg16_pool5():
    # 13 3x3 p1 convs in blocks of 2, 2, 3, 3, 3, each block closed by a 2x2/2 maxpool.
    # size: 1 +2+2 =5, +1 =6 (j2); +4+4 =14, +2 =16 (j4); +8*3 =40, +4 =44 (j8);
    #       +16*3 =92, +8 =100 (j16); +32*3 =196, +16 =212 (j32)
    # start: convs p1 add 0; the pools add 0.5*jump_in = 0.5 + 1 + 2 + 4 + 8 = 15.5
    # (= (212 - 1)/2 - 90, Google's receptive_field "effective padding" 90)
    layers = []
    for convs in (2, 2, 3, 3, 3):
        layers += [conv(3, padding=1), "relu"] * convs + [{"maxpool": {"kernel": 2}}]
    assert rf([3, 224, 224], *layers) == {"size": [212, 212], "jump": [32, 32], "start": [15.5, 15.5]}


def test_per_axis_fields():
    # a 1x7 then 7x1 (Inception v3): H: 1 then 7; W: 7 then 7
    report = run(
        [8, 17, 17],
        {"conv": {"filters": 8, "kernel": [1, 7], "padding": [0, 3]}},
        {"conv": {"filters": 8, "kernel": [7, 1], "padding": [3, 0]}},
    )
    first, second = (row["rf"] for row in report.to_dict()["layers"])
    assert first == {"size": [1, 7], "jump": [1, 1], "start": [0.0, 0.0]}
    assert second == {"size": [7, 7], "jump": [1, 1], "start": [0.0, 0.0]}


def test_1d_and_3d():
    assert rf([1, 101], conv(5, stride=2), conv(3)) == {"size": [5 + 2 * 2], "jump": [2], "start": [2.0 + 1 * 2]}
    field = rf([1, 9, 9, 9], {"conv": {"filters": 1, "kernel": [1, 3, 5], "stride": [1, 1, 2]}})
    assert field == {"size": [1, 3, 5], "jump": [1, 1, 2], "start": [0.0, 1.0, 2.0]}


def test_zero_pad_shifts_start():
    # zero_pad 2 is a 1-wide window with padding 2: r unchanged, start = 0 + (0 - 2)*1 = -2
    assert rf([1, 8, 8], {"zero_pad": {"padding": 2}}) == {"size": [1, 1], "jump": [1, 1], "start": [-2.0, -2.0]}
    # ZeroPadding(3) then 7x7/2 valid == 7x7/2 padding 3: start 0
    assert rf([3, 224, 224], {"zero_pad": {"padding": 3}}, conv(7, stride=2)) == rf(
        [3, 224, 224], {"conv": {"filters": 4, "kernel": 7, "stride": 2, "padding": 3, "allow_inexact": True}}
    )


def test_upsample_divides_the_jump():
    # 3x3/2: r 3, jump 2; nearest upsample x2 (stride 1/2): r 3, jump 2 * 1/2 = 1
    assert rf([4, 16, 16], conv(3, stride=2), {"upsample": {"scale": 2}})["size"] == [3, 3]
    assert rf([4, 16, 16], conv(3, stride=2), {"upsample": {"scale": 2}})["jump"] == [1, 1]
    # a 2x upsample straight from the input: jump 1/2 (adjacent outputs half a pixel apart)
    assert rf([4, 16, 16], {"upsample": {"scale": 2}})["jump"] == [0.5, 0.5]


def test_pointwise_layers_keep_the_field():
    base = [conv(3, stride=2)]
    expected = rf([4, 17, 17], *base)
    for layer in ("relu", "batchnorm", "layernorm", "lrn", "dropout", {"channel_maxpool": {"kernel": 2}}):
        assert rf([4, 17, 17], *base, layer) == expected, layer


def test_depthwise_and_separable_follow_their_window():
    # depthwise 3x3/2: r 3, j 2, start 1; separable = depthwise 3x3 + pointwise 1x1: r 3
    assert rf([4, 17, 17], {"depthwise_conv": {"kernel": 3, "stride": 2}}) == {
        "size": [3, 3],
        "jump": [2, 2],
        "start": [1.0, 1.0],
    }
    assert rf([4, 17, 17], {"separable_conv": {"filters": 8, "kernel": 3, "padding": 1}})["size"] == [3, 3]


@pytest.mark.parametrize(
    "layers",
    [
        ["flatten"],
        ["global_avgpool"],
        ["global_maxpool"],
        [{"adaptive_avgpool": {"output": 1}}],
        ["flatten", {"dense": {"units": 10}}],
        ["global_avgpool", {"dense": {"units": 10}}, "relu"],
    ],
    ids=["flatten", "global_avgpool", "global_maxpool", "adaptive to 1", "flatten dense", "gap dense relu"],
)
def test_rf_null_after_global_layers(layers):
    report = run([8, 6, 6], conv(3), *layers)
    d = report.to_dict()
    assert d["layers"][0]["rf"] is not None
    assert all(row["rf"] is None for row in d["layers"][1:])
    assert report.final_rf().name == d["layers"][0]["name"]


def test_flat_input_has_no_field():
    assert rf([784], {"dense": {"units": 10}}) is None


# --- merges ------------------------------------------------------------------------


def test_add_takes_the_largest_branch():
    # branch 0: two 3x3 p1 -> r 5; branch 1: identity -> r 1; add: 5
    report = run([8, 8, 8], {"add": [[conv(3, padding=1, filters=8), conv(3, padding=1, filters=8)], []]})
    assert report.to_dict()["layers"][-1]["rf"] == {"size": [5, 5], "jump": [1, 1], "start": [0.0, 0.0]}
    assert report.warnings == ()


def test_concat_takes_the_largest_branch_and_follows_it():
    # Inception-like: 1x1 (r 1), 3x3 p1 (r 3), 5x5 p2 (r 5), pool 3/1 p1 + 1x1 (r 3) -> 5
    # then a 3x3 on top: 5 + 2 = 7
    report = run(
        [8, 8, 8],
        {
            "concat": [
                [conv(1)],
                [conv(3, padding=1)],
                [conv(5, padding=2)],
                [{"maxpool": {"kernel": 3, "stride": 1, "padding": 1}}, conv(1)],
            ]
        },
        conv(3, padding=1),
    )
    d = report.to_dict()["layers"]
    assert d[-2]["type"] == "concat"
    assert d[-2]["rf"]["size"] == [5, 5]
    assert d[-1]["rf"]["size"] == [7, 7]
    assert report.warnings == ()


def test_largest_branch_per_axis():
    # branch 0: 1x7 (H 1, W 7); branch 1: 5x1 (H 5, W 1) -> H 5, W 7
    report = run(
        [4, 9, 9],
        {
            "concat": [
                [{"conv": {"filters": 4, "kernel": [1, 7], "padding": [0, 3]}}],
                [{"conv": {"filters": 4, "kernel": [5, 1], "padding": [2, 0]}}],
            ]
        },
    )
    assert report.to_dict()["layers"][-1]["rf"]["size"] == [5, 7]


def test_merge_warns_when_jumps_differ():
    # branch 0: 3x3/2 p1 on 8 -> 4 (jump 2); branch 1: 5x5 on 8 -> 4 (jump 1)
    report = run([4, 8, 8], {"concat": [[conv(3, stride=2, padding=1)], [conv(5)]]})
    row = report.to_dict()["layers"][-1]
    assert row["output"] == [8, 4, 4]
    assert row["rf"]["size"] == [5, 5]  # 3 vs 5: the largest
    assert len(report.warnings) == 1
    warning = report.warnings[0]
    assert "jumps" in warning.message
    assert "concat" in warning.message


def test_add_warns_when_jumps_differ():
    report = run(
        [4, 8, 8],
        {"add": [[conv(3, stride=2, padding=1)], [{"conv": {"filters": 4, "kernel": 5}}]]},
    )
    assert [w for w in report.warnings if "jumps" in w.message]


def test_merge_with_a_global_branch_is_null():
    # input 3x3: branch 0 pools globally to [4, 1, 1] (rf null: the whole input);
    # branch 1: 2x2/3 conv -> (3-2)/3 + 1 = 1, [4, 1, 1], rf 2.
    # "For add/concat the largest over the branches": the whole input -> null.
    report = run(
        [4, 3, 3],
        {
            "add": [
                [{"adaptive_avgpool": {"output": 1}}],
                [{"conv": {"filters": 4, "kernel": 2, "stride": 3, "allow_inexact": True}}],
            ]
        },
    )
    assert report.to_dict()["layers"][-1]["rf"] is None


def test_rf_json_types():
    row = run([3, 32, 32], {"conv": {"filters": 32, "kernel": 3}}).to_dict()["layers"][0]
    # SPEC-FORMAT's example row: {"size": [3, 3], "jump": [1, 1], "start": [1.0, 1.0]}
    assert row["rf"] == {"size": [3, 3], "jump": [1, 1], "start": [1.0, 1.0]}
    assert all(type(v) is int for v in row["rf"]["size"] + row["rf"]["jump"])
    assert all(type(v) is float for v in row["rf"]["start"])


def test_final_rf_follows_the_main_path_not_a_trailing_head():
    # main path: one 3×3 conv (field 3); a head after it adds a 5×5 conv (3 + 4·2 = 11)
    report = cnncalc.analyze(
        {
            "input": [3, 32, 32],
            "layers": [
                {"conv": {"filters": 4, "kernel": 3, "stride": 2, "allow_inexact": True}},
                {"head": {"name": "side", "layers": [{"conv": {"filters": 4, "kernel": 5}}]}},
            ],
        }
    )
    last = report.final_rf()
    assert last is not None and [a.size for a in last.rf] == [3, 3]


# --- through transposed convolutions and upsampling: checked against PyTorch by gradient -----------
#
# The figures below were measured with PyTorch 2 (CPU): each layer on one axis (kernel [k, 1]),
# Conv2d / ConvTranspose2d with every weight 1 and bias 0, AvgPool2d for the pools (the same
# window as a max pool, a gradient on all of it), nn.Upsample(mode="nearest"), an input of
# ones 1×1×40×1; for output position o, the input positions where d y[o] / d x is not 0. The
# RF size is the most positions any output sees (away from the borders); (o, first, last) are
# what some middle outputs see. SPEC-FORMAT's recurrence r + (k − 1)·jump gave fractions here
# (5/3, 8/3, 3/2, 4/3) or a position too many (9).

UNEVEN = [
    # layers, RF size, (o, first, last) from the gradient
    ([("conv_transpose", 3, 3, 0), ("conv", 3, 1, 0)], 2, [(59, 19, 20), (60, 20, 20), (61, 20, 21), (63, 21, 21)]),
    ([("conv_transpose", 5, 3, 1), ("conv", 3, 1, 1)], 3, [(60, 19, 20), (61, 19, 21), (64, 20, 22), (65, 21, 22)]),
    ([("conv_transpose", 2, 2, 0), ("conv_transpose", 2, 2, 0), ("conv", 3, 1, 0)], 2,
     [(79, 19, 20), (80, 20, 20), (82, 20, 21), (84, 21, 21)]),
    ([("conv", 2, 3, 1), ("conv_transpose", 4, 3, 1), ("conv", 5, 2, 1)], 8,
     [(10, 17, 24), (11, 20, 24), (12, 20, 27), (14, 26, 30)]),
    ([("upsample", 3), ("maxpool", 2, 2, 0)], 2, [(30, 20, 20), (31, 20, 21), (33, 22, 22), (34, 22, 23)]),
    # a 1-tap transposed conv of stride 2 leaves every other output blind (bias only)
    ([("conv_transpose", 1, 2, 0), ("conv", 3, 1, 0)], 2, [(38, 19, 20), (39, 20, 20), (41, 21, 21)]),
]  # fmt: skip


def _layer(kind: str, *a: int) -> dict:
    if kind == "upsample":
        return {"upsample": {"scale": [a[0], 1]}}
    k, s, p = a
    args = {"kernel": [k, 1], "stride": [s, 1], "padding": [p, 0]}
    if kind == "maxpool":
        return {"maxpool": {**args, "allow_inexact": True}}
    return {kind: {"filters": 1, **args, **({} if kind == "conv_transpose" else {"allow_inexact": True})}}


@pytest.mark.parametrize(("layers", "size", "seen"), UNEVEN)
def test_uneven_fields_are_pytorchs(layers, size, seen):
    field = run([1, 40, 1], *(_layer(*layer) for layer in layers)).rows[-1].rf[0]
    assert field.size == size
    assert [(o, *field.span.seen(o)) for o, _, _ in seen] == seen


def test_unet_2015_sees_188_or_204_pixels_as_pytorch_does():
    # The U-Net's deepest path on one axis in PyTorch, as above (4 × [conv 3, conv 3, pool 2], conv 3,
    # conv 3, 4 × [conv_transpose 2/2, conv 3, conv 3], conv 1) on 572 inputs: of every 16 outputs,
    # 4 see 188 input positions and 12 see 204 (o = 100..111: first 96; o = 112..115: 112, 188 wide;
    # 116..127: 112, 204 wide). The recurrence said 200, which no output sees.
    report = cnncalc.analyze(Path(__file__).resolve().parent.parent / "specs" / "unet_2015.yaml")
    field = report.rows[-1].rf[0]
    assert (field.size, field.jump) == (204, 1)
    widths = [last - first + 1 for first, last in map(field.span.seen, range(100, 132))]
    assert widths == ([204] * 12 + [188] * 4) * 2
    assert [field.span.seen(o)[0] for o in (100, 111, 112, 127)] == [96, 96, 112, 112]


# --- dilated kernels where the field is uneven: only the taps see ---------------------------------
#
# PyTorch's ConvTranspose2d with a dilation d feeds output o from the inputs i with
# o = i·s − p + j·d (0 <= j < k); Conv2d reads o·s − p + j·d. Between the taps nothing is seen,
# which matters once the pattern has gaps or jumps by a fraction. Worked by hand, position by
# position, as the gradient would give them (every weight 1), away from the borders.


def _dilated(kind: str, k: int, s: int, p: int, d: int) -> dict:
    args = {"kernel": [k, 1], "stride": [s, 1], "padding": [p, 0], "dilation": [d, 1]}
    return {kind: {"filters": 1, **args, **({} if kind == "conv_transpose" else {"allow_inexact": True})}}


def test_a_dilated_transposed_conv_feeds_each_output_from_one_input():
    # k 3, s 3, d 2: the taps 0, 2, 4 fall on residues 0, 2, 1 mod 3, so each output has exactly
    # one input: o = 60 = 3·20 (j 0), 61 = 3·19 + 4 (j 2), 62 = 3·20 + 2 (j 1), 63 = 3·21.
    # Size 1, not the 2 of a 5-wide window (k_eff) that counts the positions between the taps.
    field = run([1, 40, 1], _dilated("conv_transpose", 3, 3, 0, 2)).rows[-1].rf[0]
    assert (field.size, field.jump) == (1, Fraction(1, 3))
    assert [field.span.seen(o) for o in (60, 61, 62, 63)] == [(20, 20), (19, 19), (20, 20), (21, 21)]


def test_what_an_output_sees_can_go_down_and_a_conv_after_takes_the_least_and_the_most():
    # conv_transpose k 3, s 3, p 4, d 2: o is fed by (o + 4 − 2j)/3 where whole: 60 ← 20 (j 2),
    # 61 ← 21 (j 1), 62 ← 22 (j 0), 63 ← 21 (j 2): 62 sees 22 and 63 sees 21. A 2-tap conv after:
    # 61 sees {21, 22}, 62 sees {22, 21} = 21..22 (the first and last positions' own fields
    # would say 22..21), 63 sees {21, 22}, 64 sees {22, 23}.
    first = run([1, 40, 1], _dilated("conv_transpose", 3, 3, 4, 2)).rows[-1].rf[0]
    assert [first.span.seen(o) for o in (60, 61, 62, 63)] == [(20, 20), (21, 21), (22, 22), (21, 21)]
    field = run([1, 40, 1], _dilated("conv_transpose", 3, 3, 4, 2), _dilated("conv", 2, 1, 0, 1)).rows[-1].rf[0]
    assert field.size == 2
    assert [field.span.seen(o) for o in (61, 62, 63, 64)] == [(21, 22), (21, 22), (21, 22), (22, 23)]


def test_a_dilated_conv_over_gaps_sees_nothing_where_its_taps_fall_in_gaps():
    # conv_transpose k 1, s 2: even outputs see input o/2, odd ones nothing (bias only). A conv of
    # k 2, d 2 reads o and o + 2: both even (o/2 and o/2 + 1: 2 positions) or both odd (nothing).
    # A 3-wide window would have seen (o + 1)/2 from every odd output.
    field = run([1, 40, 1], _dilated("conv_transpose", 1, 2, 0, 1), _dilated("conv", 2, 1, 0, 2)).rows[-1].rf[0]
    assert field.size == 2
    assert [field.span.seen(o) for o in (38, 39, 40)] == [(19, 20), None, (20, 21)]


# --- adaptive pools whose output does not divide the input: PyTorch's windows, two widths in turn ---
#
# nn.AdaptiveAvgPool2d((o, 1)) reads floor(i·n/o) to ceil((i+1)·n/o) − 1 for output i. Measured
# with PyTorch 2 (CPU) by gradient as above (tools: an input of ones n×1, d y[o] / d x ≠ 0):
# 5 → 3 sees (0, 1), (1, 3), (3, 4); 40 → 15 then a 3×1 conv (weights 1) sees (0, 7), (2, 10),
# (5, 13), (8, 15), (10, 18), (13, 21), the widest 9. Before, every output took the widest
# window from its start: output 0 of 5 → 3 "saw" 0..2 and the field's start was 1, not 0.5.


@pytest.mark.parametrize("kind", ["adaptive_avgpool", "adaptive_maxpool"])
def test_uneven_adaptive_pools_read_pytorchs_windows(kind):
    field = run([1, 5, 1], {kind: {"output": [3, 1]}}).rows[-1].rf[0]
    assert (field.size, field.jump, field.start) == (3, Fraction(5, 3), Fraction(1, 2))
    assert [field.span.seen(o) for o in range(3)] == [(0, 1), (1, 3), (3, 4)]
    field = run([1, 40, 1], {kind: {"output": [15, 1]}}, {"conv": {"filters": 1, "kernel": [3, 1]}}).rows[-1].rf[0]
    assert field.size == 9
    assert [field.span.seen(o) for o in range(6)] == [(0, 7), (2, 10), (5, 13), (8, 15), (10, 18), (13, 21)]
