"""`cnncalc compare` on the course notes' design questions (specs/compare/).

Every expected number is the note's own or hand arithmetic written beside it.
The README's compare outputs are also pinned verbatim (test_readme_outputs)."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnncalc.cli import main

ROOT = Path(__file__).resolve().parents[1]
COMPARE = ROOT / "specs" / "compare"
C = 64


def run_json(*args: str) -> dict:
    result = CliRunner().invoke(main, ["compare", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def metrics(data: dict) -> dict[str, dict]:
    return {m["key"]: m for m in data["metrics"]}


def pair(a: str, b: str) -> dict[str, dict]:
    return metrics(run_json(str(COMPARE / a), str(COMPARE / b)))


def frac(metric: dict) -> Fraction:
    return Fraction(metric["fractions"][1])


def test_one_7x7_against_three_3x3() -> None:
    m = pair("one_7x7.yaml", "three_3x3.yaml")
    # CS231n: C×(7×7×C) = 49C² against 3×(C×(3×3×C)) = 27C² weights
    assert m["params"]["values"] == [49 * C**2, 27 * C**2] == [200_704, 110_592]
    assert frac(m["params"]) == Fraction(27, 49)
    # every weight is used at each of the 56×56 positions
    assert m["macs"]["values"] == [49 * C**2 * 56 * 56, 27 * C**2 * 56 * 56]
    # "a 7x7 view of the input volume" both ways
    assert m["rf"]["values"] == [[7, 7], [7, 7]]
    assert m["rf"]["fractions"][1] == "1/1"
    # three nonlinearities against one, three weight layers against one
    assert m["nonlinearities"]["values"] == [1, 3]
    assert m["weight_layers"]["values"] == [1, 3]
    # "we might need more memory to hold all the intermediate CONV layer results":
    # three 64×56×56 maps (+ the input) against one
    assert m["activation_bytes"]["values"] == [4 * 2 * C * 56 * 56, 4 * 4 * C * 56 * 56]


def test_strided_conv_against_conv_and_pooling() -> None:
    m = pair("conv_pool.yaml", "strided_conv.yaml")
    data = run_json(str(COMPARE / "conv_pool.yaml"), str(COMPARE / "strided_conv.yaml"))
    # seed 000: 896 params both ways ((3·3·3 + 1)·32), output (None, 15, 15, 32) both ways
    assert m["params"]["values"] == [896, 896]
    assert [s["output"] for s in data["specs"]] == [[32, 15, 15], [32, 15, 15]]
    # 864 weights at 30×30 positions, against 864 at 15×15: a quarter of the MACs
    assert m["macs"]["values"] == [864 * 30 * 30, 864 * 15 * 15]
    assert frac(m["macs"]) == Fraction(1, 4)
    # receptive field: conv 3 then pool 2 sees 3 + (2 − 1)·1 = 4; the strided conv alone sees 3
    assert m["rf"]["values"] == [[4, 4], [3, 3]]


def test_dense_head_against_global_average_pooling() -> None:
    m = pair("dense_head.yaml", "gap_head.yaml")
    # 7·7·512·1000 + 1000 against 512·1000 + 1000
    assert m["params"]["values"] == [7 * 7 * 512 * 1000 + 1000, 512 * 1000 + 1000]
    assert frac(m["params"]) == Fraction(513_000, 25_089_000)
    assert frac(m["macs"]) == Fraction(1, 49)  # bias excluded: exactly 1/(7·7)


def test_standard_against_depthwise_separable() -> None:
    m = pair("standard_conv.yaml", "separable_conv.yaml")
    # seed 004: 32 × 144 = 4608 against 16·3·3 + 32·1·1·16 = 656
    assert m["params"]["values"] == [4608, 656]
    # MobileNet's cost ratio 1/N + 1/D_K² with N = 32 output channels, D_K = 3
    assert frac(m["params"]) == frac(m["macs"]) == Fraction(1, 32) + Fraction(1, 9) == Fraction(41, 288)
    assert m["weight_layers"]["values"] == [1, 2]


def test_mlp_against_cnn() -> None:
    m = pair("mlp.yaml", "cnn.yaml")
    # seed 003: "In total: 1,515,392,110 parameters" against "In total: 1,410,858"
    assert m["params"]["values"] == [1_515_392_110, 1_410_858]
    # "Model size: 5.645GB" (GiB): 1,515,392,110 × 4 B
    assert m["param_bytes"]["values"][0] == 1_515_392_110 * 4
    assert frac(m["params"]) == Fraction(1_410_858, 1_515_392_110)


def test_inline_stacks_and_input() -> None:
    three = ", ".join(["conv: {filters: 64, kernel: 3, padding: 1, bias: false}, relu"] * 3)
    data = run_json(
        "[conv: {filters: 64, kernel: 7, padding: 3, bias: false}, relu]", f"[{three}]", "--input", "64x56x56"
    )
    m = metrics(data)
    assert m["params"]["values"] == [49 * C**2, 27 * C**2]
    assert [s["input"] for s in data["specs"]] == [[64, 56, 56], [64, 56, 56]]
    # an inline stack defaults to a 3×224×224 input
    default = run_json("[conv: {filters: 8, kernel: 3}]", "[conv: {filters: 8, kernel: 3, padding: 1}]")
    assert [s["output"] for s in default["specs"]] == [[8, 222, 222], [8, 224, 224]]


def test_input_applies_to_all() -> None:
    data = run_json(str(COMPARE / "conv_pool.yaml"), str(COMPARE / "strided_conv.yaml"), "--input", "3x64x64")
    # (64 − 3)/1 + 1 = 62, pooled to 31; (64 − 3)/2 + 1 = 31.5, floored to 31
    assert [s["output"] for s in data["specs"]] == [[32, 31, 31], [32, 31, 31]]


def test_differences_are_listed() -> None:
    data = run_json(str(COMPARE / "standard_conv.yaml"), str(COMPARE / "separable_conv.yaml"))
    (diff,) = data["differences"]
    assert diff["spec"] == "B" and diff["against"] == "A"
    (hunk,) = diff["hunks"]
    assert hunk["op"] == "replace"
    assert [r["name"] for r in hunk["removed"]] == ["conv"]
    assert [(r["name"], r["params"]) for r in hunk["added"]] == [("depthwise", 16 * 9), ("pointwise", 32 * 16)]


def test_three_specs_table_and_markdown() -> None:
    args = [str(COMPARE / n) for n in ("standard_conv.yaml", "separable_conv.yaml", "standard_conv.yaml")]
    table = CliRunner().invoke(main, ["compare", *args])
    assert table.exit_code == 0
    assert ["A", "B", "C", "B/A", "C/A"] in [line.split() for line in table.output.splitlines()]
    assert "Layers of C against A: the same (1 layer)" in table.output
    md = CliRunner().invoke(main, ["compare", *args, "--format", "markdown"]).output
    assert "| metric | A | B | C | B/A | C/A |" in md
    assert "| params | 4,608 | 656 | 4,608 | 0.142 (41/288) | 1 |" in md


@pytest.mark.parametrize(
    "args",
    [
        [str(COMPARE / "mlp.yaml")],  # one spec
        [str(COMPARE / "mlp.yaml"), "no-such-file.yaml"],
        [str(COMPARE / "mlp.yaml"), "[conv: {filters: 8, kernal: 3}]"],
    ],
)
def test_errors_exit_2(args: list[str]) -> None:
    assert CliRunner().invoke(main, ["compare", *args]).exit_code == 2


# --- the README's outputs, pinned verbatim ---------------------------------------------------

DOCS = [ROOT / "README.md", ROOT / "docs" / "compare.md"]  # the studies live in docs/compare.md
BLOCK = re.compile(r"```text\n\$ (cnncalc compare [^\n]+)\n(.*?)```", re.S)


def _documented() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        if doc.exists():
            found += BLOCK.findall(doc.read_text())
    return found


def test_readme_outputs() -> None:
    blocks = _documented()
    pairs = {tuple(re.findall(r"specs/compare/(\w+)\.yaml", command)) for command, _ in blocks}
    for expected in [
        ("one_7x7", "three_3x3"),
        ("conv_pool", "strided_conv"),
        ("dense_head", "gap_head"),
        ("standard_conv", "separable_conv"),
        ("mlp", "cnn"),
    ]:
        assert expected in pairs, f"no README output for {expected}"
    for command, output in blocks:
        argv = command.split()[1:]
        result = CliRunner().invoke(main, argv, terminal_width=200)
        assert result.exit_code == 0
        assert result.output == output, f"README output of '{command}' is stale"


def test_max_layers_reaches_compare() -> None:
    deep = "[repeat: {times: 100001, layers: [relu]}]"
    refused = CliRunner().invoke(main, ["compare", deep, "[relu]"])
    assert refused.exit_code == 2 and "more than the limit of 100,000" in refused.stderr
    assert CliRunner().invoke(main, ["compare", deep, "[relu]", "--max-layers", "100001"]).exit_code == 0


@pytest.mark.parametrize(
    ("stack", "first_line", "caret_col"),
    [
        ("[conv: {filters: 8, kernal: 3}]", "<stack A>:1:21: error: conv has no argument 'kernal'", 21),
        ("[conv: {filters: 8, kernel: 300}]", "<stack A>:1:29: error: conv 'conv1': kernel 300 is larger", 29),
        # an unclosed bracket is located at the bracket (issue 11, item 7)
        ("[conv: {filters: 8, kernel: 3}", "<stack A>:1:1: error: invalid YAML: this '[' is never closed", 1),
    ],
)
def test_inline_stack_errors_point_into_the_stack_as_typed(stack: str, first_line: str, caret_col: int) -> None:
    result = CliRunner().invoke(main, ["compare", stack, "[relu]"])
    assert result.exit_code == 2
    message, source, caret = result.stderr.splitlines()[:3]
    assert message.startswith(first_line)
    assert source.strip() == stack
    assert caret.index("^") - source.index("[") == caret_col - 1


def test_a_multi_line_inline_stack_is_quoted_as_typed() -> None:
    unclosed = CliRunner().invoke(main, ["compare", "[relu]", "[conv: {filters: 64,\n  kernel: 7}"])
    # located at the bracket that is never closed (issue 11, item 7), quoted as typed
    assert unclosed.stderr.splitlines()[0].startswith("<stack B>:1:1: error: invalid YAML: this '[' is never closed")
    assert unclosed.stderr.splitlines()[1].strip() == "[conv: {filters: 64,"
    typo = CliRunner().invoke(main, ["compare", "[relu]", "[conv: {filters: 64,\n  kernal: 7}]"])
    assert typo.stderr.splitlines()[0].startswith("<stack B>:2:3: error: conv has no argument 'kernal'")
