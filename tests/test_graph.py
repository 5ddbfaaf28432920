"""Tier 1: graph structure through analyze(): add, concat, head, repeat and
blocks -- row order, shapes, names, `path` and `depth`, activation counting and
totals. Expected values are worked by hand from SPEC-FORMAT.md.
"""

from __future__ import annotations

import math

import pytest

import cnncalc


def analyze(spec, **kwargs):
    return cnncalc.analyze(spec, **kwargs)


def names(report):
    return [row.name for row in report.rows]


def conv(filters, kernel=3, **args):
    return {"conv": {"filters": filters, "kernel": kernel, **args}}


RESIDUAL = {
    "input": [64, 56, 56],
    "layers": [
        {
            "add": [
                [conv(64, padding=1), "batchnorm", "relu", conv(64, padding=1), "batchnorm"],
                [],
            ]
        },
        "relu",
    ],
}


def test_add_rows_come_after_their_branch():
    report = analyze(RESIDUAL)
    assert [r.type for r in report.rows] == ["conv", "batchnorm", "relu", "conv", "batchnorm", "add", "relu"]
    merge = report.rows[5]
    assert merge.output == (64, 56, 56)
    assert merge.inputs == (report.rows[4].name, "input")  # identity branch: the block's input
    assert merge.activations == 64 * 56 * 56
    # basic block: two 3x3 convs 64 -> 64 with bias, two batchnorms
    assert report.totals.trainable == 2 * (64 * 64 * 9 + 64) + 2 * (2 * 64)
    assert report.totals.non_trainable == 2 * (2 * 64)


def test_add_with_projection_shortcut():
    spec = {
        "input": [64, 56, 56],
        "layers": [
            {
                "add": [
                    [conv(128, stride=2, padding=1), "batchnorm", "relu", conv(128, padding=1), "batchnorm"],
                    [conv(128, kernel=1, stride=2, bias=False), "batchnorm"],
                ]
            }
        ],
    }
    report = analyze(spec)
    assert report.rows[-1].type == "add"
    # (56 + 2 - 3)/2 + 1 = 28.5 -> 28 (inexact); 1x1/2: (56 - 1)/2 + 1 = 28.5 -> 28 (inexact)
    assert report.rows[-1].output == (128, 28, 28)
    assert report.rows[-1].inputs == (report.rows[4].name, report.rows[6].name)
    assert report.totals.inexact_layers == 2


def test_add_shape_mismatch_names_both_shapes_and_the_line():
    text = "input: [8, 8, 8]\nlayers:\n  - add:\n      - [conv: {filters: 8, kernel: 3}]\n      - []\n"
    with pytest.raises(cnncalc.SpecError) as info:
        analyze(text)
    assert "[8, 6, 6]" in info.value.message and "[8, 8, 8]" in info.value.message
    assert info.value.loc.line == 3


def test_concat_channel_sum():
    # GoogLeNet inception (3a) on 192x28x28: 64 + 128 + 32 + 32 = 256
    spec = {
        "input": [192, 28, 28],
        "layers": [
            {
                "concat": [
                    [conv(64, kernel=1)],
                    [conv(96, kernel=1), conv(128, padding=1)],
                    [conv(16, kernel=1), conv(32, kernel=5, padding=2)],
                    [{"maxpool": {"kernel": 3, "stride": 1, "padding": 1}}, conv(32, kernel=1)],
                ]
            }
        ],
    }
    report = analyze(spec)
    merge = report.rows[-1]
    assert merge.type == "concat"
    assert merge.output == (64 + 128 + 32 + 32, 28, 28)
    assert len(merge.inputs) == 4
    assert merge.activations == 256 * 28 * 28
    assert report.totals.trainable == (
        (192 * 64 + 64)
        + (192 * 96 + 96)
        + (96 * 128 * 9 + 128)
        + (192 * 16 + 16)
        + (16 * 32 * 25 + 32)
        + (192 * 32 + 32)
    )


def test_concat_with_identity_branch():
    spec = {"input": [8, 5, 5], "layers": [{"concat": [[], [conv(4, padding=1)]]}]}
    assert analyze(spec).rows[-1].output == (8 + 4, 5, 5)


