"""The table at any width from 60 columns up: nothing cut, what is left out said,
in the order of cnncalc/render/fit.STEPS; the same characters (and colour
codes) as rich draws; the width and colour the terminal asks for.

Goldens at 60, 80, 120 and 200 columns: refresh with
`pytest tests/test_table_width.py --update-goldens` and review the diff.
"""

from __future__ import annotations

import itertools
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import cnncalc
from cnncalc.cli import main
from cnncalc.metrics import COLUMNS
from cnncalc.render import plain
from cnncalc.render.fit import STEPS, wrap
from cnncalc.render.table import lines, render_table
from cnncalc.render.units import human, shape_text, type_label

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
ZOO = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "specs").glob("*.yaml"))
ANSI = re.compile(r"\x1b\[[0-9;]*m")
WIDTHS = (60, 80, 120, 200)


@pytest.fixture(scope="module")
def reports() -> dict[str, cnncalc.Report]:
    return {spec: cnncalc.analyze(ROOT / spec) for spec in ZOO}


def summary(*args: object) -> str:
    result = CliRunner().invoke(main, ["summary", *map(str, args)])
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result.stdout


def table_lines(text: str) -> list[str]:
    """The table's lines: from the heading row to the last layer row."""
    all_lines = text.splitlines()
    start = next(i for i, line in enumerate(all_lines) if line.startswith("Layer "))
    end = next(i for i in range(start, len(all_lines)) if all_lines[i].startswith(("(", "⚠", "!", "Total params")))
    return all_lines[start:end]


# --- goldens ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,args",
    [
        *((f"vgg16_w{width}_table.txt", ["specs/vgg16.yaml", "--width", width]) for width in WIDTHS),
        *(
            (f"resnet50_depth1_w{width}_table.txt", ["specs/resnet50.yaml", "--depth", "1", "--width", width])
            for width in WIDTHS
        ),
        ("resnet50_w80_table.txt", ["specs/resnet50.yaml", "--width", "80"]),  # every row, merges and all
    ],
)
def test_golden_widths(request, name, args):
    text = summary(ROOT / args[0], *args[1:])
    path = GOLDEN / name
    if request.config.getoption("--update-goldens"):
        path.write_text(text, encoding="utf-8")
        return
    assert text == path.read_text(encoding="utf-8"), f"{name} differs; if intended, run pytest --update-goldens"


# --- nothing cut ----------------------------------------------------------------------


def cells(line: str) -> list[str]:
    """A table line's non-empty cells (two spaces or more between cells)."""
    return [cell for cell in re.split(r"\s{2,}", line.strip()) if cell]


@pytest.mark.parametrize("width", [60, 67, 80, 95, 120, 200])
@pytest.mark.parametrize("depth", [None, 1])
def test_nothing_is_cut_at_any_width(reports, width, depth):
    for spec, report in reports.items():
        text = render_table(report, width=width, depth=depth)
        assert all(len(line) <= width for line in text.splitlines()), (spec, width)
        rows = table_lines(text)
        header, body = rows[0], rows[1:]
        assert header.split()[0] == "Layer" and not body[0].startswith(" ")  # the heading is one line
        assert body[0].startswith("input ")
        shown = list(lines(report, depth))
        assert len(body) == len(shown) + 1, spec
        for line, row in zip(body[1:], shown):
            found = cells(line)
            name = found[0].lstrip("│┌▾▸ ")
            assert row.name.endswith(name) and (name == row.name or row.name.endswith("." + name)), (spec, line)
            last = row.rows[-1]
            shape = shape_text(last.output, tokens=last.tokens)  # token rows read "197 tokens × 768"
            assert any(cell.split(" ⚠")[0] == shape for cell in found), (spec, line)
            params = sum(r.params for r in row.rows)
            blank = params == 0 and ("0" in found or row.folded or row.header)  # a group's nothing is blank
            assert human("count", params) in found or blank, (spec, line)
            type_cells = {row.kind, row.kind.split(" ", 1)[0]}
            if not row.header and not row.folded:
                label = type_label(last)
                type_cells |= {label, label.split(" ", 1)[0]}
            # the type is shown whole, shortened at a space, or not at all: never 'batchnor'
            # (a layer that reads another tensor than the row above says so after it: 'conv 3×3 ← p3')
            shown_types = {cell.split(" ← ")[0] for cell in found}
            assert (shown_types & type_cells) or "types" in text or row.folded or len(last.inputs) > 1, (spec, line)


