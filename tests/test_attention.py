"""Tier 1 and 3 for the transformer types: class_token, position_embedding,
attention, window_attention. Every expected figure is hand-derived from
SPEC-FORMAT.md's version 2 table (and the torchvision definitions it follows:
nn.MultiheadAttention's in_proj/out_proj, Swin's ShiftedWindowAttention),
written out as the arithmetic, never copied from cnncalc.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

import cnncalc
from cnncalc import layers as _layers  # noqa: F401  (registers the built-in types)
from cnncalc.errors import SpecError
from cnncalc.registry import REGISTRY


def rule(type_name, shape, **args):
    layer_type = REGISTRY.get(type_name)
    return layer_type.rule(tuple(shape), layer_type.args_class(**args))


def report(input_shape, *layers, **kwargs):
    return cnncalc.analyze({"input": list(input_shape), "layers": list(layers)}, **kwargs)


def located(line: str, marker: str, input_shape: str) -> SpecError:
    """The error of a one-layer spec, checked to point at ``marker`` on line 3."""
    text = f"input: {input_shape}\nlayers:\n  - {line}\n"
    with pytest.raises(SpecError) as info:
        cnncalc.analyze(text)
    error = info.value
    assert (error.loc.line, error.loc.col) == (3, len("  - ") + line.index(marker) + 1), str(error)
    return error


# --- attention: ViT-B/16's, N = 197 tokens of D = 768, 12 heads ---------------------------

D, N, HEADS = 768, 197, 12


def test_attention_vit_b_16():
    facts = rule("attention", [D, N], heads=HEADS)
    # in_proj: 3 weight matrices D×D and 3D biases; out_proj: D×D and D biases
    assert facts.trainable == 3 * 768 * 768 + 3 * 768 + 768 * 768 + 768 == 2_362_368
    # Q, K, V projections 3·N·D², out projection N·D²; per head Q·Kᵀ is N·N·(D/12)
    # and A·V is N·N·(D/12): 12 heads give N²·D each
    projections = 3 * 197 * 768 * 768 + 197 * 768 * 768
    matmuls = 12 * (197 * 197 * 64) + 12 * (197 * 197 * 64)
    assert facts.macs == projections + matmuls == 524_391_936
    assert facts.output == (768, 197)
    assert facts.attention_matrix == 12 * 197 * 197 == 465_708
    assert facts.non_trainable == 0


def test_attention_without_biases():
    facts = rule("attention", [64, 10], heads=4, qkv_bias=False, proj_bias=False)
    assert facts.trainable == 4 * 64 * 64
    facts = rule("attention", [64, 10], heads=4, proj_bias=False)
    assert facts.trainable == 4 * 64 * 64 + 3 * 64


def test_attention_on_a_map_attends_over_every_position():
    # a non-local block on a 256×14×14 map: N = 14·14 = 196 positions
    facts = rule("attention", [256, 14, 14], heads=8)
    assert facts.output == (256, 14, 14)
    assert facts.macs == 4 * 196 * 256 * 256 + 2 * 196 * 196 * 256
    assert facts.attention_matrix == 8 * 196 * 196


def test_attention_rf_is_global_and_batch_scales_the_matrix():
    result = report(
        [3, 32, 32], {"conv": {"filters": 64, "kernel": 4, "stride": 4}}, {"attention": {"heads": 2}}, batch=3
    )
    row = result.to_dict()["layers"][-1]
    assert row["rf"] is None
    # 8·8 = 64 positions, 2 heads, batch 3
    assert row["attention_matrix"] == 3 * 2 * 64 * 64
    totals = result.to_dict()["totals"]
    assert totals["attention_matrix"] == 3 * 2 * 64 * 64
    assert totals["attention_matrix_bytes"] == 3 * 2 * 64 * 64 * 4  # float32
    assert result.rows[0].attention_matrix == 0


@given(
    st.integers(1, 4000),
    st.sampled_from([(64, 1), (64, 8), (96, 3), (768, 12)]),
)
@settings(max_examples=60, deadline=None)
def test_attention_macs_grow_as_n_squared(n: int, width_heads: tuple[int, int]):
    """At fixed D the MACs are a quadratic in N: second difference 2·2·D (the two
    N²·D matmuls), whatever N; the attention matrix's second difference is 2·heads."""
    width, heads = width_heads
    macs = [rule("attention", [width, n + i], heads=heads).macs for i in range(3)]
    assert macs[2] - 2 * macs[1] + macs[0] == 2 * 2 * width
    # doubling N: the linear part doubles, the quadratic part quadruples
    assert rule("attention", [width, 2 * n], heads=heads).macs == 2 * 4 * n * width**2 + 4 * 2 * n * n * width
    matrix = [rule("attention", [width, n + i], heads=heads).attention_matrix for i in range(3)]
    assert matrix[2] - 2 * matrix[1] + matrix[0] == 2 * heads


