"""Small defects of the first minute (issue 11, item 10), each pinned: a total
under 1000 is not repeated in brackets, bytes roll to the next unit at 1000
(as counts do), a folded block of one layer says "1 layer", and a ratio near 1
is not written as a bare "1"."""

from __future__ import annotations

from fractions import Fraction

from click.testing import CliRunner

import cnncalc
from cnncalc.cli import main
from cnncalc.render.compare import ratio_text
from cnncalc.render.table import footer
from cnncalc.render.units import nbytes


def test_bytes_roll_to_the_next_unit_at_1000() -> None:
    assert nbytes(999) == "999 B"
    assert nbytes(1000) == "0.98 KiB"  # 1000 / 1024 = 0.9766
    assert nbytes(999 * 1024) == "999.00 KiB"
    assert nbytes(1_032_590) == "0.98 MiB"  # 1,032,590 / 2^20 = 0.9848, once written 1008.39 KiB
    assert nbytes(2**20) == "1.00 MiB"


def test_a_small_total_is_not_repeated() -> None:
    # dense 180 → 4: 180·4 weights + 4 biases = 724
    report = cnncalc.analyze({"input": [180], "layers": [{"dense": {"units": 4}}]})
    assert report.totals.params == 724
    line = footer(report).splitlines()[0]
    assert line.rstrip().endswith("724") and "(724)" not in line
    big = cnncalc.analyze({"input": [1000], "layers": [{"dense": {"units": 4}}]})  # 4,004
    assert footer(big).splitlines()[0].endswith("4,004  (4.00 k)")


def test_a_folded_block_of_one_layer_says_layer(tmp_path) -> None:
    spec = tmp_path / "one.yaml"
    spec.write_text(
        "input: [3, 8, 8]\nblocks:\n  b:\n    layers: [relu]\nlayers:\n  - b\n  - repeat: {times: 2, layers: [relu]}\n"
    )
    out = CliRunner().invoke(main, ["summary", str(spec), "--format", "markdown", "--depth", "0"]).output
    assert "(1 layer)" in out and "(1 layers)" not in out
    assert "(2 layers)" in out


def test_a_ratio_near_1_shows_its_difference() -> None:
    assert ratio_text(Fraction(827, 826)) == "1.001 (827/826)"  # 1.00121...
    assert ratio_text(Fraction(5001, 2500)) == "2.0004"  # 2.0004 exactly; not "2"
    assert ratio_text(Fraction(27, 49)) == "0.551 (27/49)"  # unchanged where 3 digits already show it


def test_check_takes_a_directory(tmp_path) -> None:
    """Every *.yaml directly in it, sorted; not subdirectories, not other files."""
    exact = "input: [3, 32, 32]\nlayers:\n  - conv: {filters: 8, kernel: 3, padding: 1}\n"
    # 32 − 3 = 29 = 3·9 + 2: inexact
    inexact = "input: [3, 32, 32]\nlayers:\n  - conv: {filters: 8, kernel: 3, stride: 3}\n"
    (tmp_path / "b.yaml").write_text(inexact)
    (tmp_path / "a.yaml").write_text(exact)
    (tmp_path / "notes.txt").write_text("not a spec")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.yaml").write_text(inexact)
    result = CliRunner().invoke(main, ["check", "--format", "json", str(tmp_path)])
    assert result.exit_code == 1
    import json

    files = [f["file"] for f in json.loads(result.output)["files"]]
    assert files == [str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")]
    empty = tmp_path / "sub" / "empty"
    empty.mkdir()
    result = CliRunner().invoke(main, ["check", str(empty)])
    assert result.exit_code == 2
    assert "the directory holds no *.yaml file" in result.output


def test_shell_completion_works_as_the_readme_says() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert 'eval "$(_CNNCALC_COMPLETE=bash_source cnncalc)"' in readme
    for shell, marker in (("bash_source", "_cnncalc_completion()"), ("zsh_source", "#compdef cnncalc")):
        result = CliRunner().invoke(main, [], env={"_CNNCALC_COMPLETE": shell}, prog_name="cnncalc")
        assert marker in result.output, shell


TREE = """\
input: [3, 32, 32]
blocks:
  pair:
    layers:
      - conv: {filters: 8, kernel: 3, padding: 1}
      - relu
layers:
  - pair
  - concat:
      - [conv: {filters: 4, kernel: 1}]
      - [maxpool: {kernel: 3, stride: 1, padding: 1}]
  - relu
"""


def table(tmp_path, text: str, *args: str) -> str:
    path = tmp_path / "net.yaml"
    path.write_text(text)
    result = CliRunner().invoke(main, ["summary", str(path), "--width", "140", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_branch_after_a_block_is_not_drawn_inside_it(tmp_path) -> None:
    names = [line.split("  ")[0] for line in table(tmp_path, TREE).splitlines()[2:9]]
    # pair's rows hang from its header; each branch of the concat begins with ┌, not │
    assert names == ["input", "▾ pair1", "│ conv1", "│ relu1", "┌ conv1", "┌ maxpool1", "concat1"]
    assert "+ conv1" in table(tmp_path, TREE, "--ascii")


def test_no_line_ends_in_spaces(tmp_path) -> None:
    for text in (TREE, "input: [3, 8, 8]\nlayers:\n  - conv: {filters: 2, kernel: 3}\n"):
        out = table(tmp_path, text)
        assert [line for line in out.splitlines() if line != line.rstrip()] == []


def test_a_folded_block_of_one_layer_in_the_table(tmp_path) -> None:
    out = table(tmp_path, "input: [3, 8, 8]\nblocks:\n  b:\n    layers: [relu]\nlayers:\n  - b\n", "--depth", "0")
    assert "b (1 layer)" in out and "(1 layers)" not in out