def test_the_order_columns_give_way(reports):
    """Share bars, receptive field, memory, type arguments, types, then MACs; Params last of all."""
    report = reports["specs/resnet50.yaml"]
    headings = []
    for width in range(200, 40, -1):
        heading = table_lines(render_table(report, width=width, depth=1))[0]
        if not headings or headings[-1] != heading:
            headings.append(heading)
    columns = [heading.split("  ") for heading in headings]
    gone = []
    for before, after in itertools.pairwise(columns):
        before_set = {c.strip() for c in before if c.strip()}
        after_set = {c.strip() for c in after if c.strip()}
        gone += sorted(before_set - after_set - {"Output (C, H, W)"})
    assert gone == ["Share: params│memory", "RF /jump", "Memory", "Type", "MACs"]
    assert [step.words for step in STEPS if step.words][:4] == [
        "share bars",
        "the rows merges join",
        "receptive field",
        "type arguments",
    ]


def test_what_was_left_out_is_said():
    out = summary(ROOT / "specs/vgg16.yaml", "--width", 80)
    assert "(share bars, receptive field left out to fit 80 columns; --width 109 shows all)" in out
    wide = summary(ROOT / "specs/vgg16.yaml", "--width", 109)
    assert "left out" not in wide and "Share" in wide
    # ResNet-18 at 80: merge rows lose the names they join, before any column but the bars
    out = summary(ROOT / "specs/resnet18.yaml", "--width", 80)
    assert "the rows merges join" in out
    assert re.search(r"│ │ │ add1 +add  ", out)


def test_too_narrow_for_the_least_table_is_never_cut():
    spec = "input: [3, 8, 8]\nlayers:\n  - conv: {name: a_very_long_layer_name_that_does_not_fit_anywhere_at_all, filters: 4, kernel: 3}\n"
    report = cnncalc.analyze(spec)
    text = render_table(report, width=60)
    assert "a_very_long_layer_name_that_does_not_fit_anywhere_at_all" in text
    assert "the rest needs" in text


def test_wrap_never_cuts_a_word():
    assert wrap("aaa bbb ccc", 7) == ["aaa bbb", "ccc"]
    assert wrap("aaa bbb ccc", 7, 2) == ["aaa bbb", "  ccc"]
    assert wrap("abcdefghij klm", 5) == ["abcdefghij", "klm"]
    assert wrap("Total:      12  (a b)", 14) == ["Total:      12", "(a b)"]
    assert wrap("short", 60) == ["short"]


# --- what rich draws ---------------------------------------------------------------------


def rich_only(self, item, **options):
    self.rich_console().print(item.rich() if isinstance(item, plain.Table | plain.Text) else item, **options)


# rich takes a second or more per table: a few that together hold every kind of row
# (merges, folded groups, inexact rows allowed and not, heads) at the widths that matter
RICH_CASES = [
    ("specs/vgg16.yaml", None, 60),
    ("specs/vgg16.yaml", None, 160),
    ("specs/resnet18.yaml", None, 80),
    ("specs/resnet50.yaml", 1, 120),
    ("specs/googlenet_aux.yaml", 1, 80),
    ("specs/mobilenet_v2.yaml", 2, 200),
    ("specs/lenet5.yaml", None, 60),
]