def test_merges_of_flat_tensors():
    spec = {"input": [10], "layers": [{"concat": [[{"dense": {"units": 4}}], [{"dense": {"units": 6}}], []]}]}
    assert analyze(spec).rows[-1].output == (4 + 6 + 10,)
    spec = {"input": [10], "layers": [{"add": [[{"dense": {"units": 10}}], []]}]}
    assert analyze(spec).rows[-1].output == (10,)


def test_concat_spatial_mismatch():
    spec = {"input": [8, 8, 8], "layers": [{"concat": [[conv(4)], [conv(4, padding=1)]]}]}
    with pytest.raises(cnncalc.SpecError) as info:
        analyze(spec)
    assert "[4, 6, 6]" in info.value.message and "[4, 8, 8]" in info.value.message


def test_merge_with_a_name_and_branches_key():
    spec = {"input": [8, 5, 5], "layers": [{"add": {"name": "sum", "branches": [[conv(8, padding=1)], []]}}]}
    report = analyze(spec)
    assert report.rows[-1].name == "sum"


def test_nested_merges():
    spec = {
        "input": [8, 6, 6],
        "layers": [{"add": [[{"concat": [[conv(4, kernel=1)], [conv(4, kernel=1)]]}], []]}],
    }
    report = analyze(spec)
    assert [r.type for r in report.rows] == ["conv", "conv", "concat", "add"]
    assert [r.depth for r in report.rows] == [2, 2, 1, 0]
    assert report.rows[-1].output == (8, 6, 6)


# --- head ----------------------------------------------------------------------------


def test_head_is_a_side_output_and_the_main_path_goes_on():
    spec = {
        "input": [512, 14, 14],
        "layers": [
            {
                "head": {
                    "name": "aux1",
                    "layers": [{"avgpool": {"kernel": 5, "stride": 3}}, "flatten", {"dense": {"units": 1000}}],
                }
            },
            conv(256, kernel=1),
        ],
    }
    report = analyze(spec)
    assert [r.type for r in report.rows] == ["avgpool", "flatten", "dense", "conv"]
    # (14 - 5)/3 + 1 = 4: 512*4*4 = 8192 features
    assert report.rows[0].output == (512, 4, 4)
    assert report.rows[2].params == 512 * 4 * 4 * 1000 + 1000
    # the conv after the head reads the head's input, not its output
    assert report.rows[3].inputs == ("input",)
    assert report.rows[3].output == (256, 14, 14)
    assert dict(report.outputs) == {"main": (256, 14, 14), "aux1": (1000,)}
    assert report.to_dict()["outputs"] == {"main": [256, 14, 14], "aux1": [1000]}
    assert all(r.name.startswith("aux1.") for r in report.rows[:3])


def test_duplicate_head_names_are_an_error():
    head = {"head": {"name": "aux", "layers": ["flatten"]}}
    with pytest.raises(cnncalc.SpecError, match="aux"):
        analyze({"input": [4, 4, 4], "layers": [head, head]})


# --- repeat ----------------------------------------------------------------------------


def test_repeat_expands_times_layers_with_unique_names():
    spec = {
        "input": [16, 8, 8],
        "layers": [{"repeat": {"times": 3, "layers": [conv(16, padding=1), "batchnorm", "relu"]}}],
    }
    report = analyze(spec)
    assert len(report.rows) == 3 * 3
    assert [r.type for r in report.rows] == ["conv", "batchnorm", "relu"] * 3
    assert len(set(names(report))) == 9
    assert report.totals.trainable == 3 * ((16 * 16 * 9 + 16) + 2 * 16)
    assert [r.inputs for r in report.rows[:4]] == [
        ("input",),
        (names(report)[0],),
        (names(report)[1],),
        (names(report)[2],),
    ]


def test_repeat_with_explicit_names_inside_is_an_error():
    spec = {
        "input": [4, 8, 8],
        "layers": [{"repeat": {"times": 2, "layers": [{"conv": {"name": "c", "filters": 4, "kernel": 1}}]}}],
    }
    with pytest.raises(cnncalc.SpecError, match="'c'"):
        analyze(spec)


