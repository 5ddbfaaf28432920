"""Warnings have codes (W001, ...), listed in docs/errors.md, and can be silenced:
``--quiet`` all of them, ``--ignore CODE`` one code; numbers in them are written as
the table writes them."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from cnncalc.cli import main
from cnncalc.errors import WARNINGS

ROOT = Path(__file__).resolve().parents[1]

# both warnings at once: a concat of a 2×2 pool (jump 2) and a conv (jump 1), then an even 'same' kernel
BOTH = """\
input: [3, 32, 32]
layers:
  - concat:
      - [maxpool: {kernel: 2}]
      - [conv: {filters: 4, kernel: 17}]
  - conv: {filters: 8, kernel: 4, padding: same}
"""


def run(tmp_path: Path, text: str, *args: str):
    path = tmp_path / "net.yaml"
    path.write_text(text)
    return CliRunner().invoke(main, [*args, str(path)])


def codes(stderr: str) -> list[str]:
    return re.findall(r"\[(W\d{3})\]$", stderr, re.MULTILINE)


def test_every_warning_has_a_code(tmp_path: Path) -> None:
    result = run(tmp_path, BOTH, "summary", "--format", "json")
    assert result.exit_code == 0
    assert codes(result.stderr) == ["W001", "W002"]


def test_ignore_silences_one_code_and_quiet_all(tmp_path: Path) -> None:
    assert codes(run(tmp_path, BOTH, "summary", "--ignore", "W001").stderr) == ["W002"]
    assert codes(run(tmp_path, BOTH, "summary", "--ignore", "w002", "--ignore", "W001").stderr) == []
    assert run(tmp_path, BOTH, "summary", "-q").stderr == ""
    # the fold note of a long table is noise too: 400 relus are folded past 300 rows
    many = "input: [3, 8, 8]\nlayers:\n  - repeat: {times: 400, layers: [relu]}\n"
    assert "note: 400 layers, folded" in run(tmp_path, many, "summary").stderr
    assert run(tmp_path, many, "summary", "--quiet").stderr == ""


def test_check_honours_the_same_options(tmp_path: Path) -> None:
    result = run(tmp_path, BOTH, "check")
    assert result.exit_code == 0 and codes(result.output) == ["W001", "W002"]
    assert codes(run(tmp_path, BOTH, "check", "--ignore", "W002").output) == ["W001"]
    assert run(tmp_path, BOTH, "check", "--quiet").output == "checked 1 spec: no problems, every layer exact\n"
    data = json.loads(run(tmp_path, BOTH, "check", "--format", "json").output)
    assert [w["code"] for w in data["files"][0]["warnings"]] == ["W001", "W002"]
    assert "title=cnncalc W002::" in run(tmp_path, BOTH, "check", "--format", "github").output


def test_an_unknown_code_is_a_usage_error_that_lists_the_codes(tmp_path: Path) -> None:
    result = run(tmp_path, BOTH, "summary", "--ignore", "W999")
    assert result.exit_code == 2
    assert "'W999' is not a warning code; the codes are W001 (" in result.output


def test_numbers_in_messages_are_written_as_in_the_table(tmp_path: Path) -> None:
    # an adaptive pool from 64 to 7 steps 64/7 = 9.142857...; the table's RF column writes 9.14
    text = "input: [3, 64, 64]\nlayers:\n  - concat:\n      - [adaptive_avgpool: {output: 7}]\n      - [conv: {filters: 4, kernel: 58}]\n"
    stderr = run(tmp_path, text, "summary").stderr
    assert "different jumps (9.14×9.14, 1×1)" in stderr
    assert "9.142857" not in stderr


def test_docs_list_every_code() -> None:
    doc = (ROOT / "docs" / "errors.md").read_text()
    table = doc.split("<!-- warning-codes:begin -->")[1].split("<!-- warning-codes:end -->")[0]
    listed = dict(re.findall(r"^\| `(W\d{3})` \| (.+) \|$", table, re.MULTILINE))
    assert listed == WARNINGS


def test_a_number_beside_its_bound_shows_the_difference(tmp_path: Path) -> None:
    # 1.00000000001 written as 1 (6 digits) would read "at most 1, not 1"
    result = run(tmp_path, "input: [3, 32, 32]\nlayers:\n  - dropout: {rate: 1.00000000001}\n", "summary")
    assert "error: dropout 'rate' must be at most 1, not 1.00000000001" in result.stderr
    # and an expression's value keeps 6 digits, not a float's 17
    text = 'input: [3, 32, 32]\nargs: {w: 0.3333333}\nlayers:\n  - conv: {filters: "64 * $w", kernel: 3}\n'
    assert 'not "64 * $w" = 21.3333;' in run(tmp_path, text, "summary").stderr