@pytest.mark.parametrize("color", [False, True], ids=["plain", "colour"])
def test_the_table_is_what_rich_draws(reports, monkeypatch, color):
    monkeypatch.setenv("TERM", "xterm-256color")  # rich picks a colour system from it
    monkeypatch.delenv("NO_COLOR", raising=False)
    for spec, depth, width in RICH_CASES:
        report = reports[spec]
        fast = render_table(report, depth=depth, width=width, color=color)
        with monkeypatch.context() as patch:
            patch.setattr(plain.Console, "print", rich_only)
            slow = render_table(report, depth=depth, width=width, color=color)
        assert fast == slow, (spec, depth, width)
        assert bool(ANSI.search(fast)) == color
        assert ANSI.sub("", fast) == render_table(report, depth=depth, width=width), (spec, depth, width)


def test_colour_draws_without_rich():
    code = (
        "import sys\nimport cnncalc\nfrom cnncalc.render.table import render_table\n"
        "text = render_table(cnncalc.analyze('specs/resnet50.yaml'), width=100, color=True)\n"
        "assert '\\x1b[' in text\nprint('rich' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == "False", result.stderr


# --- the terminal's width and colour -------------------------------------------------------


def in_terminal(args: list[str], env: dict[str, str]) -> str:
    """cnncalc's output written to a pseudo-terminal (80×24 unless COLUMNS says)."""
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR", "TERM")}
    child = subprocess.Popen(
        [sys.executable, "-m", "cnncalc", *args],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        env={**environment, **env},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 1 << 16)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    child.wait()
    os.close(leader)
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_in_a_terminal_colour_and_width():
    out = in_terminal(["summary", "specs/vgg16.yaml", "--width", "100"], {"TERM": "xterm-256color"})
    assert ANSI.search(out)
    assert max(len(line) for line in ANSI.sub("", out).splitlines()) <= 100


@pytest.mark.parametrize("how", [["--width", "100"], []], ids=["--width", "COLUMNS"])
def test_term_dumb_is_plain_text_at_the_width_asked(how):
    env = {"TERM": "dumb", **({} if how else {"COLUMNS": "100"})}
    out = in_terminal(["summary", "specs/vgg16.yaml", *how], env)
    assert not ANSI.search(out)
    table = table_lines(out)
    assert max(map(len, table)) > 80  # not rich's 80 columns for a dumb terminal
    assert max(map(len, out.splitlines())) <= 100
    assert "Share" not in out and "RF /jump" in table[0]


def test_columns_wins_when_piped(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = summary(ROOT / "specs/vgg16.yaml")
    assert max(map(len, out.splitlines())) <= 80
    assert len(table_lines(summary(ROOT / "specs/vgg16.yaml", "--width", 120))[0]) > 80  # --width wins over it


def test_columns_headings_come_from_the_registry(reports):
    heading = table_lines(render_table(reports["specs/vgg16.yaml"], width=200))[0]
    for metric in COLUMNS:
        assert metric.column.lower() in heading.lower()


def test_docs_give_the_order_of_the_steps():
    doc = (ROOT / "docs" / "table.md").read_text()
    steps = doc[doc.index("1. the share bars") : doc.index("Layer, Output and Params are never left out")]
    said = [
        "share bars",
        "Output heading",
        "rows a merge joins",
        "receptive field",
        "memory, and any",
        "type arguments",
    ]
    said += ["Type column", "MACs"]
    assert [steps.index(words) for words in said] == sorted(steps.index(words) for words in said)
    assert len(STEPS) == len(said)


def test_wide_characters_are_measured_as_rich_does():
    """A name in wide characters (畳 takes two cells) is measured as two: columns
    are left out as needed and no row wraps, at any width."""
    from rich.cells import cell_len

    name = "畳" * 20
    report = cnncalc.analyze(
        f"input: [3, 8, 8]\nlayers:\n  - conv: {{name: {name}, filters: 4, kernel: 3}}\n  - relu\n"
    )
    for width in range(60, 130, 5):
        text = render_table(report, width=width)
        rows = table_lines(text)
        assert len(rows) == 4, (width, rows)  # heading, input, the conv, relu: none wrapped
        assert rows[2].startswith(name) and "4×6×6" in rows[2]
        assert all(cell_len(line) <= width for line in text.splitlines())
