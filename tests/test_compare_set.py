"""``compare --set`` (every side) and ``SPEC@name=value`` (one side): two widths of
one spec are one command (issue 11, item 10)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import cnncalc
from cnncalc.cli import main

MOBILENET = str(Path(__file__).resolve().parents[1] / "specs" / "mobilenet_v2.yaml")


def compare(*args: str):
    return CliRunner().invoke(main, ["compare", "--format", "json", *args])


def figures(result) -> list[dict[str, int]]:
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)["metrics"]
    sides = len(metrics[0]["values"])
    return [{m["key"]: m["values"][i] for m in metrics} for i in range(sides)]


def test_two_widths_of_one_spec_per_side() -> None:
    half, three_quarters = figures(compare(f"{MOBILENET}@width=0.5", f"{MOBILENET}@width=0.75"))
    # each side is the spec analysed with that width, as the API does it
    assert half["params"] == cnncalc.analyze(MOBILENET, args={"width": 0.5}).totals.params
    assert three_quarters["params"] == cnncalc.analyze(MOBILENET, args={"width": 0.75}).totals.params
    # Sandler et al. 2018 (MobileNetV2, table 6 / the TF-Slim checkpoints list): width 0.5 at 224 is 97 M MACs
    assert round(half["macs"] / 1e6) == 97
    assert half["params"] < three_quarters["params"]


def test_set_applies_to_every_side_and_a_side_wins() -> None:
    a, b = figures(compare("--set", "width=0.5", MOBILENET, f"{MOBILENET}@width=0.75"))
    assert a["params"] == cnncalc.analyze(MOBILENET, args={"width": 0.5}).totals.params
    assert b["params"] == cnncalc.analyze(MOBILENET, args={"width": 0.75}).totals.params


def test_the_sides_are_named_with_their_settings() -> None:
    result = CliRunner().invoke(main, ["compare", f"{MOBILENET}@width=0.5", f"{MOBILENET}@width=0.75"])
    lines = result.output.splitlines()
    assert lines[0].startswith(f"A  {MOBILENET}@width=0.5: ")
    assert lines[1].startswith(f"B  {MOBILENET}@width=0.75: ")


def test_an_unknown_setting_is_located_at_the_specs_args() -> None:
    result = CliRunner().invoke(main, ["compare", f"{MOBILENET}@widht=0.5", MOBILENET])
    assert result.exit_code == 2
    assert "error: --set widht: the spec has no argument 'widht'; did you mean 'width'?" in result.stderr


def test_a_file_with_an_at_sign_is_still_a_file(tmp_path: Path) -> None:
    odd = tmp_path / "net@v2.yaml"
    odd.write_text("input: [3, 8, 8]\nlayers: [relu]\n")
    assert CliRunner().invoke(main, ["compare", str(odd), str(odd)]).exit_code == 0
