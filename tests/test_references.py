"""References to earlier tensors, `from` (SPEC-FORMAT version 2): a single-input
layer, a block use or a repeat reads a named tensor; a merge names its inputs."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from outcomes import error_of, rows

import cnncalc
from cnncalc.cli import main

jsonschema = pytest.importorskip("jsonschema")

# SPEC-FORMAT's own example (an FPN lateral connection and a U-Net style skip).
FPN = """\
input: [3, 64, 64]
layers:
  - conv: {filters: 64, kernel: 3, padding: 1, name: c3}
  - maxpool: {kernel: 2}
  - conv: {filters: 128, kernel: 3, padding: 1, name: c4}
  - upsample: {scale: 2, name: up4}
  - conv: {filters: 128, kernel: 1, from: c3, name: lat3}
  - add: {from: [up4, lat3]}
  - concat: {from: [c3, -1]}
"""


def test_the_spec_formats_example():
    by_name = rows(FPN)
    # lat3 = nn.Conv2d(64, 128, 1) on c3's [64, 64, 64]: 64·128 + 128 = 8,320 params,
    # 128·64·64 outputs × 64 inputs = 33,554,432 MACs (not up4's 128 channels)
    lat3 = by_name["lat3"]
    assert (lat3["inputs"], lat3["output"], lat3["params"], lat3["macs"]) == (["c3"], [128, 64, 64], 8320, 33_554_432)
    assert by_name["add1"]["inputs"] == ["up4", "lat3"] and by_name["add1"]["output"] == [128, 64, 64]
    # torch.cat([c3 (64 ch), add1 (128 ch)], dim=1): 192 channels
    assert by_name["concat1"]["inputs"] == ["c3", "add1"] and by_name["concat1"]["output"] == [192, 64, 64]
    assert by_name["c3"]["inputs"] == ["input"] and by_name["maxpool1"]["inputs"] == ["c3"]


def test_json_lists_every_rows_inputs():
    result = CliRunner().invoke(main, ["summary", "-", "--format", "json"], input=FPN)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == cnncalc.analyze(FPN).to_dict()
    # SPEC-FORMAT "JSON additions": every row, with or without 'from', names what it reads, last
    # (version 1 consumers ignore the key; every version 1 key keeps its place)
    plain = cnncalc.analyze("input: [3, 8, 8]\nlayers: [relu, {add: [[relu], []]}]\n").to_dict()["layers"]
    assert [(row["name"], row["inputs"]) for row in plain] == [
        ("relu1", ["input"]),
        ("relu2", ["relu1"]),
        ("add1", ["relu2", "relu1"]),
    ]
    assert all(list(row)[-1] == "inputs" for row in plain)


def test_an_unknown_name_is_located_and_the_closest_earlier_one_suggested():
    error = error_of(FPN.replace("from: c3,", "from: c33,"))
    assert (error.loc.line, error.loc.col) == (7, 43)
    assert error.message == "from: no layer named 'c33' before this one"
    assert error.hint == "did you mean 'c3'?"


def test_nothing_refers_forward():
    text = "input: [3, 8, 8]\nlayers:\n  - relu: {name: early}\n  - relu: {from: later}\n  - relu: {name: later}\n"
    error = error_of(text)
    assert (error.loc.line, error.message) == (4, "from: no layer named 'later' before this one")


def test_counting_back_and_the_input():
    text = (
        "input: [3, 8, 8]\nlayers:\n  - conv: {filters: 4, kernel: 1}\n  - conv: {filters: 5, kernel: 1}\n"
        "  - conv: {filters: 6, kernel: 1, from: -2}\n  - concat: {from: [input, -1, -3]}\n"
    )
    by_name = rows(text)
    assert by_name["conv3"]["inputs"] == ["conv1"] and by_name["conv3"]["params"] == 4 * 6 + 6
    assert by_name["concat1"]["inputs"] == ["input", "conv3", "conv1"]
    assert by_name["concat1"]["output"] == [3 + 6 + 4, 8, 8]
    error = error_of("input: [3, 8, 8]\nlayers:\n  - relu\n  - relu: {from: -2}\n")
    assert error.message == "from: -2 reaches before the first layer of this list (1 before it)"


def test_a_block_sees_its_own_layers_and_its_input():
    text = """\
