"""The modern zoo in specs/ against PyTorch's figures, to the unit.

Reference figures: tests/data/reference/modern.json, a copy of
shared/reference/modern.json (computed with PyTorch on the named definitions,
see its "_about"; tools/reference.py recomputes them), so that a clone tests itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_zoo import _analyze  # the classic zoo's: a missing spec fails, never skips

import cnncalc

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"
REFERENCE: dict = json.loads((Path(__file__).resolve().parent / "data" / "reference" / "modern.json").read_text())
MODELS = {k: v for k, v in REFERENCE.items() if not k.startswith("_")}

# Specs this zoo must provide: a missing one fails, it is never skipped.
OWNED = (
    "convnext_tiny", "shufflenet_v2_x1_0", "unet_2015", "deeplabv3_resnet50", "mobilenet_v3_large",
    "efficientnet_b0", "regnet_y_400mf", "yolov8n",
)  # fmt: skip
ZOO = sorted(set(OWNED) | {name for name in MODELS if (SPECS / f"{name}.yaml").is_file()})


def _assert_matches(report: dict, ref: dict) -> None:
    assert report["input"] == ref["input"]
    totals = report["totals"]
    assert totals["trainable"] == ref["trainable"]
    assert totals["non_trainable"] == ref["non_trainable"]
    assert totals["params"] == ref["trainable"] + ref["non_trainable"]
    assert totals["macs"] == ref["macs"]
    assert report["outputs"]["main"] == ref["output"]
    # every inexact size division in the zoo is an explicit, commented choice
    assert totals["inexact_layers"] == 0


@pytest.mark.parametrize("name", ZOO)
def test_modern_zoo_matches_reference(name: str) -> None:
    _assert_matches(_analyze(name), MODELS[name])


@pytest.mark.parametrize("name", ZOO)
def test_modern_zoo_cites_its_definition(name: str) -> None:
    head = (SPECS / f"{name}.yaml").read_text().split("\nname:")[0]
    assert "modern.json" in head and f'"{name}"' in head  # the figures it must match
    definition = MODELS[name]["definition"].split("(")[0].split()[0]
    assert definition.split(".")[-1] in head or definition in head


# --- EfficientNet B1-B3: one spec, torchvision's compound scaling --------------------------
#
# torchvision's efficientnet_b1..b3 are efficientnet_b0's definition with (width_mult,
# depth_mult) = (1.0, 1.1), (1.1, 1.2), (1.2, 1.4) at 240, 288, 300 (its weights' crop sizes).
SCALED = {
    "efficientnet_b1": ({"width": 1.0, "depth": 1.1}, (3, 240, 240)),
    "efficientnet_b2": ({"width": 1.1, "depth": 1.2}, (3, 288, 288)),
    "efficientnet_b3": ({"width": 1.2, "depth": 1.4}, (3, 300, 300)),
}


@pytest.mark.parametrize("name", sorted(SCALED))
def test_efficientnet_compound_scaling(name: str) -> None:
    args, shape = SCALED[name]
    assert list(shape) == MODELS[name]["input"]
    _assert_matches(_analyze("efficientnet_b0", args=args, input=shape), MODELS[name])


def test_efficientnet_defaults_are_b0() -> None:
    assert _analyze("efficientnet_b0") == _analyze("efficientnet_b0", args={"width": 1.0, "depth": 1.0})


def test_efficientnet_b1_from_the_command_line() -> None:
    from click.testing import CliRunner

    from cnncalc.cli import main

    command = ["summary", str(SPECS / "efficientnet_b0.yaml"), "--set", "depth=1.1", "--input", "3x240x240"]
    result = CliRunner().invoke(main, [*command, "--format", "json"])
    assert result.exit_code == 0, result.output
    totals = json.loads(result.stdout)["totals"]
    ref = MODELS["efficientnet_b1"]
    assert (totals["trainable"], totals["non_trainable"], totals["macs"]) == (
        ref["trainable"], ref["non_trainable"], ref["macs"],
    )  # fmt: skip


def test_convnext_prints_no_dense_warning() -> None:
    # issue 10: "today ConvNeXt-T prints that warning 36 times"
    assert cnncalc.analyze(str(SPECS / "convnext_tiny.yaml")).warnings == ()


# --- YOLOv8 n, s, m: one spec, Ultralytics' scales --------------------------------------------
#
# yolov8.yaml's `scales: [depth, width, max_channels]`: n [0.33, 0.25, 1024] (the spec's defaults),
# s [0.33, 0.50, 1024], m [0.67, 0.75, 768]. Figures of YOLO("yolov8s.yaml").model and
# YOLO("yolov8m.yaml").model, computed with PyTorch 2.14 and ultralytics 8.4.190 by
# `python tools/reference.py yolov8s yolov8m` (as modern.json's "_about" defines them); their
# trainable params are the yaml's "11166544 gradients" and "25902624 gradients".
YOLOV8 = {
    "s": ({"width": 0.5}, {"trainable": 11_166_544, "non_trainable": 20_048, "macs": 14_301_312_000}),
    "m": (
        {"depth": 0.67, "width": 0.75, "max_channels": 768},
        {"trainable": 25_902_624, "non_trainable": 33_136, "macs": 39_468_364_800},
    ),
}


@pytest.mark.parametrize("scale", sorted(YOLOV8))
def test_yolov8_scales(scale: str) -> None:
    args, figures = YOLOV8[scale]
    _assert_matches(_analyze("yolov8n", args=args), {**MODELS["yolov8n"], **figures})


def test_yolov8_dfl_is_the_frozen_16() -> None:
    # DFL: Conv2d(16, 1, 1, bias=False).requires_grad_(False); the rest of the non-trainable
    # figure is BatchNorm running statistics (10,592 = 10,608 - 16)
    report = cnncalc.analyze(str(SPECS / "yolov8n.yaml"))
    frozen = [row for row in report.rows if row.type == "conv" and row.trainable == 0]
    assert [(row.name, row.non_trainable, row.macs) for row in frozen] == [("dfl", 16, 16 * 4 * 8400)]
    running = sum(row.non_trainable for row in report.rows if row.type == "batchnorm")
    assert running + 16 == MODELS["yolov8n"]["non_trainable"]
    # three detection levels, P3/8, P4/16, P5/32 at 640: 80² + 40² + 20² = 8400 anchors
    shapes = {row.name: row.output for row in report.rows}
    assert (shapes["p3.cv2.silu1"], shapes["p4.cv2.silu1"], shapes["p5.cv2.silu1"]) == (
        (64, 80, 80), (128, 40, 40), (256, 20, 20),
    )  # fmt: skip
    assert shapes["boxes"] == (64, 8400) and shapes["scores"] == (80, 8400)
