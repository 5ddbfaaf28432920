"""The table of a DAG (issue 10, item 3): a row that reads another tensor than
the one the table's layout implies says so after a ``←``, as a merge names the
rows it joins; several inputs are rows of their own; names inside a block that
clash with outer names are written in full."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_references import FPN  # SPEC-FORMAT's own example: lat3 reads c3, not up4 (the row above it)

import cnncalc
from cnncalc.render.table import render_table
from cnncalc.render.wiring import laid_out, read_names

ROOT = Path(__file__).resolve().parent.parent


def table(text: str, **options: object) -> str:
    return render_table(cnncalc.analyze(text), **options)  # type: ignore[arg-type]


def type_cell(out: str, name: str) -> str:
    """The Type cell of the row named ``name`` (the text between the name and the output shape)."""
    for line in out.splitlines():
        words = line.lstrip("│┌ ").split("  ")
        if words[0] == name:
            return next(word.strip() for word in words[1:] if word.strip())
    raise AssertionError(f"no row {name}")


def test_a_row_that_reads_a_named_tensor_names_it():
    out = table(FPN, width=120)
    assert type_cell(out, "lat3") == "conv 1×1 ← c3"
    assert type_cell(out, "add1") == "add ← up4, lat3"
    assert type_cell(out, "concat1") == "concat ← c3, add1"
    # rows that read the row above say nothing more than before
    assert [type_cell(out, name) for name in ("c3", "maxpool1", "c4", "up4")] == [
        "conv 3×3 p1",
        "maxpool 2×2",
        "conv 3×3 p1",
        "upsample ×2",
    ]


def test_a_narrow_table_drops_the_hints_and_says_so():
    out = table(FPN, width=60)
    assert type_cell(out, "lat3") == "conv 1×1"
    assert "the inputs named after ←" in out and "the rows merges join" not in out


def test_a_block_use_or_repeat_that_reads_from_says_so_on_its_first_row_and_folded():
    text = """\
input: [8, 16, 16]
blocks:
  skip:
    layers:
      - conv: {filters: 8, kernel: 3, padding: 1, name: a}
      - add: {from: [a, input]}
layers:
  - conv: {filters: 8, kernel: 1, name: stem}
  - skip
  - skip: {name: second, from: stem}
  - repeat: {name: r, times: 2, from: skip1, layers: [conv: {filters: 8, kernel: 1}]}
"""
    report = cnncalc.analyze(text)
    assert laid_out(report) == ["input", "stem", "skip1.a", "skip1.add1", "second.a", "second.add1", "conv1"]
    hints = dict(zip((row.name for row in report.rows), read_names(report)))
    assert hints["second.a"] == ("stem",) and hints["conv1"] == ("skip1.add1",) and hints["conv2"] == ()
    assert hints["second.add1"] == ("a", "stem")  # local inside its block, the outer one in full
    out = render_table(report, width=140)
    assert "second" in out and type_cell(out, "a").startswith("conv 3×3 p1")
    folded = render_table(report, width=140, depth=0)
    assert type_cell(folded, "▸ second") == "skip (2 layers) ← stem"
    assert type_cell(folded, "▸ skip1") == "skip (2 layers)"


def test_branches_and_heads_need_no_hint():
    """A branch's first row reads the tensor before its merge, the row after a head
    the tensor before the head: the tree says so already."""
    text = """\
input: [8, 16, 16]
layers:
  - conv: {filters: 8, kernel: 3, padding: 1}
  - head: {name: aux, layers: [global_avgpool, dense: {units: 10}]}
  - add:
    - [conv: {filters: 8, kernel: 3, padding: 1}, relu]
    - [conv: {filters: 8, kernel: 1}]
    - []
  - concat: [[relu], [add: [[relu], []]]]
"""
    report = cnncalc.analyze(text)
    reads = dict(zip((row.name for row in report.rows), read_names(report)))
    assert {name: names for name, names in reads.items() if names} == {
        "add1": ("relu1", "conv3", "conv1"),
        "add2": ("relu3", "add1"),
        "concat1": ("relu2", "add2"),
    }


@pytest.mark.parametrize("path", sorted((ROOT / "specs").glob("**/*.yaml")), ids=lambda p: p.name)
def test_the_zoo_written_without_from_has_no_hint_but_its_merges(path):
    report = cnncalc.analyze(str(path))
    if "from:" in path.read_text(encoding="utf-8"):
        pytest.skip("written with references")
    assert [row.name for row, names in zip(report.rows, read_names(report)) if names] == [
        row.name for row in report.rows if len(row.inputs) > 1
    ]


def test_several_inputs_are_rows_of_their_own():
    text = """\
inputs: {image: [3, 32, 32], depth: [1, 32, 32]}
layers:
  - conv: {filters: 8, kernel: 3, padding: 1, name: rgb}
  - conv: {filters: 8, kernel: 3, padding: 1, from: depth, name: d}
  - concat: {from: [rgb, d]}
