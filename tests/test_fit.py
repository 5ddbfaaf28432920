"""``cnncalc fit``: the largest batch within a memory budget, solved from the memory
model's lines (cnncalc/largest_batch.py) and held here to the engine's own figures
at the answer and one past it, and to PyTorch's measured training peaks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cnncalc.cli import main
from cnncalc.engine import run
from cnncalc.largest_batch import largest_batch, lines, solve
from cnncalc.limits import MAX_SIZE
from cnncalc.loader import load

ROOT = Path(__file__).resolve().parents[1]
GIB = 2**30
REFERENCE = json.loads((ROOT / "tests" / "data" / "reference" / "memory.json").read_text())["entries"]


def _graph(model: str):  # type: ignore[no-untyped-def]
    path = ROOT / "specs" / f"{model}.yaml"
    return load(path.read_text(), str(path))


def _peak(model: str, batch: int, inference: bool = False, **options: object) -> int:
    t = run(_graph(model), batch=batch, **options).totals  # type: ignore[arg-type]
    return t.inference_peak_bytes + t.param_bytes if inference else t.training_peak_bytes


def fit(*args: str) -> Result:
    return CliRunner().invoke(main, ["fit", *args])


def _answer(*args: str) -> dict:
    result = fit(*args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_resnet50_in_24gib_is_the_batch_its_figures_give() -> None:
    answer = _answer(str(ROOT / "specs" / "resnet50.yaml"), "--memory", "24GiB")
    batch, budget = answer["batch"], 24 * GIB
    assert answer["budget_bytes"] == 25_769_803_776
    # both sides, by the engine's own figures: batch B fits, B + 1 does not
    assert _peak("resnet50", batch) <= budget < _peak("resnet50", batch + 1)
    assert answer["peak_bytes"] == answer["totals"]["training_peak_bytes"] == _peak("resnet50", batch)
    assert answer["next_batch_peak_bytes"] == _peak("resnet50", batch + 1)
    # PyTorch's measured Adam step (memory.json, batch 1 and 8): the line through the two
    # measurements gives batch 313 in 24 GiB. It is a lower bound on the peak past batch 8 (the
    # peak is a maximum of lines, convex in the batch: the backward's heaviest moment moves to
    # later layers as activations outgrow the gradients), so the answer is at most that, and close.
    measured = {e["batch"]: e["param_bytes"] + e["train"]["adam"]["peak_above_params_bytes"]
                for e in REFERENCE if e["model"] == "resnet50"}  # fmt: skip
    per_sample = (measured[8] - measured[1]) / 7
    by_pytorch_line = int((budget - measured[1]) // per_sample) + 1
    assert by_pytorch_line == 313
    assert 0.9 * by_pytorch_line <= batch <= by_pytorch_line


def test_the_peak_is_a_maximum_of_lines_not_a_line() -> None:
    # VGG16 with Adam: the optimizer step (no activations) is the peak at batch 1 and 2, so a
    # line through the totals at 1 and 2 would be flat and say any batch fits.
    assert _peak("vgg16", 1) == _peak("vgg16", 2)
    assert run(_graph("vgg16")).memory.training_peak_phase == "optimizer step"  # type: ignore[union-attr]
    answer = largest_batch(_graph("vgg16"), 4 * GIB)
    assert _peak("vgg16", answer.batch) <= 4 * GIB < _peak("vgg16", answer.batch + 1)
    assert answer.report.memory is not None and answer.report.memory.training_peak_phase == "backward"
    assert 2 < answer.batch < MAX_SIZE


@pytest.mark.parametrize("model", ["vgg16", "resnet50", "mobilenet_v2", "efficientnet_b0", "vit_b_16"])
@pytest.mark.parametrize("options", [{}, {"optimizer": "momentum"}, {"precision": "bf16-mixed", "dtype": "float16"}])
def test_every_moment_of_the_step_is_affine_in_the_batch(model: str, options: dict) -> None:
    """What the solution rests on: each candidate for the peak at batch B is its value at
    batch 1 plus (B − 1) times its growth from 1 to 2, for every moment, at batch 3 and 17."""
    graph = _graph(model)
    one, two = (run(graph, batch=b, **options) for b in (1, 2))
    moment_lines = lines(one, two, inference=False)
    for batch in (3, 17):
        report = run(graph, batch=batch, **options)
        assert report.memory is not None
        assert list(report.memory.training_loads) == [a * batch + c for a, c in moment_lines]
        assert report.totals.training_peak_bytes == max(report.memory.training_loads)
        inference_lines = lines(one, two, inference=True)
        t = report.totals
        assert [t.param_bytes + level for level in report.memory.inference_loads] == [
            a * batch + c for a, c in inference_lines
        ]
        assert t.inference_peak_bytes + t.param_bytes == max(a * batch + c for a, c in inference_lines)


def test_solve_takes_the_tightest_line() -> None:
    # 100 + 10·B and 1000 + 1·B: within 1100, the first allows 100, the second 100 too; within 1200, 110 and 200
    assert solve([(10, 100), (1, 1000)], 1100) == 100
    assert solve([(10, 100), (1, 1000)], 1200) == 110
    assert solve([(0, 2000), (1, 10)], 1999) == 0  # a fixed moment over the budget: nothing fits
    assert solve([(5, 10)], 14) == 0
    assert solve([(0, 10)], 10) == MAX_SIZE  # nothing grows: every batch the engine takes


def test_inference_fits_the_inference_peak_plus_the_parameters() -> None:
    answer = _answer(str(ROOT / "specs" / "vgg16.yaml"), "--memory", "24GiB", "--inference")
    batch = answer["batch"]
    assert answer["fitted"] == "inference_peak_bytes + param_bytes"
    assert _peak("vgg16", batch, inference=True) <= 24 * GIB < _peak("vgg16", batch + 1, inference=True)
    # by hand: VGG16's inference peak is 2 × 64×224×224 float32 per sample (test_memory), the weights 553,430,176 B
    assert batch == (24 * GIB - 553_430_176) // (2 * 64 * 224 * 224 * 4) == 981


def test_the_options_reach_the_figures() -> None:
    vgg16 = str(ROOT / "specs" / "vgg16.yaml")
    options = ["--optimizer", "sgd", "--precision", "bf16-mixed", "--input", "3x160x160", "--dtype", "float16"]
    answer = _answer(vgg16, "--memory", "8GiB", *options)
    settings = {"optimizer": "sgd", "precision": "bf16-mixed", "input": (3, 160, 160), "dtype": "float16"}
    batch = answer["batch"]
    assert _peak("vgg16", batch, **settings) <= 8 * GIB < _peak("vgg16", batch + 1, **settings)
    assert answer["totals"]["optimizer_bytes"] == 0 and answer["input"] == [3, 160, 160]
    # --set reaches the spec: half the width of MobileNetV2 fits more
    mobilenet = str(ROOT / "specs" / "mobilenet_v2.yaml")
    narrow = _answer(mobilenet, "--memory", "8GiB", "--set", "width=0.5")["batch"]
    assert narrow > _answer(mobilenet, "--memory", "8GiB")["batch"]


def test_check_agrees_with_fit() -> None:
    resnet50 = str(ROOT / "specs" / "resnet50.yaml")
    batch = _answer(resnet50, "--memory", "24GiB")["batch"]
    check = ["check", resnet50, "--max-training-memory", "24GiB", "--batch"]
    assert CliRunner().invoke(main, [*check, str(batch)]).exit_code == 0
    assert CliRunner().invoke(main, [*check, str(batch + 1)]).exit_code == 1


def test_text_names_the_batch_the_figures_and_what_dominates() -> None:
    result = fit(str(ROOT / "specs" / "resnet50.yaml"), "--memory", "24GiB")
    assert result.exit_code == 0
    lines_ = result.stdout.splitlines()
    assert lines_[1].startswith("Largest batch: 293  (training peak 23.95 GiB; batch 294: 24.03 GiB)")
    assert any(line.strip().startswith("Optimizer state:      194.98 MiB") for line in lines_)
    assert lines_[-1].startswith("Activations dominate:")


def test_not_even_batch_one_fits_exits_1() -> None:
    result = fit(str(ROOT / "specs" / "vgg16.yaml"), "--memory", "1GiB")
    assert result.exit_code == 1
    assert "Not even batch 1 fits: its training peak is 2.83 GiB" in result.stdout
    assert _answer(str(ROOT / "specs" / "vgg16.yaml"), "--memory", "1GiB")["batch"] == 0


def test_a_batch_past_what_the_engine_takes_is_capped(tmp_path: Path) -> None:
    spec = tmp_path / "tiny.yaml"
    spec.write_text("input: [4]\nlayers:\n  - dense: {units: 2}\n")
    answer = _answer(str(spec), "--memory", "1000TiB")
    assert answer["batch"] == MAX_SIZE and answer["next_batch_peak_bytes"] is None


@pytest.mark.parametrize(
    ("written", "bytes_"),
    [("24GiB", 24 * GIB), ("16GB", 16 * 10**9), ("80GiB", 80 * GIB), ("25769803776", 24 * GIB),
     ("24 gib", 24 * GIB), ("1.5GiB", 3 * GIB // 2), ("512MiB", 2**29)],
)  # fmt: skip
def test_memory_units(written: str, bytes_: int) -> None:
    assert _answer(str(ROOT / "specs" / "resnet18.yaml"), "--memory", written)["budget_bytes"] == bytes_


@pytest.mark.parametrize("written", ["lots", "-3GiB", "24GiBs", "0", "0.1", "1e9", ""])
def test_nonsense_memory_is_a_usage_error(written: str) -> None:
    result = fit(str(ROOT / "specs" / "resnet18.yaml"), "--memory", written)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith("Error: Invalid value for --memory: ")
    assert "Traceback" not in result.stderr


def test_missing_memory_and_a_bad_spec_exit_2(tmp_path: Path) -> None:
    assert fit(str(ROOT / "specs" / "resnet18.yaml")).exit_code == 2
    spec = tmp_path / "net.yaml"
    spec.write_text("input: [3, 32, 32]\nlayers:\n  - conv: {filters: 8, kernal: 3}\n")
    result = fit(str(spec), "--memory", "1GiB")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{spec}:3:")
    assert "Traceback" not in result.stderr


def test_the_readme_shows_the_real_output() -> None:
    import re

    readme = (ROOT / "README.md").read_text()
    found = re.search(r"```text\n\$ (cnncalc fit [^\n]+)\n(.*?)```", readme, re.S)
    assert found, "the README's 'Will it fit?' example is missing"
    command, shown = found.groups()
    assert command == "cnncalc fit specs/resnet50.yaml --memory 24GiB"
    result = CliRunner().invoke(main, command.replace("specs/", f"{ROOT}/specs/").split()[1:])
    assert result.stdout == shown
