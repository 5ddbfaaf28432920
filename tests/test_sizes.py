"""`cnncalc sizes`: the input sizes for which every layer is exact.

The expected progressions are derived by hand below (CS231n's "the input layer
should be divisible by 2 many times", made exact), and every result is checked
against a brute-force oracle written here: the engine run at every size 1..600
(or every H×W pair for asymmetric specs), keeping the sizes where it succeeds
with no inexact layer. The solver itself never tries sizes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

import cnncalc
from cnncalc.cli import main
from cnncalc.engine import run
from cnncalc.errors import SpecError
from cnncalc.record import replace
from cnncalc.sizes import AxisSizes, solve

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"


def _fits(graph, shape) -> bool:
    try:
        return run(graph, input=tuple(shape)).totals.inexact_layers == 0
    except SpecError:
        return False


def oracle_square(graph, channels: int, rank: int, top: int) -> list[int]:
    """Sizes n in 1..top with an n×n(×n) input that the engine analyses with every layer exact."""
    return [n for n in range(1, top + 1) if _fits(graph, (channels, *(n,) * rank))]


def solved(source) -> tuple[object, tuple[AxisSizes, ...]]:
    graph = cnncalc.load_graph(source)
    report = run(graph)
    return report, solve(graph, report)


def test_vgg16_is_32k() -> None:
    # VGG16: every conv is 3×3 / 1 / pad 1 (size-preserving), five 2×2/2 max pools:
    # the input must be divisible by 2 five times, 2**5 = 32, and at least 32.
    _, axes = solved(SPECS / "vgg16.yaml")
    for axis in axes:
        assert axis.to_dict()["step"] == 32
        assert axis.to_dict()["offset"] == 0
        assert axis.to_dict()["smallest"] == 32
        assert len(axis.classes) == 1


def test_lenet5_by_hand() -> None:
    # LeNet-5: conv5 (n-4), pool2 (even), conv5 (-4), pool2 (even), conv5.
    # (n-4)/2 - 4 even  <=>  n ≡ 0 (mod 4); C5 needs S4's output >= 5:
    # ((n-4)/2 - 4)/2 >= 5  <=>  n >= 32: LeNet's own 32×32 is the smallest input.
    _, axes = solved(SPECS / "lenet5.yaml")
    assert [(a.step, a.smallest, [c.offset for c in a.classes]) for a in axes] == [(4, 32, [0]), (4, 32, [0])]


@pytest.mark.parametrize("name, min_size", [("vgg16", 32), ("alexnet", 63), ("inception_v3", 75)])
def test_smallest_equals_torchvision_min_size(name: str, min_size: int) -> None:
    # torchvision's weights metadata: "min_size": (32, 32) for VGG (_COMMON_META in vgg.py),
    # (63, 63) for AlexNet, (75, 75) for Inception v3: the smallest input its models take.
    _, axes = solved(SPECS / f"{name}.yaml")
    assert [a.smallest for a in axes] == [min_size, min_size]


ZOO = ["vgg16", "alexnet", "lenet5", "googlenet", "inception_v3", "resnet18", "mobilenet_v2"]


@pytest.mark.parametrize("name", ZOO)
def test_zoo_against_brute_force(name: str) -> None:
    report, axes = solved(SPECS / f"{name}.yaml")
    graph = cnncalc.load_graph(SPECS / f"{name}.yaml")
    rank = len(report.input) - 1
    expected = oracle_square(graph, report.input[0], rank, 600)
    got = [n for n in range(1, 601) if all(a.fits(n) for a in axes)]
    assert got == expected


def test_course_cnn_against_brute_force() -> None:
    path = SPECS / "notes" / "course_cnn.yaml"
    report, axes = solved(path)
    graph = cnncalc.load_graph(path)
    assert [n for n in range(1, 601) if axes[0].fits(n)] == oracle_square(graph, 3, 2, 600)


# Specs that exercise every kind of layer map: same padding, ceil_mode and
# allow_inexact (rounding), merges, upsampling, transposed conv, zero padding,
# adaptive pooling, heads, non-square inputs and per-axis arguments.
SYNTHETIC = {
    "same": """
input: [3, 64, 64]
layers:
  - conv: {filters: 8, kernel: 3, stride: 2, padding: same}
  - conv: {filters: 8, kernel: 3, stride: 2, padding: same}
  - maxpool: {kernel: 2}
  - conv: {filters: 8, kernel: 3, stride: 3}
