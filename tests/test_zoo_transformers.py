"""The transformer zoo in specs/ against figures computed or published outside the project.

- tests/data/reference/modern.json, a copy of shared/reference/modern.json: PyTorch
  on torchvision's vit_b_16 and swin_t and on timm's vit_base_r50_s16_224 (see its
  "_about": attention measured on the plain path, so its matmuls are counted).
- torchvision's model table (docs "Classification" table, columns Params and
  GFLOPS, GFLOPS being GMACs) for the variants a --set away: ViT-B/32, ViT-L/16,
  ViT-L/32, Swin-S, Swin-B. Params exact, MACs to the table's two decimals.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cnncalc

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"
REFERENCE: dict = json.loads((Path(__file__).resolve().parent / "data" / "reference" / "modern.json").read_text())

TRANSFORMERS = ("vit_b_16", "swin_t", "vit_base_r50_s16_224")


def _analyze(name: str, **kwargs) -> cnncalc.Report:
    path = SPECS / f"{name}.yaml"
    if not path.is_file():
        pytest.fail(f"specs/{name}.yaml is missing")
    return cnncalc.analyze(str(path), **kwargs)


@pytest.mark.parametrize("name", TRANSFORMERS)
def test_transformer_matches_reference(name: str):
    ref = REFERENCE[name]
    report = _analyze(name).to_dict()
    assert report["input"] == ref["input"]
    totals = report["totals"]
    assert totals["trainable"] == ref["trainable"]
    assert totals["non_trainable"] == ref["non_trainable"]
    assert totals["macs"] == ref["macs"]
    assert report["outputs"]["main"] == ref["output"]
    assert totals["inexact_layers"] == 0


def test_vit_b_16_attention_memory():
    """12 blocks, each 12 heads × 197 × 197 attention weights (torch's
    MultiheadAttention with need_weights materialises them, batch × heads × N × N)."""
    report = _analyze("vit_b_16", batch=2)
    per_block = 12 * 197 * 197
    attention_rows = [row for row in report.rows if row.attention_matrix]
    assert [row.attention_matrix for row in attention_rows] == [2 * per_block] * 12
    assert report.totals.attention_matrix == 12 * 2 * per_block
    assert report.totals.attention_matrix_bytes == 12 * 2 * per_block * 4


def test_swin_t_attention_memory():
    """Per block: windows × heads × 49 × 49; 2, 2, 6, 2 blocks on 56², 28², 14², 7² maps
    (64, 16, 4, 1 windows) with 3, 6, 12, 24 heads: windows × heads halves at every stage."""
    report = _analyze("swin_t")
    per_stage = [2 * 64 * 3, 2 * 16 * 6, 6 * 4 * 12, 2 * 1 * 24]
    assert report.totals.attention_matrix == sum(per_stage) * 49 * 49 == 2_189_712


def test_hybrid_tokens_are_the_14x14_map():
    report = _analyze("vit_base_r50_s16_224")
    proj = next(row for row in report.rows if row.name == "proj")
    assert proj.output == (768, 14, 14)
    tokens = [row.output for row in report.rows if row.tokens]
    assert tokens[0] == (768, 196) and (768, 197) in tokens


# torchvision's table: (params, GFLOPS); the spec and the --set that makes the variant
VARIANTS = [
    ("vit_b_16", {"patch": 32}, 88_224_232, "4.41"),  # vit_b_32
    ("vit_b_16", {"width": 1024, "depth": 24, "heads": 16}, 304_326_632, "61.55"),  # vit_l_16
    ("vit_b_16", {"width": 1024, "depth": 24, "heads": 16, "patch": 32}, 306_535_400, "15.38"),  # vit_l_32
    ("swin_t", {"stage3": 9}, 49_606_258, "8.74"),  # swin_s
    ("swin_t", {"stage3": 9, "width": 128, "heads": 4}, 87_768_224, "15.43"),  # swin_b
]


@pytest.mark.parametrize(("name", "args", "params", "gflops"), VARIANTS)
def test_variants_a_set_away(name: str, args: dict, params: int, gflops: str):
    totals = _analyze(name, args=args).totals
    assert totals.params == params
    assert f"{totals.macs / 1e9:.2f}" == gflops


def test_readme_encoder_block():
    """docs/zoo.md's ViT encoder block (it was the README's), on ViT-B/16's 197 tokens of
    768: one block of torchvision's encoder (2 LayerNorms, attention, the 768 → 3072 → 768 MLP)."""
    text = (ROOT / "docs" / "zoo.md").read_text()
    start = text.index("A ViT encoder block:")
    block = text[
        text.index("```yaml\n", start) + len("```yaml\n") : text.index("```", text.index("```yaml\n", start) + 8)
    ]
    spec = "input: [768, 197]\n" + block + "layers:\n  - encoder_block: {width: 768, heads: 12}\n"
    totals = cnncalc.analyze(spec).totals
    norms = 2 * (2 * 768)
    attention = 4 * 768 * 768 + 4 * 768
    mlp = 768 * 3072 + 3072 + 3072 * 768 + 768
    assert totals.params == norms + attention + mlp == 7_087_872
    assert totals.macs == (4 * 197 * 768**2 + 2 * 197**2 * 768) + 2 * 197 * 768 * 3072
    assert totals.attention_matrix == 12 * 197 * 197