def test_repeat_zero_times_is_the_identity():
    spec = {"input": [4, 8, 8], "layers": [{"repeat": {"times": 0, "layers": [conv(8)]}}, conv(2, kernel=1)]}
    report = analyze(spec)
    assert len(report.rows) == 1
    assert report.rows[0].params == 2 * 4 + 2


def test_repeat_times_from_an_expression():
    spec = {"input": [4, 8, 8], "args": {"n": 2}, "layers": [{"repeat": {"times": "$n * 2", "layers": ["relu"]}}]}
    assert len(analyze(spec).rows) == 4


def test_repeat_of_blocks():
    spec = {
        "input": [8, 8, 8],
        "blocks": {"res": {"layers": [{"add": [[conv(8, padding=1), "relu"], []]}]}},
        "layers": [{"repeat": {"times": 2, "layers": ["res"]}}],
    }
    report = analyze(spec)
    assert [r.type for r in report.rows] == ["conv", "relu", "add"] * 2
    assert len(set(names(report))) == 6
    assert report.rows[3].inputs == (report.rows[2].name,)


# --- names, path, depth ------------------------------------------------------------------

MIXED = {
    "name": "mixed",
    "input": [8, 16, 16],
    "blocks": {
        "bottleneck": {
            "args": {"filters": "required", "stride": 1, "expansion": 4},
            "layers": [
                {
                    "add": [
                        [
                            conv("$filters", kernel=1, bias=False),
                            "batchnorm",
                            "relu",
                            conv("$filters", stride="$stride", padding=1, bias=False),
                            "batchnorm",
                            "relu",
                            conv("$filters * $expansion", kernel=1, bias=False),
                            "batchnorm",
                        ],
                        [conv("$filters * $expansion", kernel=1, stride="$stride", bias=False), "batchnorm"],
                    ]
                },
                "relu",
            ],
        }
    },
    "layers": [
        {"conv": {"name": "stem", "filters": 16, "kernel": 3, "padding": 1}},
        "relu",
        {"bottleneck": {"filters": 4}},
        {"bottleneck": {"filters": 8, "stride": 2}},
        {"separable_conv": {"filters": 32, "kernel": 3, "padding": 1}},
        {"head": {"name": "aux", "layers": ["flatten", {"dense": {"units": 10}}]}},
        {"repeat": {"times": 2, "layers": [conv(32, padding=1), "relu"]}},
        "global_avgpool",
        "dropout",
        {"dense": {"units": 5}},
    ],
}


def test_json_names_are_unique():
    layers = analyze(MIXED).to_dict()["layers"]
    all_names = [layer["name"] for layer in layers]
    assert len(all_names) == len(set(all_names))
    assert all_names[0] == "stem"


def test_paths_and_depths():
    rows = {r["name"]: r for r in analyze(MIXED).to_dict()["layers"]}
    by_path = [(r["path"], r["depth"], r["type"]) for r in analyze(MIXED).to_dict()["layers"]]
    # top-level layers: layers/<index>, depth 0
    assert rows["stem"]["path"] == "layers/0" and rows["stem"]["depth"] == 0
    assert by_path[1] == ("layers/1", 0, "relu")
    # a block's rows show the block's use and the place in its definition
    block_rows = [p for p in by_path if p[0].startswith("layers/2>")]
    assert block_rows[0] == ("layers/2>blocks/bottleneck/layers/0/add/0/0", 2, "conv")
    assert ("layers/2>blocks/bottleneck/layers/0/add/1/0", 2, "conv") in block_rows
    assert ("layers/2>blocks/bottleneck/layers/0", 1, "add") in block_rows
    assert block_rows[-1] == ("layers/2>blocks/bottleneck/layers/1", 1, "relu")
    # separable conv: one row per part, one level down
    assert ("layers/4/depthwise", 1, "depthwise_conv") in by_path
    assert ("layers/4/pointwise", 1, "conv") in by_path
    # head and repeat
    assert ("layers/5/head/1", 1, "dense") in by_path
    assert [p for p in by_path if p[0] == "layers/6/repeat/0"] == [("layers/6/repeat/0", 1, "conv")] * 2
    assert by_path[-1] == ("layers/9", 0, "dense")