""",
    "graph": """
input: [3, 1, 1]
layers:
  - add:
      - [conv: {filters: 3, kernel: 3, stride: 2, padding: 1}]
      - [conv: {filters: 3, kernel: 1, stride: 2}]
  - concat:
      - [maxpool: {kernel: 3, stride: 2, padding: 1, ceil_mode: true, allow_inexact: true}]
      - [avgpool: {kernel: 3, stride: 2, padding: 1}]
  - upsample: {scale: 3}
  - conv_transpose: {filters: 4, kernel: 4, stride: 2, padding: 1}
  - conv: {filters: 4, kernel: [4, 3], stride: [4, 5]}
  - zero_pad: {padding: 2}
  - adaptive_avgpool: {output: [5, 7]}
  - conv: {filters: 2, kernel: 3, stride: 2}
  - head: {name: aux, layers: [maxpool: {kernel: [2, 3]}]}
""",
    "ceil": """
input: [3, 40, 60]
layers:
  - conv: {filters: 4, kernel: 5, stride: [2, 3], padding: [2, 0], allow_inexact: true}
  - maxpool: {kernel: 3, stride: 2, ceil_mode: true}
  - maxpool: {kernel: 2, stride: 2, ceil_mode: true, allow_inexact: true}
  - conv: {filters: 4, kernel: 3, dilation: 2, stride: 2}
""",
    "separable": """
input: [8, 57, 57]
layers:
  - separable_conv: {filters: 16, kernel: 3, stride: 2, padding: 1}
  - add:
      - [depthwise_conv: {kernel: 5, padding: 2}]
      - []
  - avgpool: {kernel: 2, stride: 1}
