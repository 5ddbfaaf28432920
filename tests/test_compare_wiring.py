"""`cnncalc compare` on DAGs: layers are matched by what they are and by their
wiring (which tensors they read), so two specs that differ by one skip
connection differ at the layer that reads it, and nowhere else."""

from __future__ import annotations

import json

from click.testing import CliRunner

import cnncalc
from cnncalc.cli import main
from cnncalc.compare import diff

# Three 3×3 convs and a residual add: A adds a (two convs back), B adds b (one back).
SKIP_A = """\
input: [16, 32, 32]
layers:
  - conv: {filters: 16, kernel: 3, padding: 1, name: a}
  - conv: {filters: 16, kernel: 3, padding: 1, name: b}
  - conv: {filters: 16, kernel: 3, padding: 1, name: c}
  - add: {from: [c, a], name: sum}
  - relu
"""
SKIP_B = SKIP_A.replace("from: [c, a]", "from: [c, b]")


def hunks(a: str, b: str) -> list[tuple[str, list[str], list[str], bool]]:
    return [
        (h.op, [r.name for r in h.removed], [r.name for r in h.added], h.rewired)
        for h in diff(cnncalc.analyze(a), cnncalc.analyze(b))
    ]


def test_one_skip_connection_moved_is_the_one_difference():
    # every figure is the same (the add has no params; both branches are 16×32×32), only the wiring differs
    assert cnncalc.analyze(SKIP_A).totals.params == cnncalc.analyze(SKIP_B).totals.params == 3 * (16 * 16 * 9 + 16)
    assert hunks(SKIP_A, SKIP_B) == [
        ("equal", ["a", "b", "c"], ["a", "b", "c"], False),
        ("replace", ["sum"], ["sum"], True),
        ("equal", ["relu1"], ["relu1"], False),
    ]
    assert hunks(SKIP_A, SKIP_A) == [("equal", ["a", "b", "c", "sum", "relu1"], ["a", "b", "c", "sum", "relu1"], False)]


def test_the_cli_says_what_each_side_reads(tmp_path):
    (tmp_path / "a.yaml").write_text(SKIP_A)
    (tmp_path / "b.yaml").write_text(SKIP_B)
    runner = CliRunner()
    out = runner.invoke(main, ["compare", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")]).output
    assert "-  sum  add ← c, a" in out and "+  sum  add ← c, b" in out
    result = runner.invoke(main, ["compare", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), "--format", "json"])
    changed = [h for h in json.loads(result.output)["differences"][0]["hunks"] if h["op"] != "equal"]
    assert changed == [
        {
            "op": "replace",
            "removed": [dict(changed[0]["removed"][0], inputs=["c", "a"])],
            "added": [dict(changed[0]["added"][0], inputs=["c", "b"])],
            "rewired": True,
        }
    ]


def test_an_inserted_layer_does_not_rewire_the_layer_after_it():
    """B inserts a batchnorm: the relu after it reads the batchnorm, a layer A has
    not; the diff shows the insertion only."""
    a = "input: [3, 8, 8]\nlayers:\n  - conv: {filters: 4, kernel: 3}\n  - relu\n  - conv: {filters: 4, kernel: 1}\n"
    b = a.replace("  - relu\n", "  - batchnorm\n  - relu\n")
    assert hunks(a, b) == [
        ("equal", ["conv1"], ["conv1"], False),
        ("insert", [], ["batchnorm1"], False),
        ("equal", ["relu1", "conv2"], ["relu1", "conv2"], False),
    ]


def test_a_reference_written_residual_is_the_same_as_its_nested_branch_twin():
    nested = "input: [8, 8, 8]\nlayers:\n  - conv: {filters: 8, kernel: 1}\n  - add: [[conv: {filters: 8, kernel: 3, padding: 1}, relu], []]\n"
    flat = (
        "input: [8, 8, 8]\nlayers:\n  - conv: {filters: 8, kernel: 1}\n"
        "  - conv: {filters: 8, kernel: 3, padding: 1}\n  - relu\n  - add: {from: [-1, conv1]}\n"
    )
    assert [op for op, *_ in hunks(nested, flat)] == ["equal"]
    swapped = flat.replace("from: [-1, conv1]", "from: [-1, conv2]")  # the add now reads conv2, not conv1
    assert [(op, removed, rewired) for op, removed, _, rewired in hunks(nested, swapped)] == [
        ("equal", ["conv1", "conv2", "relu1"], False),
        ("replace", ["add1"], True),
    ]


def test_the_specs_inputs_correspond_by_name():
    a = (
        "inputs: {image: [3, 16, 16], depth: [3, 16, 16]}\nlayers:\n  - conv: {filters: 4, kernel: 1, name: x}\n"
        "  - conv: {filters: 4, kernel: 1, from: depth, name: y}\n  - concat: {from: [x, y]}\n"
    )
    b = a.replace("from: depth", "from: image")
    assert [(op, removed, rewired) for op, removed, _, rewired in hunks(a, b)] == [
        ("equal", ["x"], False),
        ("replace", ["y"], True),
        ("equal", ["concat1"], False),
    ]
