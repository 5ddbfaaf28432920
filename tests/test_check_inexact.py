"""A truer `cnncalc check`: each inexact layer says whether real input or only
padding is dropped, fixes that keep the layer's output size come first (a fix
that changes it says so), --allow-padding-drop passes layers that lose only
padding, and the report line never contradicts itself. Every remainder below is
worked out by hand beside it; PyTorch floors (size + 2p − k) / s + 1 the same way."""

from __future__ import annotations

import glob
import json
import re
from pathlib import Path

from click.testing import CliRunner

from cnncalc.check import drops_only_padding
from cnncalc.cli import main
from cnncalc.engine import run
from cnncalc.loader import load

ROOT = Path(__file__).resolve().parents[1]

# torchvision's ResNet stem without its allow_inexact
STEM = """\
input: [3, 224, 224]
layers:
  - conv: {name: conv1, filters: 64, kernel: 7, stride: 2, padding: 3}
  - maxpool: {name: pool1, kernel: 3, stride: 2}
"""

# a stride-3 typo (stride 2 was meant): 32 − 3 = 29 = 3·9 + 2, floored to 10, the last 2 real rows lost
TYPO = """\
input: [3, 32, 32]
layers:
  - conv: {name: conv1, filters: 8, kernel: 3, stride: 3}
  - maxpool: {kernel: 2}
"""

# torchvision's 3×3 stride-2 conv with padding 1 on an even map: 56 + 2 − 3 = 55 = 2·27 + 1,
# the one position left over is the last padding column
RESNET_DOWN = """\
input: [3, 56, 56]
layers:
  - conv: {name: conv1, filters: 8, kernel: 3, stride: 2, padding: 1}
"""


def check(tmp_path: Path, text: str, *options: str):
    path = tmp_path / "net.yaml"
    path.write_text(text)
    return CliRunner().invoke(main, ["check", str(path), *options])


def fixes(output: str) -> list[str]:
    return [line.strip()[len("fix: ") :] for line in output.splitlines() if line.strip().startswith("fix: ")]


def test_message_says_whether_real_input_or_only_padding_is_dropped(tmp_path: Path) -> None:
    out = check(tmp_path, STEM).output
    # conv1: 224 + 6 − 7 = 223 = 2·111 + 1: one position left, and 3 padding positions at the end
    assert (
        "floored to 112: only padding is dropped (1 of the 3 rows/columns of padding at the end), no real input" in out
    )
    # pool1 on 112, no padding: 112 − 3 = 109 = 2·54 + 1: the last real row and column are lost
    assert "floored to 55: the last row/column of real input is dropped (no window reaches it)" in out
    out = check(tmp_path, TYPO).output
    assert "floored to 10: the last 2 rows/columns of real input are dropped (no window reaches them)" in out


def test_a_stride_typo_first_fix_says_the_output_size_changes(tmp_path: Path) -> None:
    out = check(tmp_path, TYPO).output
    first = fixes(out)[0]
    # padding 2: (32 + 4 − 3)/3 + 1 = 12 instead of 10: exact, but a different output
    assert first.startswith("(output 8×10×10 becomes 8×12×12) 'padding: 2' makes it exact")
    # accepting the floor names what it loses
    assert (
        fixes(out)[-1]
        == "or accept the floor, losing 2 rows/columns of real input: add 'allow_inexact: true' to this layer"
    )


def test_fixes_that_keep_the_output_size_come_first(tmp_path: Path) -> None:
    out = check(tmp_path, STEM).output
    conv1 = fixes(out.split("pool1")[0])
    # 'same' on 224 with stride 2 gives ceil(224/2) = 112, as the floor does; it pads
    # (112 − 1)·2 + 7 − 224 = 5: 2 before, 3 after (TensorFlow's split)
    assert conv1[0].startswith(
        "'padding: same' makes it exact and keeps the output 64×112×112 (it pads H, W: 2 before, 3 after)"
    )
    kept = [not f.startswith("(output") for f in conv1]
    assert kept == sorted(kept, reverse=True), conv1  # no fix that keeps the size after one that changes it
    # the inputs that fit: n − 1 even (conv1) and (n + 1)/2 odd (pool1), n ≡ 1 (mod 4): 221 and 225.
    # They change this layer's output ((221 + 6 − 7)/2 + 1 = 111, (225 − 1)/2 + 1 = 113), and it says so
    assert "(output 64×112×112 becomes 64×111×111 or 64×113×113) an input of 3×221×221 or 3×225×225" in out
    # a whole padding that keeps the size: 31 + 2·3 − 3 = 34 = 4·8 + 2, so p = 3 − 2/2 = 2 gives
    # 31 + 4 − 3 = 32 = 4·8, output 9 as before; it comes before padding 4 (36 = 4·9, output 10)
    keep = "input: [1, 31]\nlayers:\n  - conv: {name: c, filters: 1, kernel: 3, stride: 4, padding: 3}\n"
    first = fixes(check(tmp_path, keep).output)[0]
    assert first.startswith("'padding: 2' makes it exact (L: (31 + 2·2 − 3) / 4 + 1 = 9)"), first