""",
}


@pytest.mark.parametrize("name", sorted(SYNTHETIC))
def test_synthetic_against_brute_force_2d(name: str) -> None:
    graph = cnncalc.load_graph(SYNTHETIC[name])
    report = run(graph)
    h_axis, w_axis = solve(graph, report)
    channels = report.input[0]
    top = 64
    expected = {(h, w) for h in range(1, top + 1) for w in range(1, top + 1) if _fits(graph, (channels, h, w))}
    got = {(h, w) for h in range(1, top + 1) for w in range(1, top + 1) if h_axis.fits(h) and w_axis.fits(w)}
    assert got == expected


def test_merge_of_branches_that_grow_differently_fits_one_size() -> None:
    # identity + conv 3×3/2 p1: n = (n + 2 - 3)/2 + 1 only for n = 1.
    text = "input: [3, 1, 1]\nlayers:\n  - add:\n      - []\n      - [conv: {filters: 3, kernel: 3, stride: 2, padding: 1}]\n"
    _, axes = solved(text)
    assert all(a.points == (1,) and not a.classes for a in axes)


def test_no_size_fits_names_the_layer() -> None:
    # upsample ×2 makes every size even; conv 3/2 then needs 2n − 3 even: never.
    text = "input: [3, 8, 8]\nlayers:\n  - upsample: {scale: 2}\n  - conv: {filters: 3, kernel: 3, stride: 2}\n"
    _, axes = solved(text)
    assert all(a.empty and a.blocker is not None and a.blocker.name == "conv1" for a in axes)
    result = CliRunner().invoke(main, ["sizes", "-"], input=text)
    assert result.exit_code == 0
    assert "H: none — conv 'conv1' (line 4)" in result.output


# --- random chains: solver == brute force --------------------------------------------

_layer = st.one_of(
    st.builds(
        lambda k, s, p, d, allow: {
            "conv": {"filters": 2, "kernel": k, "stride": s, "padding": p, "dilation": d, "allow_inexact": allow}
        },
        st.integers(1, 5),
        st.integers(1, 4),
        st.one_of(st.integers(0, 2), st.sampled_from(["same", "valid"])),
        st.integers(1, 2),
        st.booleans(),
    ),
    st.builds(
        lambda k, s, ceil, allow: {
            "maxpool": {"kernel": k, "stride": s, "padding": k // 2, "ceil_mode": ceil, "allow_inexact": allow}
        },
        st.integers(1, 4),
        st.integers(1, 3),
        st.booleans(),
        st.booleans(),
    ),
    st.builds(lambda s: {"upsample": {"scale": s}}, st.integers(2, 3)),
    st.builds(
        lambda k, s: {"conv_transpose": {"filters": 2, "kernel": k, "stride": s}}, st.integers(1, 4), st.integers(1, 3)
    ),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_layer, min_size=1, max_size=5))
def test_random_chains_match_brute_force(layers: list[dict]) -> None:
    data = {"input": [2, 200], "layers": layers}
    graph = cnncalc.load_graph(data)
    try:
        report = run(graph)
    except SpecError:
        return  # the solver needs one input the engine accepts
    (axis,) = solve(graph, report)
    expected = [n for n in range(1, 161) if _fits(graph, (2, n))]
    assert [n for n in range(1, 161) if axis.fits(n)] == expected


# --- the command -----------------------------------------------------------------------


def test_cli_text_for_vgg16() -> None:
    result = CliRunner().invoke(main, ["sizes", str(SPECS / "vgg16.yaml")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "H: 32k (32, 64, … 224, 256, …)" in lines
    assert "W: 32k (32, 64, … 224, 256, …)" in lines
    assert "The input 3×224×224 fits." in lines


def test_cli_json_and_near() -> None:
    result = CliRunner().invoke(main, ["sizes", str(SPECS / "vgg16.yaml"), "--format", "json", "--near", "225"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    for axis in data["axes"]:
        assert {k: axis[k] for k in ("step", "offset", "smallest")} == {"step": 32, "offset": 0, "smallest": 32}
        # 225 = 7·32 + 1: the nearest multiples of 32 are 224 and 256
        assert axis["near"] == {"size": 225, "fits": False, "below": 224, "above": 256}
    text = CliRunner().invoke(main, ["sizes", str(SPECS / "vgg16.yaml"), "--near", "225"]).output
    assert "H: 225 does not fit; nearest: 224 (−1) and 256 (+31)" in text
    # 2^31 − 1 is the largest size; 2^31 = 32·2^26 would fit but is past it
    top = CliRunner().invoke(main, ["sizes", str(SPECS / "vgg16.yaml"), "--near", str(2**31 - 1)]).output
    assert f"nearest: {2**31 - 32} (−31)\n" in top
    assert CliRunner().invoke(main, ["sizes", str(SPECS / "vgg16.yaml"), "--near", str(2**31)]).exit_code == 2


def test_cli_input_override_and_errors() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["sizes", str(SPECS / "vgg16.yaml"), "--input", "3x225x225"])
    assert result.exit_code == 0
    assert "The input 3×225×225 does not fit (H = 225, W = 225)." in result.output
    assert runner.invoke(main, ["sizes", "no-such-file.yaml"]).exit_code == 2


def test_flat_input_has_no_axes() -> None:
    result = CliRunner().invoke(main, ["sizes", str(SPECS / "notes" / "course_mlp.yaml")])
    assert result.exit_code == 0
    assert "no spatial axes" in result.output


# --- several inputs, and what follows the end of an axis -------------------------------


def test_yolov8n_sizes_are_those_pytorch_runs() -> None:
    # Ultralytics 8.4 DetectionModel("yolov8n.yaml"), forward on zeros(1, 3, n, n) for n in 20..69 and
    # 600..679: it runs for exactly these n (else the neck's concat of the upsampled P5/P4 and the
    # backbone map fails). The stride-2 convs floor (the spec marks them allow_inexact, as PyTorch
    # floors), so besides the multiples of 32 that Ultralytics' check_imgsz picks, 32k + 25..31 fit too.
    ran = [*range(25, 33), *range(57, 65), *range(601, 609), *range(633, 641), *range(665, 673)]
    _, axes = solved(SPECS / "yolov8n.yaml")  # the H axis ends at the flatten; the DFL's permute comes after
    for axis in axes:
        assert [n for n in [*range(20, 70), *range(600, 680)] if axis.fits(n)] == ran
        assert axis.step == 32 and axis.smallest == 25


def _fits_all(graph, inputs: dict[str, tuple[int, ...]]) -> bool:
    first = next(iter(inputs.values()))
    try:
        return run(replace(graph, inputs=inputs), input=first).totals.inexact_layers == 0
    except SpecError:
        return False


TWO_INPUTS = """name: two inputs
inputs:
  image: [3, 64, 64]
  mask: [1, 32, 32]
  gate: [8, 1, 1]
  tokens: [8, 10]
