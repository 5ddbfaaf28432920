"""The first messages a new user meets (issue 11, item 7): suggestions only when
close, else the valid names; a channels-last input named as such; a missing
file's .yaml sibling; no fake :0:0; an unclosed bracket at the bracket; one
message per mistake in a block used many times."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cnncalc.cli import main
from cnncalc.errors import did_you_mean


def summary(tmp_path: Path, text: str, *args: str):
    path = tmp_path / "net.yaml"
    path.write_text(text)
    return CliRunner().invoke(main, ["summary", str(path), *args])


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("kernal", "kernel"),  # one letter replaced
        ("fliters", "filters"),  # two neighbours swapped
        ("batchnrom", "batchnorm"),
        ("maxpooling", "maxpool"),  # Keras's name: one word the start of the other
        ("Conv", "conv"),  # case
    ],
)
def test_close_words_are_suggested(word: str, expected: str) -> None:
    names = ["kernel", "filters", "batchnorm", "maxpool", "conv", "repeat", "dilation", "flatten"]
    assert did_you_mean(word, names) == f"did you mean '{expected}'?"


@pytest.mark.parametrize("word", ["reshape", "activation", "attention"])
def test_far_words_get_the_list_not_a_guess(word: str) -> None:
    # reshape → repeat is 4 edits, activation → dilation 4, attention → flatten 6
    hint = did_you_mean(word, ["repeat", "dilation", "flatten"])
    assert hint == "expected one of: dilation, flatten, repeat"


def test_an_argument_far_from_any_lists_the_arguments(tmp_path: Path) -> None:
    result = summary(tmp_path, "input: [3, 32, 32]\nlayers:\n  - conv: {filters: 8, kernel: 3, activation: relu}\n")
    assert result.exit_code == 2
    assert (
        "conv has no argument 'activation'; expected one of: allow_inexact, bias, dilation, filters," in result.stderr
    )
    assert "did you mean" not in result.stderr


def test_an_unknown_type_far_from_any_points_to_cnncalc_layers(tmp_path: Path) -> None:
    result = summary(tmp_path, "input: [3, 32, 32]\nlayers:\n  - transformerblock\n")
    assert result.stderr.startswith(f"{tmp_path / 'net.yaml'}:3:5: error: unknown layer type 'transformerblock'; ")
    assert "`cnncalc layers` lists every layer type" in result.stderr


def test_a_channels_last_input_is_named(tmp_path: Path) -> None:
    # [32, 32, 3] read channels first is 32 channels of 32×3: a 5×5 kernel cannot fit on W = 3
    result = summary(tmp_path, "input: [32, 32, 3]\nlayers:\n  - conv: {filters: 8, kernel: 5}\n")
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first.endswith("; input is channels first: did you mean [3, 32, 32]?"), first
    # when nothing fails it is a warning at the input, W003
    result = summary(tmp_path, "input: [64, 56, 4]\nlayers:\n  - conv: {filters: 8, kernel: 1}\n")
    assert result.exit_code == 0
    path = tmp_path / "net.yaml"
    assert result.stderr == f"{path}:1:8: warning: input is channels first: did you mean [4, 64, 56]? [W003]\n"
    # channels first, or few channels of a small map, or tokens: no word
    for shape in ("[3, 32, 32]", "[8, 8, 4]", "[768, 3]"):
        layers = "  - relu\n"
        assert summary(tmp_path, f"input: {shape}\nlayers:\n{layers}").stderr == "", shape


def test_a_missing_file_suggests_its_yaml_sibling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("vgg16.yaml").write_text("input: [3, 8, 8]\nlayers: [relu]\n")
    result = CliRunner().invoke(main, ["summary", "vgg16"])
    assert result.exit_code == 2
    assert result.stderr == "vgg16: error: no such file; did you mean 'vgg16.yaml'?\n"  # no fake :0:0
    result = CliRunner().invoke(main, ["summary", "resnet"])
    assert result.stderr == "resnet: error: no such file; check the path\n"


def test_an_unclosed_bracket_is_located_at_the_bracket(tmp_path: Path) -> None:
    text = "input: [3, 32, 32]\nlayers:\n  - concat:\n    - [conv: {filters: 8, kernel: 3}, relu\n    - [relu]\n"
    result = summary(tmp_path, text)
    lines = result.stderr.splitlines()
    assert lines[0].endswith(
        ":4:7: error: invalid YAML: this '[' is never closed; close it with ']' on its line (or before the next item)"
    )
    assert lines[1:] == ["      - [conv: {filters: 8, kernel: 3}, relu", "        ^"]
    # a comma missing inside a list spread over lines is not an unclosed bracket: said where it is
    text = "input: [3, 32, 32]\nlayers: [conv: {filters: 8, kernel: 3},\n   relu\n   maxpool: {kernel: 2}]\n"
    assert ":4:11: error: invalid YAML: did not find expected ',' or ']'" in summary(tmp_path, text).stderr


def test_a_mistake_in_a_block_used_twice_is_said_once_with_the_count(tmp_path: Path) -> None:
    text = (
        "input: [3, 32, 32]\nblocks:\n  pair:\n    layers:\n      - conv: {filters: 8, kernal: 3}\n      - relu\n"
        "layers:\n  - pair\n  - pair\n"
    )
    path = tmp_path / "net.yaml"
    path.write_text(text)
    result = CliRunner().invoke(main, ["check", str(path)])
    errors = [line for line in result.output.splitlines() if ": error: " in line]
    assert errors == [
        f"{path}:5:28: error: conv has no argument 'kernal' (in 2 uses of 'pair'); did you mean 'kernel'?"
    ]
