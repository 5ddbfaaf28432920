"""`like:` on `upsample` and `crop` (SPEC-FORMAT version 2): resize or centre-crop to
another tensor's spatial size. The loader resolves the reference; the node reads that
tensor as a second input, whose shape (not its data) the rule gets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from outcomes import error_of, rows

import cnncalc
from cnncalc.cli import main

SPECS = Path(__file__).resolve().parents[1] / "specs"

# DeepLab's last step in small: a stride-2 conv, then back to the input's size, bilinear.
BACK = """\
input: [3, 33, 33]
layers:
  - conv: {filters: 8, kernel: 3, stride: 2, padding: 1}
  - upsample: {like: input, mode: bilinear}
"""


def test_upsample_like_the_input_at_any_input():
    # conv 3×3 /2 p1: (33 + 2 − 3) / 2 + 1 = 16 + 1 = 17; like input: back to 33 (scale 2 would give 34)
    by_name = rows(BACK)
    assert by_name["conv1"]["output"] == [8, 17, 17] and by_name["upsample1"]["output"] == [8, 33, 33]
    assert by_name["upsample1"]["inputs"] == ["conv1", "input"]
    assert (by_name["upsample1"]["params"], by_name["upsample1"]["macs"]) == (0, 0)
    # receptive field, bilinear (2 taps, stride in/out = 17/33): after the conv size 3, jump 2, start 0;
    # size 3 + (2 − 1)·2 = 5, jump 2·17/33 = 34/33, start 0 + (1/2 − 0)·2 = 1
    assert by_name["upsample1"]["rf"] == {"size": [5, 5], "jump": [34 / 33, 34 / 33], "start": [1.0, 1.0]}
    assert rows(BACK, input=(3, 65, 65))["upsample1"]["output"] == [8, 65, 65]


def test_sizes_and_check_through_like():
    # only the conv constrains the input: (n + 2 − 3) / 2 exact for odd n; the resize always fits
    result = CliRunner().invoke(main, ["sizes", "-", "--format", "json"], input=BACK)
    assert result.exit_code == 0, result.output
    axes = json.loads(result.stdout)["axes"]
    assert [(a["step"], a["offset"], a["smallest"]) for a in axes] == [(2, 1, 1), (2, 1, 1)]
    assert CliRunner().invoke(main, ["check", "-"], input=BACK).exit_code == 0


def test_crop_like_moves_the_start_of_the_receptive_field():
    text = "input: [1, 12]\nlayers:\n  - conv: {filters: 1, kernel: 5, name: small}\n  - crop: {like: small, from: input}\n"
    crop = rows(text)["crop1"]
    # small is 12 − 5 + 1 = 8 long; the crop keeps input positions (12 − 8) // 2 = 2 .. 9:
    # size 1, jump 1, start 2
    assert crop["output"] == [1, 8] and crop["rf"] == {"size": [1], "jump": [1], "start": [2.0]}
    assert crop["inputs"] == ["input", "small"]


def test_crop_like_bounds_the_admissible_sizes():
    # 2n (the upsampled input) cropped like n + 20 (a 1×1 conv padded by 10): needs 2n ≥ n + 20, n ≥ 20
    text = (
        "input: [1, 24]\nlayers:\n  - conv: {filters: 1, kernel: 1, padding: 10, name: padded}\n"
        "  - upsample: {scale: 2, from: input}\n  - crop: {like: padded}\n"
    )
    axis = json.loads(CliRunner().invoke(main, ["sizes", "-", "--format", "json"], input=text).stdout)["axes"][0]
    assert (axis["step"], axis["smallest"], axis["points"]) == (1, 20, [])
    # n cropped like 2n − 8 (a 9-tap conv on the upsampled input): n ≥ 2n − 8, n ≤ 8, and 2n ≥ 9, n ≥ 5
    text = (
        "input: [1, 8]\nlayers:\n  - conv: {filters: 1, kernel: 1, name: a}\n  - upsample: {scale: 2, from: input}\n"
        "  - conv: {filters: 1, kernel: 9, name: b}\n  - crop: {like: b, from: a}\n"
    )
    axis = json.loads(CliRunner().invoke(main, ["sizes", "-", "--format", "json"], input=text).stdout)["axes"][0]
    assert (axis["step"], axis["points"]) == (None, [5, 6, 7, 8])


def test_unet_at_its_smallest_tile():
    # U-Net at 188 (the smallest 16k + 12): 186, 184 → 92 → 90, 88 → 44 → 42, 40 → 20 → 18, 16 → 8
    # → 6, 4 → up 8 (crop 16 → 8) → 6, 4 → up 8 (crop 40 → 8) → 6, 4 → up 8 (crop 88 → 8) → 6, 4
    # → up 8 (crop 184 → 8) → 6, 4: output 2 × 4 × 4
    d = cnncalc.analyze(SPECS / "unet_2015.yaml", input=(1, 188, 188)).to_dict()
    assert d["outputs"]["main"] == [2, 4, 4]
    crops = [row for row in d["layers"] if row["type"] == "crop"]
    assert [row["output"][1:] for row in crops] == [[8, 8]] * 4
    assert d["totals"]["params"] == 31_030_658  # params do not depend on the input
    assert cnncalc.analyze(SPECS / "deeplabv3_resnet50.yaml", input=(3, 512, 512)).outputs["main"] == (21, 512, 512)


def test_like_mistakes_are_located():
    error = error_of(BACK.replace("like: input", "like: inptu"))
    assert (error.loc.line, error.loc.col) == (4, 22)  # at inptu
    assert error.message == "like: no layer named 'inptu' before this one"
    assert error.hint == "did you mean 'input'?"
    error = error_of(BACK.replace("like: input", "like: input, size: 4"))
    assert error.message == "upsample 'upsample1': upsample needs exactly one of 'scale' and 'size' (or 'like')"
    error = error_of(
        "input: [1, 12]\nlayers:\n  - conv: {filters: 1, kernel: 5, name: small}\n  - crop: {like: input}\n"
    )
    assert (error.loc.line, error.loc.col) == (4, 18)  # at the reference
    assert error.message == "crop 'crop1': crop 'input' is 12, larger than the input's 8 on axis L (input [1, 8])"
    error = error_of(
        "input: [1, 4, 4]\nlayers:\n  - flatten: {start: 1, name: f}\n  - upsample: {like: f, from: input}\n"
    )
    assert error.message == (
        "upsample 'upsample1': like: 'f' is [1, 16], with 1 spatial axes, but the input [1, 4, 4] has 2"
    )


def test_the_schema_and_layers_know_like():
    jsonschema = pytest.importorskip("jsonschema")
    yaml = pytest.importorskip("yaml")
    schema = json.loads(CliRunner().invoke(main, ["schema"]).output)
    validator = jsonschema.Draft202012Validator(schema)
    for name in ("unet_2015", "deeplabv3_resnet50"):
        assert not list(validator.iter_errors(yaml.safe_load((SPECS / f"{name}.yaml").read_text())))
    assert not list(validator.iter_errors(yaml.safe_load(BACK.replace("like: input", "like: -1"))))
    assert list(validator.iter_errors(yaml.safe_load(BACK.replace("like: input", "like: 2"))))
    out = CliRunner().invoke(main, ["layers", "crop"]).output
    assert "like" in out and "a reference" in out


# A two-level U-Net written with nested branches and fixed crops, and flat with `from` and
# `crop: {like: ...}`: the same network, so the same figures.
NESTED = """\
input: [1, 44, 44]
layers:
  - conv: {filters: 4, kernel: 3}
  - concat:
      - [crop: {size: 38}]
      - [maxpool: {kernel: 2}, conv: {filters: 8, kernel: 3}, conv_transpose: {filters: 8, kernel: 2, stride: 2}]
  - conv: {filters: 2, kernel: 3}