def test_heads_must_divide_the_width():
    error = located("attention: {heads: 5}", "5}", "[768, 197]")
    assert "heads=5 does not divide the width 768" in error.message
    assert "1, 2, 3, 4, 6, 8, 12, 16" in error.hint


def test_attention_on_a_flat_vector():
    error = located("attention: {heads: 2}", "attention", "[768]")
    assert "flat vector [768]" in error.message
    assert "flatten: {start: 1}" in error.hint


# --- tokens ---------------------------------------------------------------------------


def test_class_token():
    facts = rule("class_token", [768, 196])
    assert facts.output == (768, 196 + 1)
    assert facts.trainable == 768  # torchvision: nn.Parameter(torch.zeros(1, 1, hidden_dim))
    assert facts.macs == 0


@pytest.mark.parametrize("shape", ["[768]", "[768, 14, 14]"])
def test_class_token_needs_tokens(shape: str):
    error = located("class_token", "class_token", shape)
    assert "needs tokens [D, N]" in error.message
    assert "flatten" in error.hint


def test_position_embedding():
    # torchvision: nn.Parameter(torch.empty(1, seq_length, hidden_dim)), seq_length = 14·14 + 1
    assert rule("position_embedding", [768, 197]).trainable == 197 * 768 == 151_296
    assert rule("position_embedding", [768, 197], learned=False).trainable == 0
    # on a map: one learned vector per position
    assert rule("position_embedding", [32, 4, 5]).trainable == 32 * 4 * 5
    assert rule("position_embedding", [32, 4, 5]).output == (32, 4, 5)


def test_token_rows_carry_the_tokens_flag():
    result = report(
        [768, 196],
        "class_token",
        "position_embedding",
        {"dense": {"units": 3072}},
        {"attention": {"heads": 12}},
        {"slice": {"axis": 1, "stop": 1}},
        "global_avgpool",
    )
    flags = [row.tokens for row in result.rows]
    # the spec's input is not tokens until class_token says so; a pool to [C] ends them
    assert flags == [True, True, True, True, True, False]


# --- window attention: Swin ------------------------------------------------------------


def test_window_attention_swin_t_stage_1():
    # Swin-T stage 1: C = 96 on 56×56, window 7, 3 heads: 8·8 = 64 windows of 49
    facts = rule("window_attention", [96, 56, 56], heads=3, window=7)
    qkv = 96 * 3 * 96 + 3 * 96
    proj = 96 * 96 + 96
    bias_table = (2 * 7 - 1) * (2 * 7 - 1) * 3  # relative_position_bias_table: 169 × heads
    assert facts.trainable == qkv + proj + bias_table == 37_755
    per_window = 4 * 49 * 96 * 96 + 2 * 49 * 49 * 96
    assert facts.macs == 64 * per_window == 145_108_992
    assert facts.attention_matrix == 64 * 3 * 49 * 49
    assert facts.output == (96, 56, 56)


def test_window_attention_shift_changes_no_figure():
    plain = rule("window_attention", [96, 56, 56], heads=3, window=7)
    shifted = rule("window_attention", [96, 56, 56], heads=3, window=7, shift=3)
    assert (plain.trainable, plain.macs, plain.attention_matrix) == (
        shifted.trainable,
        shifted.macs,
        shifted.attention_matrix,
    )


SWIN_STAGE = """
input: [3, 200, 200]
blocks:
  swin_block:
    args: {dim: required, heads: required, shift: 0}
    layers:
      - add: [[layernorm, window_attention: {heads: $heads, window: 7, shift: $shift}], []]
      - add: [[layernorm, dense: {units: "4 * $dim"}, gelu, dense: {units: $dim}], []]
layers:
  - conv: {filters: 96, kernel: 4, stride: 4}
  - layernorm
  - swin_block: {dim: 96, heads: 3}
  - swin_block: {dim: 96, heads: 3, shift: 3}
"""


