"""Several inputs and outputs (SPEC-FORMAT version 2): ``inputs`` (a mapping, in
order; the first layer reads the first input, ``--input`` overrides it), and
``outputs`` (a list of references or a mapping of names to references)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from outcomes import error_of

import cnncalc
from cnncalc.cli import main

# An RGB-D stem: one conv per input, concatenated.
RGBD = """\
inputs: {image: [3, 32, 32], depth: [1, 32, 32]}
layers:
  - conv: {filters: 8, kernel: 3, padding: 1, name: rgb}
  - conv: {filters: 8, kernel: 3, padding: 1, from: depth, name: d}
  - concat: {from: [rgb, d]}
"""


def report(text: str, **options: object) -> dict:
    return cnncalc.analyze(text, **options).to_dict()  # type: ignore[arg-type]


def test_each_input_feeds_its_layers_and_json_names_them():
    d = report(RGBD)
    rows = {row["name"]: row for row in d["layers"]}
    # nn.Conv2d(3, 8, 3): 3·8·9 + 8 = 224 params, 8·32·32 outputs × 27 = 221,184 MACs;
    # nn.Conv2d(1, 8, 3) on the depth map: 1·8·9 + 8 = 80 params, 8·32·32 × 9 = 73,728 MACs
    assert (rows["rgb"]["inputs"], rows["rgb"]["params"], rows["rgb"]["macs"]) == (["image"], 224, 221_184)
    assert (rows["d"]["inputs"], rows["d"]["params"], rows["d"]["macs"]) == (["depth"], 80, 73_728)
    assert rows["concat1"]["output"] == [16, 32, 32]
    assert d["input"] == [3, 32, 32]  # version 1's meaning: the first input's shape
    assert d["inputs"] == {"image": [3, 32, 32], "depth": [1, 32, 32]}
    # the receptive field starts at each input: a 3×3 conv on either sees 3 pixels
    assert rows["d"]["rf"]["size"] == [3, 3] and rows["concat1"]["rf"]["size"] == [3, 3]
    # activations count both inputs: 3·32·32 + 1·32·32 = 4,096, plus 8+8+16 channels of 32·32
    assert d["totals"]["activations"] == 4096 + (8 + 8 + 16) * 1024


def test_one_input_written_as_inputs_is_version_1s_input():
    d = report("inputs: {input: [3, 8, 8]}\nlayers: [relu]\n")
    assert d["inputs"] == {"input": [3, 8, 8]} and d["layers"][0]["inputs"] == ["input"]
    v1 = report("input: [3, 8, 8]\nlayers: [relu]\n")
    assert v1["inputs"] == {"input": [3, 8, 8]}  # every report names its inputs (version 1 readers ignore it)
    assert v1["totals"] == d["totals"]


def test_the_first_input_is_overridden_by_dash_dash_input():
    d = report(RGBD.replace("depth: [1, 32, 32]", "depth: [1, 64, 64]") + "  - maxpool: {kernel: 2, from: d}\n",
               input=(3, 64, 64))  # fmt: skip
    assert d["inputs"] == {"image": [3, 64, 64], "depth": [1, 64, 64]}
    assert d["layers"][0]["output"] == [8, 64, 64]


def test_input_names_are_visible_inside_blocks_and_input_is_the_blocks_own():
    text = """\
inputs: {image: [4, 16, 16], mask: [1, 16, 16]}
blocks:
  gated:
    layers:
      - conv: {filters: 1, kernel: 1, from: mask, name: g}
      - multiply: {from: [input, g]}
layers:
  - conv: {filters: 4, kernel: 3, padding: 1, name: stem}
  - gated