"""
    out = table(text, width=120)
    assert out.splitlines()[0].endswith("— inputs image 3×32×32, depth 1×32×32, batch 1, float32")
    rows = {line.split()[0]: line.split() for line in out.splitlines()[2:7]}
    # float32: 3·32·32·4 = 12,288 B and 1·32·32·4 = 4,096 B
    assert rows["image"][1:4] == ["3×32×32", "12.00", "KiB"] and rows["depth"][1:4] == ["1×32×32", "4.00", "KiB"]
    assert type_cell(out, "rgb") == "conv 3×3 p1" and type_cell(out, "d") == "conv 3×3 p1 ← depth"


def test_vit_names_the_outer_dropout_in_full_where_its_block_has_one_too():
    """ViT's first encoder block adds the encoder's dropout1 to its own dropout1:
    local names would read 'add ← dropout1, dropout1'."""
    out = render_table(cnncalc.analyze(str(ROOT / "specs" / "vit_b_16.yaml")), width=200, depth=None)
    cells = [line.split(" add ← ", 1)[1].split("  ")[0] for line in out.splitlines() if " add ← " in line]
    assert cells[:4] == [
        "dropout1, encoder1.dropout1",
        "mlp_block1.dropout2, add1",
        "dropout1, encoder1.encoder_layers1.encoder_block1.add2",
        "mlp_block1.dropout2, add1",
    ]
    assert len(cells) == 24  # two residual adds in each of 12 blocks


# --- CSV and Markdown: flat listings, so each row that reads another tensor than the line above says so ---


def test_csv_has_an_inputs_column_where_the_graph_branches():
    # SPEC-FORMAT's FPN: lat3 reads c3, not up4; the add joins up4 and lat3; the concat c3 and the add
    import csv
    import io

    from cnncalc.render.text import render_csv

    lines = list(csv.DictReader(io.StringIO(render_csv(cnncalc.analyze(FPN)))))
    reads = {line["name"]: line["inputs"] for line in lines}
    assert reads == {
        "c3": "input", "maxpool1": "c3", "c4": "maxpool1", "up4": "c4",
        "lat3": "c3", "add1": "up4; lat3", "concat1": "c3; add1",
    }  # fmt: skip
    # a plain chain (VGG16) keeps version 1's columns: nothing reads but the row before
    vgg = render_csv(cnncalc.analyze(str(ROOT / "specs" / "vgg16.yaml")))
    assert "inputs" not in vgg.splitlines()[0]


def test_markdown_names_what_a_row_reads_besides_the_line_above():
    from cnncalc.render.text import render_markdown

    def cells(text: str, depth: int | None = None) -> dict[str, str]:
        out = render_markdown(cnncalc.analyze(text), depth=depth)
        rows = [line.split(" | ") for line in out.splitlines() if line.startswith("| ") and "---" not in line]
        return {row[0][2:]: row[1] for row in rows[1:]}

    fpn = cells(FPN)
    assert fpn["lat3"] == "conv 1×1 ← c3" and fpn["add1"] == "add ← up4, lat3" and fpn["concat1"] == "concat ← c3, add1"
    assert fpn["up4"] == "upsample ×2" and fpn["maxpool1"] == "maxpool 2×2"
    # Markdown lists branches flat: a branch's first row reads the tensor before the merge, not the line above
    branches = "input: [8, 16, 16]\nlayers:\n  - conv: {filters: 8, kernel: 1}\n  - add: [[conv: {filters: 8, kernel: 3, padding: 1}], [conv: {filters: 8, kernel: 1}]]\n"
    listed = cells(branches)
    assert listed["conv2"] == "conv 3×3 p1" and listed["conv3"] == "conv 1×1 ← conv1"
    assert listed["add1"] == "add ← conv2, conv3"
    # folded: a block use with 'from' reads from outside it
    block = "input: [8, 16, 16]\nblocks:\n  b: {layers: [conv: {filters: 8, kernel: 1}, relu]}\nlayers:\n  - conv: {filters: 8, kernel: 1, name: stem}\n  - b\n  - b: {from: stem}\n"
    folded = cells(block, depth=0)
    assert folded["b1"] == "b (2 layers)" and folded["b2"] == "b (2 layers) ← stem"


def test_a_name_with_a_comma_is_quoted_in_the_hint():
    """'a, b' and c read by one add would show as 'add ← a, b, c', three tensors where there are
    two; the table and Markdown quote a name that holds a comma."""
    text = (
        "input: [3, 8, 8]\nlayers:\n"
        '  - conv: {filters: 4, kernel: 3, padding: 1, name: "a, b"}\n'
        "  - conv: {filters: 4, kernel: 3, padding: 1, name: c}\n"
        '  - add: {from: ["a, b", c]}\n'
    )
    assert type_cell(table(text, width=120), "add1") == "add ← 'a, b', c"
    from cnncalc.render.text import render_markdown

    assert "| add1 | add ← 'a, b', c |" in render_markdown(cnncalc.analyze(text))