input: [8, 16, 16]
blocks:
  skip:
    layers:
      - conv: {filters: 8, kernel: 3, padding: 1, name: a}
      - conv: {filters: 8, kernel: 3, padding: 1}
      - add: {from: [a, input]}
layers:
  - conv: {filters: 8, kernel: 1, name: stem}
  - skip
  - skip: {name: second, from: stem}
  - add: {from: [skip1, second]}
"""
    by_name = rows(text)
    assert by_name["skip1.add1"]["inputs"] == ["skip1.a", "stem"]
    assert by_name["second.a"]["inputs"] == ["stem"]  # the use reads stem, not skip1
    assert by_name["second.add1"]["inputs"] == ["second.a", "stem"]
    assert by_name["add1"]["inputs"] == ["skip1.add1", "second.add1"]  # a use's name is its output
    error = error_of(text.replace("from: [a, input]", "from: [a, stem]"))
    assert error.message == "from: no layer named 'stem' in this block before this one"


def test_a_repeat_reads_from_and_its_name_is_its_last_pass():
    text = (
        "input: [3, 8, 8]\nlayers:\n  - conv: {filters: 4, kernel: 1, name: x}\n  - relu\n"
        "  - repeat: {name: r, times: 2, from: x, layers: [conv: {filters: 4, kernel: 1}]}\n"
        "  - add: {from: [r, x]}\n"
    )
    by_name = rows(text)
    assert by_name["conv1"]["inputs"] == ["x"] and by_name["conv2"]["inputs"] == ["conv1"]
    assert by_name["add1"]["inputs"] == ["conv2", "x"]


def test_merge_mistakes():
    error = error_of("input: [3, 8, 8]\nlayers:\n  - relu: {name: a}\n  - add: {from: [a]}\n")
    assert error.message == "add's 'from' must list at least two earlier layers, not a list"
    error = error_of("input: [3, 8, 8]\nlayers:\n  - relu: {name: a}\n  - add: {from: [a, -1], branches: [[], []]}\n")
    assert error.message == "add has both 'branches' and 'from'"


def test_the_schema_knows_from():
    schema = json.loads(CliRunner().invoke(main, ["schema"]).output)
    validator = jsonschema.Draft202012Validator(schema)
    import yaml

    assert not list(validator.iter_errors(yaml.safe_load(FPN)))
    bad = yaml.safe_load("input: [3, 8, 8]\nlayers:\n  - relu: {name: a}\n  - add: {from: [a]}\n")
    assert list(validator.iter_errors(bad))


# A repeat of three 1×1 convs, 4 → 4 channels, each 4·4 + 4 = 20 params.
PASSES = (
    "input: [4, 8, 8]\nlayers:\n"
    "  - repeat: {name: R, times: 3, layers: [conv: {filters: 4, kernel: 1}]}\n"
    "  - conv: {filters: 2, kernel: 1, from: R.2, name: tap}\n"
    "  - concat: {from: [R.*, tap]}\n"
)


def test_pass_k_and_every_pass_of_a_repeat():
    by_name = rows(PASSES)
    assert by_name["tap"]["inputs"] == ["conv2"]  # R.2: the second pass's output
    # torch.cat([conv1, conv2, conv3, tap]): 4 + 4 + 4 + 2 = 14 channels
    assert by_name["concat1"]["inputs"] == ["conv1", "conv2", "conv3", "tap"]
    assert by_name["concat1"]["output"] == [14, 8, 8]
    alone = rows(PASSES.replace("[R.*, tap]", "[R.*]"))["concat1"]  # one entry standing for three tensors
    assert alone["inputs"] == ["conv1", "conv2", "conv3"] and alone["output"] == [12, 8, 8]
    assert rows(PASSES.replace("R.2", "R"))["tap"]["inputs"] == ["conv3"]  # R alone: its last pass


def test_pass_mistakes_are_located():
    error = error_of(PASSES.replace("R.2", "R.4"))
    assert (error.loc.line, error.loc.col) == (4, 41)  # at R.4
    assert error.message == "from: 'R.4' is past the repeat's passes: 'R' has 3 passes"
    assert error.hint == "count passes from 1 to 3"
    assert error_of(PASSES.replace("R.2", "R.0")).message == "from: 'R.0' is past the repeat's passes: 'R' has 3 passes"
    error = error_of(PASSES.replace("R.2", "R.*"))
    assert error.message == (
        "from: 'R.*' stands for every pass of a repeat, and only a merge's 'from' list takes several"
    )
    error = error_of(PASSES.replace("times: 3", "times: 1").replace("[R.*, tap]", "[R.*]").replace("R.2", "R.1"))
    assert error.message == "'from' names 1 tensor; a merge needs at least two"
    error = error_of(PASSES.replace("[R.*, tap]", "[Q.*, tap]"))
    assert error.message == "from: no layer named 'Q.*' before this one"


BLOCKED = """\
input: [8, 16, 16]
blocks:
  inner:
    layers:
      - conv: {filters: 8, kernel: 1, name: a}
  outer:
    layers:
      - inner
      - conv: {filters: 8, kernel: 1, name: b}