"""
    rows = {row["name"]: row for row in report(text)["layers"]}
    # nn.Conv2d(1, 1, 1) on the mask: 2 params; the block's 'input' is stem, not the image
    assert rows["gated1.g"]["inputs"] == ["mask"] and rows["gated1.g"]["params"] == 2
    assert rows["gated1.multiply1"]["inputs"] == ["stem", "gated1.g"]
    assert rows["gated1.multiply1"]["output"] == [4, 16, 16]  # [4,16,16] × [1,16,16] broadcasts


def test_input_and_inputs_together_is_a_located_error():
    error = error_of("input: [3, 8, 8]\ninputs: {a: [3, 8, 8]}\nlayers: [relu]\n")
    assert (error.loc.line, error.loc.col) == (2, 1)
    assert error.message == "the spec has both 'input' and 'inputs'"
    assert "give one" in error.hint
    error = error_of("inputs: {a: [3, 8, 8], input: [1, 8, 8]}\nlayers: [relu]\n")
    assert error.message == "only the first input may be called 'input' (it is what 'input' reads)"
    error = error_of("inputs: {conv1: [3, 8, 8]}\nlayers: [conv: {filters: 2, kernel: 1}]\n")
    assert error.message == "the name 'conv1' is already used by the input at line 1"


def test_the_cli_exits_2_with_one_located_line():
    result = CliRunner().invoke(
        main, ["summary", "-"], input="input: [3, 8, 8]\ninputs: {a: [3, 8, 8]}\nlayers: [relu]\n"
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "<stdin>:2:1: error: the spec has both 'input' and 'inputs'; " + (
        "give one: 'input: [3, 224, 224]', or 'inputs: {image: [3, 224, 224], ...}' for several"
    )


# An FPN top-down path (Lin et al. 2017, figure 3), written flat with `from`.
FPN = """\
input: [3, 64, 64]
layers:
  - conv: {filters: 16, kernel: 3, stride: 2, padding: 1, name: c2}
  - conv: {filters: 32, kernel: 3, stride: 2, padding: 1, name: c3}
  - conv: {filters: 64, kernel: 3, stride: 2, padding: 1, name: c4}
  - conv: {filters: 32, kernel: 1, name: p4}
  - upsample: {scale: 2}
  - conv: {filters: 32, kernel: 1, from: c3, name: l3}
  - add: {from: [-2, l3], name: p3}
  - upsample: {scale: 2}
  - conv: {filters: 32, kernel: 1, from: c2, name: l2}
  - add: {from: [-2, l2], name: p2}