layers:
  - conv: {filters: 8, kernel: 3, stride: 2, padding: 1, allow_inexact: true, name: a}
  - conv: {filters: 8, kernel: 3, padding: 1, from: mask, name: b}
  - add: {from: [a, b]}
  - multiply: {from: [-1, gate]}
  - maxpool: {kernel: 2}
  - dense: {units: 8, from: tokens}
outputs: [maxpool1, dense1]
"""


def test_every_input_scales_with_the_first() -> None:
    # By hand: a = floor((n − 1)/2) + 1 must equal the mask's n/2 (n even: n/2, so every even n),
    # and the pool needs n/2 even: n ≡ 0 (mod 4). Held at 32, the mask allowed n ∈ {63, 64} only.
    # Brute force: the engine run with image n×n, mask n/2×n/2, gate 1×1 and tokens as written.
    graph = cnncalc.load_graph(TWO_INPUTS)
    _, axes = solved(TWO_INPUTS)
    expected = [
        n for n in range(2, 121, 2)
        if _fits_all(graph, {"image": (3, n, n), "mask": (1, n // 2, n // 2), "gate": (8, 1, 1), "tokens": (8, 10)})
    ]  # fmt: skip
    assert expected == list(range(4, 121, 4))
    assert all([n for n in range(1, 121) if axis.fits(n)] == expected for axis in axes)
    result = CliRunner().invoke(main, ["sizes", "-"], input=TWO_INPUTS)
    assert result.exit_code == 0, result.output
    assert (
        "Sizes are image's; mask (line 4) scales with image: H, W / 2; gate (line 5) keeps H, W of 1 "
        "(it broadcasts); tokens (line 6) keeps its size (another rank than image: sizes does not solve it)."
    ) in result.output
    assert "The inputs image 3×64×64, mask 1×32×32, gate 8×1×1, tokens 8×10 fit." in result.output
    data = json.loads(CliRunner().invoke(main, ["sizes", "-", "--format", "json"], input=TWO_INPUTS).output)
    assert data["inputs"]["mask"] == [1, 32, 32]
    assert data["axes"][0]["inputs"][0] == {"name": "mask", "size": 32, "num": 1, "den": 2, "kept": "", "line": 4}


def test_check_names_every_input_of_its_input_fix() -> None:
    # image and depth at the same size; conv 3×3/2 p1 exact for odd n, then the 2×2 pool on (n + 1)/2:
    # n ≡ 3 (mod 4). The nearest around 64: 63 and 67, and the depth map follows the image.
    text = TWO_INPUTS.replace("mask: [1, 32, 32]", "mask: [1, 64, 64]").replace(", allow_inexact: true", "")
    text = text.replace("padding: 1, from: mask", "stride: 2, padding: 1, from: mask")
    result = CliRunner().invoke(main, ["check", "-"], input=text)
    assert result.exit_code == 1, result.output
    assert (
        "inputs image 3×63×63, mask 1×63×63, gate 8×1×1, tokens 8×10 or image 3×67×67, mask 1×67×67, gate 8×1×1, "
        "tokens 8×10 make every layer exact (H, W: 4k + 3)"
    ) in result.output


def test_a_layer_that_mixes_live_axes_is_located() -> None:
    text = "input: [4, 24, 24]\nlayers:\n  - maxpool: {kernel: 2}\n  - permute: {order: [0, 2, 1]}\n"
    result = CliRunner().invoke(main, ["sizes", "-"], input=text)
    assert result.exit_code == 2
    assert result.output.startswith("<stdin>:4:5: error: permute 'permute1' mixes a spatial axis with another")


def test_a_size_that_stays_fixed_is_quoted_with_its_value() -> None:
    # b has another rank than a, so sizes keeps it at 3×8×32×32 whatever a's size: conv c3 (3, stride 2,
    # no padding) on its D = 8 gives (8 − 3)/2 + 1 = 3.5 at every size of a. The blocker said
    # "its input D + 0 − 3 is never a multiple of 2", as if D followed the solved H.
    text = (
        "inputs: {a: [3, 32, 32], b: [3, 8, 32, 32]}\nlayers:\n"
        "  - conv: {filters: 4, kernel: 3, from: a, name: c1}\n"
        "  - conv: {filters: 4, kernel: 3, stride: 2, from: b, name: c3}\n"
    )
    result = CliRunner().invoke(main, ["sizes", "-"], input=text)
    assert "H: none — conv 'c3' (line 4): its input D is 8 at every size: (8 + 0 − 3) / 2 + 1 = 3.5 is not whole" in (
        result.output
    )