def test_allow_padding_drop_passes_only_layers_that_lose_only_padding(tmp_path: Path) -> None:
    result = check(tmp_path, RESNET_DOWN, "--allow-padding-drop")
    assert result.exit_code == 0, result.output
    assert (
        result.output
        == "checked 1 spec: no problems (1 inexact layer dropping only padding allowed by --allow-padding-drop)\n"
    )
    assert check(tmp_path, RESNET_DOWN).exit_code == 1  # the default stays the strict integer rule
    result = check(tmp_path, STEM, "--allow-padding-drop")
    assert result.exit_code == 1  # pool1 loses a real row and column
    assert "conv 'conv1' is inexact" not in result.output and "maxpool 'pool1' is inexact" in result.output
    # ceil_mode drops nothing but rounds up: not passed either. 112 − 3 = 109, ceil(109/2) + 1 = 56
    ceil = "input: [3, 112, 112]\nlayers:\n  - maxpool: {kernel: 3, stride: 2, ceil_mode: true}\n"
    assert check(tmp_path, ceil, "--allow-padding-drop").exit_code == 1


def test_report_line_never_contradicts_itself(tmp_path: Path) -> None:
    allowed = RESNET_DOWN.replace("padding: 1}", "padding: 1, allow_inexact: true}")
    out = check(tmp_path, allowed).output
    assert out == "checked 1 spec: no problems (1 inexact layer allowed by allow_inexact)\n"
    exact = "input: [3, 32, 32]\nlayers:\n  - conv: {filters: 8, kernel: 3, padding: 1}\n"
    assert check(tmp_path, exact).output == "checked 1 spec: no problems, every layer exact\n"


def test_json_carries_what_is_dropped_and_which_fixes_change_the_output(tmp_path: Path) -> None:
    data = json.loads(check(tmp_path, TYPO, "--format", "json").output)
    finding = data["files"][0]["findings"][0]
    assert finding["dropped"] == [{"axis": "H", "positions": 2, "input": 2}, {"axis": "W", "positions": 2, "input": 2}]
    assert [f["changes_output"] for f in finding["fixes"]] == [True, True, False]


COUNT = re.compile(r"(\d+) of the zoo's (\d+) `allow_inexact: true`")


def zoo_flags() -> tuple[int, int]:
    """How many of the zoo's written allow_inexact flags --allow-padding-drop makes unnecessary
    (every layer the flag covers is exact or drops only padding), and how many there are."""
    flags = passing = 0
    for file in sorted(glob.glob(str(ROOT / "specs" / "**" / "*.yaml"), recursive=True)):
        report = run(load(Path(file).read_text(), file))
        by_flag: dict[tuple[int, int], list] = {}
        for row in report.rows:
            if row.allow_inexact:
                by_flag.setdefault((row.loc.line, row.loc.col), []).append(row)
        flags += len(by_flag)
        passing += sum(all(r.exact or drops_only_padding(r) for r in rows) for rows in by_flag.values())
    return passing, flags


def test_docs_count_the_zoo_flags_the_option_would_pass() -> None:
    found = COUNT.search((ROOT / "docs" / "check.md").read_text())
    assert found is not None
    assert (int(found.group(1)), int(found.group(2))) == zoo_flags(), (
        "a spec was added or changed: `python tests/test_check_inexact.py` rewrites the count in docs/check.md"
    )


if __name__ == "__main__":  # rewrite the count in docs/check.md
    path = ROOT / "docs" / "check.md"
    passing, flags = zoo_flags()
    path.write_text(COUNT.sub(f"{passing} of the zoo's {flags} `allow_inexact: true`", path.read_text()))