outputs: [p2, p3, p4]
"""


def test_an_fpn_top_down_path_and_its_outputs():
    d = report(FPN)
    # shapes: c2 [16,32,32], c3 [32,16,16], c4 [64,8,8]; p4 [32,8,8], ×2 → [32,16,16] + l3 = p3,
    # ×2 → [32,32,32] + l2 = p2
    assert d["outputs"] == {"p2": [32, 32, 32], "p3": [32, 16, 16], "p4": [32, 8, 8]}
    # params: c2 3·16·9+16 = 448, c3 16·32·9+32 = 4,640, c4 32·64·9+64 = 18,496,
    # p4 64·32+32 = 2,080, l3 32·32+32 = 1,056, l2 16·32+32 = 544: 27,264
    assert d["totals"]["params"] == 27_264
    # MACs: c2 16·32·32·27 = 442,368, c3 32·16·16·144 = 1,179,648, c4 64·8·8·288 = 1,179,648,
    # p4 32·8·8·64 = 131,072, l3 32·16·16·32 = 262,144, l2 32·32·32·16 = 524,288: 3,719,168
    assert d["totals"]["macs"] == 3_719_168
    assert {row["name"]: row["inputs"] for row in d["layers"]}["p3"] == ["upsample1", "l3"]


def test_outputs_as_a_mapping_counting_back_and_naming_an_input_or_a_head():
    d = report(FPN.replace("outputs: [p2, p3, p4]", "outputs: {fine: p2, last: -1, raw: input}"))
    assert d["outputs"] == {"fine": [32, 32, 32], "last": [32, 32, 32], "raw": [3, 64, 64]}
    d = report(FPN.replace("outputs: [p2, p3, p4]", "outputs: [-1, c4]"))
    assert d["outputs"] == {"p2": [32, 32, 32], "c4": [64, 8, 8]}
    text = "input: [4]\nlayers:\n  - head: {name: aux, layers: [dense: {units: 2}]}\n  - dense: {units: 3}\n"
    assert report(text)["outputs"] == {"main": [3], "aux": [2]}  # version 1: main and the heads
    assert report(text + "outputs: [aux]\n")["outputs"] == {"aux": [2]}


def test_an_output_that_names_nothing_is_located_with_the_closest_name():
    error = error_of(FPN.replace("[p2, p3, p4]", "[p2, p33, p4]"))
    assert (error.loc.line, error.loc.col) == (13, 15)
    assert error.message == "outputs: no layer named 'p33' before this one"
    assert error.hint == "did you mean 'p3'?"
    error = error_of(FPN.replace("[p2, p3, p4]", "[p2, p2]"))
    assert error.message == "outputs: 'p2' is listed twice"
    error = error_of(FPN.replace("[p2, p3, p4]", "3"))
    assert error.message == "'outputs' must be a list of tensors or a mapping of names to tensors, not the number 3"


def test_the_table_lists_the_outputs():
    result = CliRunner().invoke(main, ["summary", "-"], input=FPN)
    assert result.exit_code == 0, result.output
    assert "Outputs:           p2 32×32×32, p3 32×16×16, p4 32×8×8" in result.stdout


def test_the_schema_knows_inputs_and_outputs():
    jsonschema = pytest.importorskip("jsonschema")
    yaml = pytest.importorskip("yaml")
    schema = json.loads(CliRunner().invoke(main, ["schema"]).output)
    validator = jsonschema.Draft202012Validator(schema)
    for text in (RGBD, FPN, FPN.replace("[p2, p3, p4]", "{fine: p2, last: -1}")):
        assert not list(validator.iter_errors(yaml.safe_load(text)))
    both = yaml.safe_load("input: [3, 8, 8]\ninputs: {a: [3, 8, 8]}\nlayers: [relu]\n")
    assert list(validator.iter_errors(both))
    assert list(validator.iter_errors(yaml.safe_load("layers: [relu]\n")))  # neither
    assert list(validator.iter_errors(yaml.safe_load(FPN.replace("[p2, p3, p4]", "[]"))))


DEAD = """\
input: [3, 8, 8]
layers:
  - conv: {filters: 4, kernel: 1, name: x}
  - relu
  - conv: {filters: 4, kernel: 3, padding: 1}
  - repeat: {name: r, times: 2, from: x, layers: [conv: {filters: 4, kernel: 1}]}
  - add: {from: [r, x]}
"""


def test_a_dead_layer_is_a_warning_and_still_counts():
    result = cnncalc.analyze(DEAD)
    # the repeat reads x, so relu1 and conv1 after it reach no output: one warning where the dead path ends
    (warning,) = [w for w in result.warnings if w.code == "W004"]
    assert (warning.loc.line, warning.loc.col) == (5, 5)
    assert warning.message == (
        "conv 'conv1': its output reaches no output of the network (a dead layer, and 1 dead layer before it); "
        "its figures still count in the totals"
    )
    # x: 3·4 + 4 = 16; conv1 (dead) 4·4·9 + 4 = 148; the repeat's two 1×1 convs 4·4 + 4 = 20 each: 204
    assert result.totals.params == 16 + 148 + 2 * 20
    cli = CliRunner().invoke(main, ["summary", "-"], input=DEAD)
    assert cli.exit_code == 0 and "[W004]" in cli.stderr
    assert "[W004]" not in CliRunner().invoke(main, ["summary", "-", "--ignore", "W004"], input=DEAD).stderr


def test_outputs_decide_what_is_dead():
    # with outputs: [p3], p2's branch (upsample, l2, p2) is dead; p4 and l3 feed p3
    warnings = [w.message for w in cnncalc.analyze(FPN.replace("[p2, p3, p4]", "[p3]")).warnings]
    assert warnings == [
        "add 'p2': its output reaches no output of the network (a dead layer, and 2 dead layers before it); "
        "its figures still count in the totals"
    ]
    assert not cnncalc.analyze(FPN).warnings  # every layer reaches p2, p3 or p4
    assert not cnncalc.analyze(RGBD).warnings