def test_swin_stage_with_padding():
    """Swin-T's first stage at 200×200: the 50×50 map is padded to 56×56 for the
    window attention (torchvision's F.pad), so it counts 8·8 = 64 windows of 49
    positions; the MLP sees the 50·50 = 2500 real positions."""
    result = report_text(SWIN_STAGE)
    positions = 50 * 50
    attention_params = 4 * 96 * 96 + 4 * 96 + 169 * 3
    mlp_params = 96 * 384 + 384 + 384 * 96 + 96
    block_params = 2 * (2 * 96) + attention_params + mlp_params
    embed_params = 96 * 3 * 4 * 4 + 96 + 2 * 96
    assert result.totals.trainable == embed_params + 2 * block_params
    attention_macs = 64 * (4 * 49 * 96 * 96 + 2 * 49 * 49 * 96)
    mlp_macs = positions * (96 * 384 + 384 * 96)
    embed_macs = 96 * 3 * 16 * positions
    assert result.totals.macs == embed_macs + 2 * (attention_macs + mlp_macs)
    assert result.totals.attention_matrix == 2 * 64 * 3 * 49 * 49
    assert result.outputs["main"] == (96, 50, 50)
    # receptive field: the 4/4 patch embedding, then two 7-wide windows at jump 4
    row = result.rows[-1]
    assert [a.size for a in row.rf] == [4 + 2 * (7 - 1) * 4] * 2


def report_text(text: str, **kwargs):
    return cnncalc.analyze(text, **kwargs)


def test_window_without_padding_must_tile_the_map():
    error = located("window_attention: {heads: 3, window: 7, pad: false}", "7,", "[96, 50, 50]")
    assert "window 7 does not tile the 50 positions on axis H" in error.message
    assert "2, 5, 10, 25, 50" in error.hint and "pad: true" in error.hint


def test_window_larger_than_the_map_without_padding():
    error = located("window_attention: {heads: 3, window: 7, pad: false}", "7,", "[96, 4, 4]")
    assert "larger than the map" in error.message


def test_window_larger_than_the_map_is_padded():
    # torchvision pads a 4×4 map to one 7×7 window (and drops the shift)
    facts = rule("window_attention", [96, 4, 4], heads=3, window=7, shift=3)
    assert facts.macs == 4 * 49 * 96 * 96 + 2 * 49 * 49 * 96
    assert facts.attention_matrix == 3 * 49 * 49


def test_window_heads_and_shift_errors():
    assert "heads=5" in located("window_attention: {heads: 5, window: 7}", "5,", "[96, 56, 56]").message
    error = located("window_attention: {heads: 3, window: 7, shift: 7}", "7}", "[96, 56, 56]")
    assert "shift 7 is not smaller than the window 7" in error.message
    error = located("window_attention: {heads: 3, window: 7}", "window_attention", "[96]")
    assert "flat vector" in error.message


def test_window_attention_on_three_axes():
    # a video Swin window of 2×7×7 on 8×56×56: relative bias (3·13·13)·heads
    facts = rule("window_attention", [96, 8, 56, 56], heads=3, window=[2, 7, 7])
    assert facts.trainable == 4 * 96 * 96 + 4 * 96 + 3 * 13 * 13 * 3
    windows = 4 * 8 * 8
    assert facts.macs == windows * (4 * 98 * 96 * 96 + 2 * 98 * 98 * 96)


@pytest.mark.parametrize(
    ("layer", "expected"),
    [
        ("attention: {heads: 12}", "attention 12 heads"),
        ("attention: {heads: 1, qkv_bias: false}", "attention 1 head, no qkv bias"),
        ("window_attention: {heads: 3, window: 7, shift: 3}", "win_attn 7×7 shift 3×3, 3 heads"),
        ("window_attention: {heads: 3, window: 4, pad: false}", "win_attn 4×4, 3 heads, no pad"),
        ("position_embedding", "pos_embed"),
    ],
)
def test_type_column_label(layer: str, expected: str):
    result = cnncalc.analyze(f"input: [96, 16, 16]\nlayers:\n  - {layer}\n")
    assert result.rows[0].summary == expected


# --- sizes --------------------------------------------------------------------------------


def test_sizes_of_unpadded_window_attention():
    from cnncalc.sizes import solve

    text = "input: [3, 224, 224]\nlayers:\n  - conv: {filters: 96, kernel: 4, stride: 4}\n"
    text += "  - window_attention: {heads: 3, window: 7, pad: false}\n"
    graph = cnncalc.load_graph(text)
    axes = solve(graph, cnncalc.analyze(text))
    # the conv needs a multiple of 4, the window a map that is a multiple of 7: 28k
    assert [(a.step, a.smallest) for a in axes] == [(28, 28), (28, 28)]


def test_sizes_of_padded_window_attention():
    from cnncalc.sizes import solve

    text = "input: [3, 224, 224]\nlayers:\n  - conv: {filters: 96, kernel: 4, stride: 4}\n"
    text += "  - window_attention: {heads: 3, window: 7}\n"
    axes = solve(cnncalc.load_graph(text), cnncalc.analyze(text))
    assert [(a.step, a.smallest) for a in axes] == [(4, 4), (4, 4)]