layers:
  - conv: {filters: 8, kernel: 1, name: stem}
  - outer
  - relu: {from: outer1}
"""


def test_a_reference_into_a_block_from_outside_is_refused():
    assert rows(BLOCKED)["relu1"]["inputs"] == ["outer1.b"]  # the use's name is its output
    error = error_of(BLOCKED.replace("from: outer1}", "from: outer1.b}"))
    assert (error.loc.line, error.loc.col) == (13, 18)  # at outer1.b
    assert error.message == (
        "from: 'outer1.b' is inside the block use 'outer1', and a block's layers are not visible outside it"
    )
    assert error.hint == "read the block's output by its use's name, 'outer1', or add the layer outside the block"
    error = error_of(BLOCKED.replace("from: outer1}", "from: outer1.inner1.a}"))  # nested: the outer use
    assert error.message.startswith("from: 'outer1.inner1.a' is inside the block use 'outer1',")


def test_a_reference_out_of_a_block_from_inside_is_refused():
    error = error_of(BLOCKED.replace("name: b}", "name: b, from: stem}"))
    assert (error.loc.line, error.loc.col) == (9, 54)  # at stem
    assert error.message == "from: no layer named 'stem' in this block before this one"
    assert error.hint == (
        "'stem' is outside this block: a block sees only its own layers, its input ('input') "
        "and the spec's inputs; give the block use 'from' to read it"
    )


def test_a_cycle_cannot_be_written():
    """Every reference resolves, while its layer is read, to a tensor already made
    (names are known only once their layer is built, -k counts back, R.k needs the
    whole repeat), so each node's inputs have smaller indices than the node:
    the graph is in execution order and has no cycle. A layer naming itself, or a
    repeat's body naming its own repeat, finds nothing."""
    error = error_of("input: [3, 8, 8]\nlayers:\n  - relu: {name: me, from: me}\n")
    assert error.message == "from: no layer named 'me' before this one"
    error = error_of(PASSES.replace("[conv: {filters: 4, kernel: 1}]", "[conv: {filters: 4, kernel: 1, from: R.1}]"))
    assert error.message == "from: no layer named 'R.1' before this one"
    graph = cnncalc.load_graph(PASSES)
    assert all(i < node.index for node in graph.nodes for i in node.inputs)  # inputs come first (-1: the input)


def test_a_repeat_in_a_repeat_names_its_last_pass_and_a_layer_keeps_its_name():
    text = (
        "input: [4, 8, 8]\nlayers:\n"
        "  - repeat: {times: 2, layers: [repeat: {name: inner, times: 2, layers: [conv: {filters: 4, kernel: 1}]}]}\n"
        "  - relu: {from: inner}\n  - relu: {from: inner.1}\n"
    )
    by_name = rows(text)
    # four convs in all: 'inner' is the last use's last pass (conv4), inner.1 that use's first (conv3)
    assert by_name["relu1"]["inputs"] == ["conv4"] and by_name["relu2"]["inputs"] == ["conv3"]
    text = "input: [4]\nlayers:\n  - dense: {units: 3, name: aux}\n  - head: {name: aux, layers: [dense: {units: 2}]}\n"
    assert rows(text + "  - relu: {from: aux}\n")["relu1"]["inputs"] == ["aux"]  # the layer, not the head