def test_mixed_shapes_and_outputs():
    report = analyze(MIXED)
    d = report.to_dict()
    # bottleneck 1: 16 -> 4*4 = 16 channels at 16x16; bottleneck 2: 8*4 = 32 at (16 + 2 - 3)//2 + 1 = 8
    adds = [r for r in d["layers"] if r["type"] == "add"]
    assert [a["output"] for a in adds] == [[16, 16, 16], [32, 8, 8]]
    assert d["outputs"] == {"main": [5], "aux": [10]}
    assert d["name"] == "mixed"
    assert d["input"] == [8, 16, 16] and d["batch"] == 1 and d["dtype"] == "float32"


def test_activations_counting():
    report = analyze(MIXED)
    for row in report.rows:
        if row.type in ("relu", "dropout", "flatten"):
            assert row.activations == 0, row.name
        else:
            assert row.activations == math.prod(row.output), row.name
    # the input counts once: 8*16*16
    assert report.totals.activations == 8 * 16 * 16 + sum(math.prod(r.output) for r in report.rows if r.activations)
    assert report.input_activations == 8 * 16 * 16
    assert {"relu", "dropout", "flatten", "add"} <= {r.type for r in report.rows}


def test_row_sums_equal_totals():
    for batch in (1, 3):
        report = analyze(MIXED, batch=batch)
        d = report.to_dict()
        t = d["totals"]
        for key in ("params", "trainable", "non_trainable", "macs"):
            assert sum(r[key] for r in d["layers"]) == t[key], key
        assert t["params"] == t["trainable"] + t["non_trainable"]
        assert t["flops"] == 2 * t["macs"]
        assert t["activations"] == 8 * 16 * 16 * batch + sum(r["activations"] for r in d["layers"])
        assert t["activation_bytes"] == 4 * t["activations"]
        assert t["param_bytes"] == 4 * t["params"]
        for r in d["layers"]:
            assert r["params"] == r["trainable"] + r["non_trainable"]


def test_json_contract_keys_and_integer_types():
    d = analyze(MIXED).to_dict()
    # SPEC-FORMAT version 2: "inputs" on every report (one input: {"input": [...]}); v1 readers ignore it
    assert list(d) == ["name", "input", "inputs", "batch", "dtype", "layers", "outputs", "totals"]
    assert d["inputs"] == {"input": d["input"]}
    row_keys = [
        "name",
        "type",
        "path",
        "depth",
        "output",
        "params",
        "trainable",
        "non_trainable",
        "macs",
        "activations",
        "saved_bytes",  # SPEC-FORMAT.md, "Memory figures (version 2)"
        "exact",
        "rf",
        "inputs",  # SPEC-FORMAT.md, "JSON additions": on every row, version 1 consumers ignore it
    ]
    assert all(list(r) == row_keys for r in d["layers"])
    total_keys = [
        "params",
        "trainable",
        "non_trainable",
        "macs",
        "flops",
        "activations",
        "activation_bytes",
        "param_bytes",
        # SPEC-FORMAT.md, "Memory figures (version 2)": binding names
        "inference_peak_bytes",
        "saved_activation_bytes",
        "grad_bytes",
        "optimizer_bytes",
        "training_peak_bytes",
        "inexact_layers",
    ]
    assert list(d["totals"]) == total_keys
    assert all(type(v) is int for v in d["totals"].values())
    for r in d["layers"]:
        assert all(type(v) is int for v in r["output"])
        assert all(type(r[k]) is int for k in ("params", "trainable", "non_trainable", "macs", "activations", "depth"))
        assert type(r["exact"]) is bool


def test_block_instances_are_prefixed_and_local_counters_restart():
    d = analyze(MIXED).to_dict()
    block_names = [r["name"] for r in d["layers"] if r["path"].startswith("layers/2>")]
    assert block_names[0] == "bottleneck1.conv1"
    assert all(n.startswith("bottleneck1.") for n in block_names)
    second = [r["name"] for r in d["layers"] if r["path"].startswith("layers/3>")]
    assert second[0] == "bottleneck2.conv1"


def test_batch_scales_macs_and_activations_not_params():
    one, two = analyze(MIXED).totals, analyze(MIXED, batch=2).totals
    assert two.macs == 2 * one.macs
    assert two.activations == 2 * one.activations
    assert two.params == one.params
