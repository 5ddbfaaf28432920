"""Adding a metric is one declaration in cnncalc/metrics.py: proved on a copy
of the package whose only change is that declaration, ``momentum_bytes`` (SGD
with momentum's buffers, one per trainable parameter), checked against what
PyTorch measured (tests/data/reference/memory.json, "sgd" is SGD with momentum
0.9). Every output picks it up with no other edit: JSON totals, the table's and
Markdown's footers, compare, and check's budget option.

The project itself does not declare it: ``optimizer_bytes`` (with ``--optimizer``)
holds it among SPEC-FORMAT v2's memory figures.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cnncalc

ROOT = Path(__file__).resolve().parent.parent
MEMORY = json.loads((ROOT / "tests" / "data" / "reference" / "memory.json").read_text())

# The whole extension, as docs/architecture.md shows it.
GRAD_BYTES = """\
    # SGD with momentum: one buffer per trainable parameter, in the parameters' dtype
    Metric("momentum_bytes", "momentum memory", BYTES, lambda row, size: row.trainable * size,
           lambda t: t["trainable"] * t.dtype_bytes, budget="momentum-memory"),
"""

MEASURED = [entry for entry in MEMORY["entries"] if (ROOT / "specs" / f"{entry['model']}.yaml").exists()]


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package with the one declaration added at the end of METRICS."""
    root = tmp_path_factory.mktemp("extended")
    shutil.copytree(ROOT / "cnncalc", root / "cnncalc", ignore=shutil.ignore_patterns("__pycache__"))
    metrics = root / "cnncalc" / "metrics.py"
    text = metrics.read_text(encoding="utf-8")
    end = text.index("\n)  # fmt: skip", text.index("METRICS: tuple[Metric, ...] = ("))
    metrics.write_text(text[:end] + "\n" + GRAD_BYTES.rstrip("\n") + text[end:], encoding="utf-8")
    return root


def cnncalc_in(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI of the package at ``root`` (run from there, so that copy is imported)."""
    env = {**os.environ, "PYTHONPATH": str(root), "NO_COLOR": "1", "COLUMNS": "160"}
    return subprocess.run(
        [sys.executable, "-m", "cnncalc", *args], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )


def spec(model: str) -> str:
    return str(ROOT / "specs" / f"{model}.yaml")


def test_the_measured_models_are_in_the_zoo() -> None:
    assert {e["model"] for e in MEASURED} >= {"vgg16", "resnet50", "mobilenet_v2", "vit_b_16"}


def test_the_copy_differs_by_the_declaration_only(extended: Path) -> None:
    for path in (ROOT / "cnncalc").rglob("*.py"):
        copy = extended / "cnncalc" / path.relative_to(ROOT / "cnncalc")
        if path.name != "metrics.py" or path.parent.name != "cnncalc":
            assert copy.read_bytes() == path.read_bytes(), path
    added = (extended / "cnncalc" / "metrics.py").read_text(encoding="utf-8")
    assert added.replace(GRAD_BYTES, "") == (ROOT / "cnncalc" / "metrics.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("entry", MEASURED, ids=lambda e: f"{e['model']}-batch{e['batch']}")
def test_momentum_bytes_in_json_is_what_pytorch_measured(extended: Path, entry: dict) -> None:
    """PyTorch's SGD keeps one momentum buffer per parameter with requires_grad, of
    its shape and dtype (float32 here), whatever the batch."""
    result = cnncalc_in(extended, "summary", spec(entry["model"]), "--format", "json", "--batch", str(entry["batch"]))
    assert result.returncode == 0, result.stderr
    totals = json.loads(result.stdout)["totals"]
    assert totals["momentum_bytes"] == entry["train"]["sgd"]["optimizer_bytes"]
    # appended: every version 1 key keeps its place
    before = cnncalc.analyze(spec(entry["model"]), batch=entry["batch"]).totals.to_dict()
    assert list(totals) == [*before, "momentum_bytes"]
    assert {key: totals[key] for key in before} == before


def test_every_output_shows_it(extended: Path) -> None:
    vgg16 = spec("vgg16")  # 138,357,544 trainable params × 4 B = 553,430,176 B = 527.79 MiB
    table = cnncalc_in(extended, "summary", vgg16).stdout
    assert "\nMomentum memory:         527.79 MiB\n" in table
    markdown = cnncalc_in(extended, "summary", vgg16, "--format", "markdown").stdout
    assert " · momentum memory: 527.79 MiB\n" in markdown
    compared = cnncalc_in(extended, "compare", vgg16, spec("vgg11")).stdout
    assert "momentum memory" in compared
    checked = cnncalc_in(extended, "check", vgg16, "--max-momentum-memory", "500MiB")
    assert checked.returncode == 1
    assert "momentum memory 527.79 MiB (553,430,176 B) exceeds --max-momentum-memory 500MiB" in checked.stdout
    assert cnncalc_in(extended, "check", vgg16, "--max-momentum-memory", "528MiB").returncode == 0


def test_its_rows_sum_to_its_total(extended: Path) -> None:
    code = (
        "import cnncalc\nfrom cnncalc.metrics import BY_KEY\n"
        f"r = cnncalc.analyze({spec('resnet50')!r}, batch=2)\nm = BY_KEY['momentum_bytes']\n"
        "print(sum(m.row(row, r.dtype_bytes) for row in r.rows), r.totals.momentum_bytes)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(extended)}
    out = subprocess.run([sys.executable, "-c", code], cwd=extended, env=env, capture_output=True, text=True)
    summed, total = map(int, out.stdout.split())
    assert summed == total == 25_557_032 * 4  # torchvision ResNet-50's trainable params, float32