"""
FLAT = """\
input: [1, 44, 44]
layers:
  - conv: {filters: 4, kernel: 3, name: down}
  - maxpool: {kernel: 2}
  - conv: {filters: 8, kernel: 3}
  - conv_transpose: {filters: 8, kernel: 2, stride: 2, name: up}
  - crop: {like: up, from: down}
  - concat: {from: [-1, up]}
  - conv: {filters: 2, kernel: 3}
"""


def test_a_flat_spec_with_like_and_its_nested_twin_agree():
    nested, flat = cnncalc.analyze(NESTED).to_dict(), cnncalc.analyze(FLAT).to_dict()
    # 44 → 42 → pool 21 → 19 → up 38; crop 42 → 38; concat 4 + 8 = 12 channels; 3×3 → 36
    assert flat["outputs"] == nested["outputs"] == {"main": [2, 36, 36]}
    # params: 1·4·9+4 = 40, 4·8·9+8 = 296, ConvTranspose2d(8, 8, 2) 8·8·4+8 = 264, 12·2·9+2 = 218: 818
    assert flat["totals"]["params"] == 818
    for key in ("params", "trainable", "macs", "activations", "activation_bytes"):
        assert flat["totals"][key] == nested["totals"][key], key
    assert flat["layers"][-1]["rf"] == nested["layers"][-1]["rf"]