def test_vit_sizes_are_whole_patches():
    """conv_proj is 16×16 with stride 16 (torchvision asserts image_size % patch_size == 0):
    every multiple of 16 fits, and the tokens after it end the axis."""
    from cnncalc.sizes import solve

    path = str(SPECS / "vit_b_16.yaml")
    axes = solve(cnncalc.load_graph(path), cnncalc.analyze(path))
    assert [(a.step, a.smallest) for a in axes] == [(16, 16), (16, 16)]
    # at 384: 24·24 + 1 = 577 tokens, one position vector each; torchvision lists
    # vit_b_16 with its 384 SWAG weights as 86,859,496 params
    report = cnncalc.analyze(path, input=(3, 384, 384))
    assert report.totals.params == REFERENCE["vit_b_16"]["trainable"] + (577 - 197) * 768 == 86_859_496


def test_flatten_start_1_makes_tokens():
    report = _analyze("vit_b_16")
    flags = {row.name: row.tokens for row in report.rows}
    assert not flags["conv_proj"] and flags["flatten1"] and flags["head"] is False
    assert report.to_dict()["layers"][1]["tokens"] is True
    assert "tokens" not in report.to_dict()["layers"][0]


@pytest.mark.parametrize(
    "options",
    [[], ["--layout", "nhwc"], ["--format", "markdown"], ["--format", "markdown", "--layout", "nhwc"]],
)
def test_token_shapes_are_labelled_as_tokens(options: list[str]):
    from click.testing import CliRunner

    from cnncalc.cli import main

    result = CliRunner().invoke(main, ["summary", str(SPECS / "vit_b_16.yaml"), "--depth", "1", *options])
    assert result.exit_code == 0, result.output
    assert "196 tokens × 768" in result.output and "197 tokens × 768" in result.output
    assert "1 token × 768" in result.output  # the class token, sliced out
    assert "768×197" not in result.output and "197, 768" not in result.output
    # a map before the tokens keeps its layout
    assert ("(None, 14, 14, 768)" if "nhwc" in options else "768×14×14") in result.output


def test_compare_labels_tokens():
    from click.testing import CliRunner

    from cnncalc.cli import main

    result = CliRunner().invoke(main, ["compare", str(SPECS / "resnet50.yaml"), str(SPECS / "vit_b_16.yaml")])
    assert result.exit_code == 0, result.output
    assert "196 tokens × 768" in result.output and "768×196" not in result.output


def test_docs_resnet50_against_vit_b_16(monkeypatch):
    """docs/compare.md quotes the first lines of this comparison verbatim; the
    attention line appears because ViT has attention (CNN pairs keep their lines)."""
    from click.testing import CliRunner

    from cnncalc.cli import main

    doc = (ROOT / "docs" / "compare.md").read_text()
    section = doc[doc.index("## ResNet-50 against ViT-B/16") :]
    quoted = section[section.index("```text\n") + len("```text\n") : section.index("\n```", section.index("```text"))]
    monkeypatch.chdir(ROOT)  # the output names the specs as given
    argv = ["compare", "specs/resnet50.yaml", "specs/vit_b_16.yaml"]
    result = CliRunner().invoke(main, argv, terminal_width=200)
    assert result.exit_code == 0
    assert result.output.startswith(quoted + "\n")
    # 12 blocks × 12 heads × 197² float32 elements
    assert f"{12 * 12 * 197 * 197 * 4 / 2**20:.2f} MiB" == "21.32 MiB" and "21.32 MiB" in quoted
    cnn_pair = CliRunner().invoke(main, ["compare", "specs/resnet50.yaml", "specs/resnet18.yaml"]).output
    assert "attention" not in cnn_pair


def test_attention_column_only_where_there_is_attention():
    """The table and Markdown get an Attention column (the attention matrices' bytes) for
    a network with attention: one ViT-B/16 block is 12 × 197² float32 = 1.78 MiB."""
    from cnncalc.render.table import render_table
    from cnncalc.render.text import render_markdown

    vit = _analyze("vit_b_16")
    text = render_table(vit, width=200, depth=3)  # encoder1 / encoder_layers1 / repeat1 / the blocks
    assert "Attention" in text.splitlines()[1]
    assert f"{12 * 197 * 197 * 4 / 2**20:.2f} MiB" == "1.78 MiB"
    block = next(line for line in text.splitlines() if "encoder_block1 " in line)
    assert "1.78 MiB" in block
    assert "| attention |" in render_markdown(vit)
    resnet = _analyze("resnet50")
    assert "Attention" not in render_table(resnet, width=200)
    assert "attention" not in render_markdown(resnet)
