"""SPEC-FORMAT "Arguments, passes and expressions": ``$pass`` inside a ``repeat``,
``min``/``max`` of two or more arguments, block defaults over earlier arguments."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cnncalc.engine import run
from cnncalc.errors import SpecError
from cnncalc.loader import load

GROWING = """
input: [8, 32, 32]
blocks:
  unit:
    args: {d: 1, rate: 0.0}
    layers:
      - conv: {filters: 8, kernel: 3, dilation: $d, padding: $d}
      - stochastic_depth: {rate: $rate}
layers:
  - repeat:
      times: 3
      layers:
        - unit: {d: $pass, rate: "0.1 * $pass"}
        - repeat: {times: $pass, layers: [relu]}
"""


def test_pass_numbers_the_passes_from_one() -> None:
    graph = load(GROWING, "t.yaml")
    convs = [n for n in graph.nodes if n.type == "conv"]
    assert [n.args.dilation for n in convs] == [1, 2, 3]
    rates = [n.args.rate for n in graph.nodes if n.type == "stochastic_depth"]
    assert rates == pytest.approx([0.1, 0.2, 0.3])
    # the inner repeat runs $pass times: 1 + 2 + 3 relus
    assert sum(n.type == "relu" for n in graph.nodes) == 6


def test_pass_grows_the_receptive_field_as_dilations_do() -> None:
    # 3×3 convs at dilation 1, 2, 3, stride 1: 1 + 2·1 + 2·2 + 2·3 = 13
    report = run(load(GROWING, "t.yaml"))
    assert report.rows[-1].rf is not None
    assert report.rows[-1].rf[0].size == 13


def test_the_innermost_repeat_numbers_pass() -> None:
    text = """
input: [4, 64]
layers:
  - repeat:
      times: 2
      layers:
        - repeat: {times: 3, layers: [conv: {filters: "4 * $pass", kernel: 1}]}
"""
    filters = [n.args.filters for n in load(text, "t.yaml").nodes]
    assert filters == [4, 8, 12, 4, 8, 12]


@pytest.mark.parametrize(
    ("layers", "at"),
    [
        ("  - conv: {filters: 4, kernel: 3, dilation: $pass}\n", (3, 45)),
        ('  - dropout: {rate: "0.1 * $pass"}\n', (3, 21)),
        ("  - repeat: {times: $pass, layers: [relu]}\n", (3, 21)),  # times is read outside its own passes
    ],
)
def test_pass_outside_a_repeat_is_located(layers: str, at: tuple[int, int]) -> None:
    with pytest.raises(SpecError) as caught:
        load("input: [4, 16, 16]\nlayers:\n" + layers, "t.yaml")
    assert "'$pass' is a repeat's pass number" in caught.value.message
    assert "not inside a repeat" in caught.value.message
    assert (caught.value.loc.line, caught.value.loc.col) == at


def test_pass_inside_a_block_definition_needs_an_argument() -> None:
    # a block sees nothing outside itself, even inside a repeat: pass $pass as an argument
    text = """
input: [4, 16, 16]
blocks:
  unit: {layers: [conv: {filters: 4, kernel: 3, dilation: $pass}]}
layers:
  - repeat: {times: 2, layers: [unit]}
"""
    with pytest.raises(SpecError) as caught:
        load(text, "t.yaml")
    assert caught.value.loc.line == 4
    assert "give a block an argument for it" in caught.value.hint


@pytest.mark.parametrize(
    "text",
    [
        "input: [4, 8]\nargs: {pass: 1}\nlayers: [relu]\n",
        "input: [4, 8]\nblocks:\n  b: {args: {pass: 1}, layers: [relu]}\nlayers: [b]\n",
    ],
)
def test_pass_is_not_an_argument_name(text: str) -> None:
    with pytest.raises(SpecError) as caught:
        load(text, "t.yaml")
    assert caught.value.message == "'pass' is not an argument name: $pass is a repeat's pass number"


def test_the_command_line_says_it_in_one_line() -> None:
    spec = "input: [4, 16, 16]\nlayers:\n  - conv: {filters: 4, kernel: 3, dilation: $pass}\n"
    done = subprocess.run([sys.executable, "-m", "cnncalc", "summary", "-"], input=spec, capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.splitlines()[0].startswith("<stdin>:3:45: error: '$pass' is a repeat's pass number")


def test_min_and_max_take_two_or_more_arguments_in_a_spec() -> None:
    text = """
input: [3, 32, 32]
args: {width: 0.5}
layers:
  - conv: {filters: "max(16, 64 * $width, 8)", kernel: 1}
  - conv: {filters: "min(64, 512 * $width, 100, 48)", kernel: 1}
"""
    assert [n.args.filters for n in load(text, "t.yaml").nodes] == [32, 48]


def test_a_block_default_is_an_expression_over_top_level_and_earlier_block_arguments() -> None:
    text = """
input: [16, 8, 8]
args: {width: 2}
blocks:
  bottleneck:
    args: {filters: required, expand: "4", out: "$filters * $expand * $width", mid: "max($filters // 2, 8)"}
    layers:
      - conv: {filters: $mid, kernel: 1}
      - conv: {filters: $out, kernel: 1}
layers:
  - bottleneck: {filters: 8}
  - bottleneck: {filters: 32, expand: 1}
"""
    # out: 8·4·2 = 64, mid: max(4, 8) = 8; then out: 32·1·2 = 64, mid: max(16, 8) = 16
    assert [n.args.filters for n in load(text, "t.yaml").nodes] == [8, 64, 16, 64]
    assert [n.args.filters for n in load(text, "t.yaml", overrides={"width": 1}).nodes] == [8, 32, 16, 32]
