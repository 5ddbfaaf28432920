"""Tier 4: `cnncalc summary` through click's CliRunner -- exit codes, formats,
options, located errors, and golden outputs.

Numbers: VGG16's 138,357,544 params and 15.47 GFLOPS (= MACs) are torchvision's
model table; its activations are CS231n's 15,237,608 elements plus the
512*7*7 output of torchvision's AdaptiveAvgPool2d((7, 7)) (SPEC-FORMAT, totals).

Goldens (tests/golden/) pin the formatting; refresh them with
`pytest tests/test_summary_cli.py --update-goldens` and review the diff.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import cnncalc
from cnncalc.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
VGG16 = str(ROOT / "specs" / "vgg16.yaml")
SMALL = str(GOLDEN / "small.yaml")
ANSI = re.compile(r"\x1b\[")

VGG16_PARAMS = 138_357_544
VGG16_MACS = 15_470_264_320
VGG16_ACTIVATIONS = 15_237_608 + 512 * 7 * 7
VGG16_ROWS = 13 + 13 + 5 + 1 + 1 + 3 + 2 + 2  # convs, their relus, pools, avgpool, flatten, fcs, relus, dropouts


def summary(*args, input=None):
    result = CliRunner().invoke(main, ["summary", *map(str, args)], input=input)
    return result


def ok(*args):
    result = summary(*args)
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result.stdout


def as_json(*args):
    return json.loads(ok(*args, "--format", "json"))


def check_golden(request, name, text):
    path = GOLDEN / name
    if request.config.getoption("--update-goldens"):
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing: run pytest --update-goldens"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from the golden; if intended, run pytest --update-goldens"


# --- the default table -------------------------------------------------------------


def test_vgg16_table():
    out = ok(VGG16)
    assert "138,357,544" in out
    assert "15.47 G" in out
    assert f"{VGG16_MACS:,}" in out
    assert f"{VGG16_ACTIVATIONS:,}" in out
    assert "64×224×224" in out


@pytest.mark.parametrize("width", [100, 90])
def test_a_narrow_terminal_drops_the_share_bars_before_the_numbers(width):
    wide = ok(VGG16)
    narrow = ok(VGG16, "--width", width)
    assert "Share" in wide and "Share" not in narrow
    table = narrow.split("\nTotal params")[0].splitlines()
    assert all(len(line) <= width for line in table)
    # conv1_1: 3·3·3·64 + 64 = 1,792 params, 224·224·64 · 27 = 86,704,128 MACs, 64·224·224·4 B = 12.25 MiB
    conv = next(line for line in table if line.startswith("conv1_1 "))
    assert conv.split() == [
        "conv1_1",
        "conv",
        "3×3",
        "p1",
        "64×224×224",
        "1.79",
        "k",
        "86.70",
        "M",
        "12.25",
        "MiB",
        "3",
        "/1",
    ]


def test_no_ansi_escape_codes_when_not_a_terminal():
    for args in ([VGG16], [SMALL], [SMALL, "--depth", "0"], [VGG16, "--format", "markdown"]):
        result = summary(*args)
        assert not ANSI.search(result.stdout), args
        assert not ANSI.search(result.stderr), args


def test_stdin():
    text = Path(SMALL).read_text()
    result = summary("-", "--format", "json", input=text)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == cnncalc.analyze(SMALL).to_dict()


# --- formats ---------------------------------------------------------------------


@pytest.mark.parametrize("spec", [VGG16, SMALL], ids=["vgg16", "small"])
def test_json_equals_analyze(spec):
    assert as_json(spec) == cnncalc.analyze(spec).to_dict()


def test_json_vgg16_totals():
    t = as_json(VGG16)["totals"]
    assert t["params"] == t["trainable"] == VGG16_PARAMS
    assert t["macs"] == VGG16_MACS
    assert t["flops"] == 2 * VGG16_MACS
    assert t["activations"] == VGG16_ACTIVATIONS
    assert t["activation_bytes"] == 4 * VGG16_ACTIVATIONS
    assert t["param_bytes"] == 4 * VGG16_PARAMS
    assert t["inexact_layers"] == 0


def test_csv():
    out = ok(VGG16, "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == [
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
        "saved_bytes",
        "exact",
        "rf_size",
        "rf_jump",
    ]
    assert len(rows) == 1 + VGG16_ROWS
    assert sum(int(r[5]) for r in rows[1:]) == VGG16_PARAMS
    assert sum(int(r[8]) for r in rows[1:]) == VGG16_MACS
    first = dict(zip(rows[0], rows[1]))
    assert first["output"] == "64x224x224"
    assert first["params"] == str(64 * 3 * 9 + 64)
    assert (first["rf_size"], first["rf_jump"]) == ("3x3", "1x1")
    assert dict(zip(rows[0], rows[-1]))["rf_size"] == ""  # after flatten
    nhwc = list(csv.reader(io.StringIO(ok(VGG16, "--format", "csv", "--layout", "nhwc"))))
    assert nhwc[1][4] == "224x224x64" and nhwc[-1][4] == "1000"  # Keras's order; a flat output stays


def test_markdown():
    out = ok(VGG16, "--format", "markdown")
    lines = out.splitlines()
    assert "| layer | type | output | params | MACs | memory | RF |" in lines
    table = [line for line in lines if line.startswith("| ") and not line.startswith("| layer")]
    assert len(table) == VGG16_ROWS
    assert "138,357,544" in out


def test_markdown_folds_with_depth():
    # torchvision.json: ResNet-18 has 11,689,512 trainable params and 9,600 BatchNorm running statistics
    resnet18 = str(ROOT / "specs" / "resnet18.yaml")
    for depth in ("0", "1"):
        rows = [line.split(" | ") for line in ok(resnet18, "--format", "markdown", "--depth", depth).splitlines()]
        rows = [r for r in rows if len(r) == 7 and r[0] != "| layer"]
        assert sum(int(r[3].replace(",", "")) for r in rows) == 11_689_512 + 9_600
        assert any("layers)" in r[1] for r in rows)  # folded blocks
    flat = ok(resnet18, "--format", "markdown").splitlines()
    assert len([line for line in flat if line.startswith("| ")]) - 1 > len(rows) + 1  # every layer without --depth


# --- options -----------------------------------------------------------------------


def test_batch_doubles_activations_and_macs():
    one, two = as_json(VGG16)["totals"], as_json(VGG16, "--batch", "2")["totals"]
    assert two["activations"] == 2 * one["activations"] == 2 * VGG16_ACTIVATIONS
    assert two["macs"] == 2 * one["macs"] == 2 * VGG16_MACS
    assert two["params"] == one["params"]
    assert as_json(VGG16, "--batch", "2")["batch"] == 2
    assert "Batch 2" in ok(VGG16, "--batch", "2")


def test_dtype_float16_halves_bytes():
    d32, d16 = as_json(VGG16), as_json(VGG16, "--dtype", "float16")
    assert d16["dtype"] == "float16"
    assert d16["totals"]["activation_bytes"] * 2 == d32["totals"]["activation_bytes"]
    assert d16["totals"]["param_bytes"] * 2 == d32["totals"]["param_bytes"]
    assert d16["totals"]["activations"] == d32["totals"]["activations"]
    # 138,357,544 * 2 B = 276,715,088 B; / 2^20 = 263 + 939,600/1,048,576 = 263.896 -> 263.90 MiB
    assert "263.90 MiB" in ok(VGG16, "--dtype", "float16")


def test_layout_nhwc():
    out = ok(VGG16, "--layout", "nhwc")
    assert "(None, 224, 224, 64)" in out
    assert "(None, 7, 7, 512)" in out
    assert "(None, 1000)" in out
    assert "(None, 224, 224, 64)" in ok(VGG16, "--layout", "nhwc", "--format", "markdown")


def test_input_override():
    d = as_json(VGG16, "--input", "3x160x160")
    assert d["input"] == [3, 160, 160]
    rows = {r["name"]: r for r in d["layers"]}
    assert rows["conv1_1"]["output"] == [64, 160, 160]
    assert rows["pool5"]["output"] == [512, 160 // 32, 160 // 32]
    assert d["totals"]["params"] == VGG16_PARAMS  # the adaptive pool keeps fc6 at 512*7*7
    assert "64×160×160" in ok(VGG16, "--input", "3x160x160")


def test_set_overrides_an_arg():
    # small.yaml: stem filters make_divisible(16 * $width, 8); width 0.5 -> make_divisible(8.0, 8) = 8
    assert as_json(SMALL)["layers"][0]["output"] == [16, 16, 16]
    assert as_json(SMALL, "--set", "width=0.5")["layers"][0]["output"] == [8, 16, 16]
    # width 1.5: 24.0 -> 24
    assert as_json(SMALL, "--set", "width=1.5")["layers"][0]["output"] == [24, 16, 16]


def test_depth_0_folds_block_rows():
    full, folded = ok(SMALL), ok(SMALL, "--depth", "0")
    assert "batchnorm1" in full and "batchnorm1" not in folded
    # basic: branch 0 has 5 layers, branch 1 two, then add and relu: 9
    assert re.search(r"▸ basic1\s+basic \(9 layers\)", folded)
    assert re.search(r"▸ repeat1 ×2\s+repeat \(4 layers\)", folded)
    assert "44,814" in folded and "44,814" in full  # same totals


def test_depth_all_is_the_default():
    assert ok(SMALL, "--depth", "all") == ok(SMALL)


def test_warnings_go_to_stderr(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the path is printed on stdout; tmp_path holds the test's name
    spec = Path("even_same.yaml")
    spec.write_text("input: [3, 8, 8]\nlayers:\n  - conv: {filters: 4, kernel: 2, padding: same}\n")
    result = summary(spec)
    assert result.exit_code == 0
    assert "warning" in result.stderr and "asymmetric" in result.stderr
    assert "warning" not in result.stdout


def test_dense_on_a_spatial_input_is_not_warned_about():
    # SPEC-FORMAT v2: a per-position linear (Keras Dense on a map, ConvNeXt's MLP) is valid design
    result = summary(ROOT / "specs" / "notes" / "keras_summary.yaml")
    assert result.exit_code == 0
    assert result.stderr == ""


# --- errors ------------------------------------------------------------------------


def test_bad_input_exits_2_with_file_line_col(tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text("input: [3, 32, 32]\nlayers:\n  - relu\n  - convv: {filters: 8, kernel: 3}\n")
    result = summary(spec)
    assert result.exit_code == 2
    # line 4, column 5: the 'c' of convv
    assert result.stderr.startswith(f"{spec}:4:5: error: unknown layer type 'convv'")
    assert "did you mean 'conv'" in result.stderr
    assert "  - convv: {filters: 8, kernel: 3}\n      ^" in result.stderr
    assert result.stdout == ""


def test_layer_error_points_at_the_argument(tmp_path):
    spec = tmp_path / "groups.yaml"
    spec.write_text("input: [3, 8, 8]\nlayers:\n  - conv: {filters: 8, kernel: 3, groups: 2}\n")
    result = summary(spec)
    assert result.exit_code == 2
    col = "  - conv: {filters: 8, kernel: 3, groups: 2}".index("2}") + 1
    assert result.stderr.startswith(f"{spec}:3:{col}: error:")
    assert "groups" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["missing.yaml"],
        [VGG16, "--format", "xml"],
        [VGG16, "--batch", "0"],
        [VGG16, "--depth", "x"],
        [VGG16, "--depth", "-1"],
        [VGG16, "--set", "width"],
        [VGG16, "--set", "width=0.5"],  # vgg16 has no args
        [VGG16, "--input", "3xAx4"],
        [VGG16, "--input", "3x16x16"],  # too small for 5 pools of 2
    ],
)
def test_unusable_input_exits_2(args):
    result = summary(*args)
    assert result.exit_code == 2, (result.stdout, result.stderr)


def test_missing_file_is_located():
    result = summary("no/such.yaml")
    assert result.exit_code == 2
    assert result.stderr.startswith("no/such.yaml: error: no such file")


# --- goldens -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,args",
    [
        ("vgg16_table.txt", [VGG16]),
        ("vgg16_nhwc_table.txt", [VGG16, "--layout", "nhwc"]),
        ("vgg16.md", [VGG16, "--format", "markdown"]),
        ("vgg16.csv", [VGG16, "--format", "csv"]),
        ("small_table.txt", [SMALL]),
        ("small_depth0_table.txt", [SMALL, "--depth", "0"]),
        ("small_depth1_batch4_float16_table.txt", [SMALL, "--depth", "1", "--batch", "4", "--dtype", "float16"]),
        ("small.json", [SMALL, "--format", "json"]),
        ("small.md", [SMALL, "--format", "markdown", "--layout", "nhwc"]),
    ],
)
def test_golden(request, name, args):
    check_golden(request, name, ok(*args))
