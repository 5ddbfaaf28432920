"""The model zoo in specs/ against published figures, to the unit.

Reference figures: tests/data/reference/torchvision.json, a copy of
shared/reference/torchvision.json (computed with PyTorch on torchvision's own
model definitions, see its "_about"), so that a clone tests itself.
MobileNetV2 at other widths: tests/data/mobilenet_v2_widths.json (see its "_source").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cnncalc

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"
DATA = Path(__file__).resolve().parent / "data"

# Specs this zoo must provide: a missing one fails, it is never skipped.
OWNED = (
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
    "googlenet",
    "inception_v3",
    "mobilenet_v1",
    "mobilenet_v2",
)


def _reference_path() -> Path:
    """The project's copy of shared/reference/torchvision.json: a clone tests itself."""
    return DATA / "reference" / "torchvision.json"


REFERENCE: dict = json.loads(_reference_path().read_text())
MODELS = {k: v for k, v in REFERENCE.items() if not k.startswith("_")}
ZOO = sorted(set(OWNED) | {name for name in MODELS if (SPECS / f"{name}.yaml").is_file()})


def _analyze(name: str, **kwargs) -> dict:
    path = SPECS / f"{name}.yaml"
    if not path.is_file():
        pytest.fail(f"specs/{name}.yaml is missing")
    return cnncalc.analyze(str(path), **kwargs).to_dict()


def _last_rf(report: dict) -> dict:
    """The receptive field of the last layer that still has one (before global pooling)."""
    with_rf = [layer for layer in report["layers"] if layer["rf"] is not None]
    assert with_rf, "no layer has a receptive field"
    return with_rf[-1]


def test_owned_specs_are_in_the_reference():
    missing = [name for name in OWNED if name not in MODELS]
    assert not missing, f"no reference figures for {missing}"


@pytest.mark.parametrize("name", ZOO)
def test_zoo_matches_reference(name: str):
    ref = MODELS[name]
    report = _analyze(name)
    assert report["input"] == ref["input"]
    totals = report["totals"]
    assert totals["trainable"] == ref["trainable"]
    assert totals["non_trainable"] == ref["bn_running_stats"]
    assert totals["params"] == ref["trainable"] + ref["bn_running_stats"]
    assert totals["macs"] == ref["macs"]
    assert totals["flops"] == 2 * ref["macs"]
    assert report["outputs"]["main"] == ref["output"]
    # every inexact size division in the zoo is an explicit, commented choice
    assert totals["inexact_layers"] == 0


@pytest.mark.parametrize("name", [name for name in ZOO if "rf" in MODELS[name]])
def test_zoo_receptive_field(name: str):
    rf = MODELS[name]["rf"]
    report = _analyze(name)
    layer = _last_rf(report)
    spatial_axes = len(report["input"]) - 1
    assert layer["rf"]["size"] == [rf] * spatial_axes, layer["name"]


# --- MobileNetV2 width multiplier -----------------------------------------------------

WIDTHS = json.loads((DATA / "mobilenet_v2_widths.json").read_text())
WIDTH_KEYS = sorted((k for k in WIDTHS if not k.startswith("_")), key=float)


def test_mobilenet_v2_width_data_agrees_with_reference():
    ref = MODELS["mobilenet_v2"]
    one = WIDTHS["1.0"]
    assert (one["trainable"], one["bn_running_stats"], one["macs"]) == (
        ref["trainable"],
        ref["bn_running_stats"],
        ref["macs"],
    )


@pytest.mark.parametrize("key", WIDTH_KEYS)
def test_mobilenet_v2_width(key: str):
    expected = WIDTHS[key]
    report = _analyze("mobilenet_v2", args={"width": expected["width"]})
    totals = report["totals"]
    assert totals["trainable"] == expected["trainable"]
    assert totals["non_trainable"] == expected["bn_running_stats"]
    assert totals["macs"] == expected["macs"]
    assert report["outputs"]["main"] == expected["output"]
    assert totals["inexact_layers"] == 0


def test_mobilenet_v2_width_from_spec_default_is_one():
    assert _analyze("mobilenet_v2") == _analyze("mobilenet_v2", args={"width": 1.0})


# --- GoogLeNet with torchvision's two auxiliary heads ----------------------------------
#
# torchvision InceptionAux(in_channels, 1000): adaptive_avg_pool2d((4, 4)),
# BasicConv2d(in, 128, 1x1) = conv without bias + BatchNorm2d(128), flatten to
# 128*4*4 = 2048, fc1 Linear(2048, 1024), ReLU, dropout 0.7, fc2 Linear(1024, 1000).
#   conv:  in * 128 weights             aux1: 512*128 = 65,536   aux2: 528*128 = 67,584
#   BN:    2 * 128 = 256 trainable (+ 256 running stats)
#   fc1:   2048*1024 + 1024 = 2,098,176
#   fc2:   1024*1000 + 1000 = 1,025,000
#   aux1 = 65,536 + 256 + 2,098,176 + 1,025,000 = 3,188,968
#   aux2 = 67,584 + 256 + 2,098,176 + 1,025,000 = 3,191,016
# googlenet(aux_logits=True): 6,624,904 + 3,188,968 + 3,191,016 = 13,004,888.
# MACs on the 14x14 maps (pooled to 4x4):
#   aux1 = 512*128*16 + 2048*1024 + 1024*1000 = 1,048,576 + 2,097,152 + 1,024,000 = 4,169,728
#   aux2 = 528*128*16 + 2048*1024 + 1024*1000 = 1,081,344 + 2,097,152 + 1,024,000 = 4,202,496
AUX1_PARAMS = 512 * 128 + 2 * 128 + (2048 * 1024 + 1024) + (1024 * 1000 + 1000)
AUX2_PARAMS = 528 * 128 + 2 * 128 + (2048 * 1024 + 1024) + (1024 * 1000 + 1000)
AUX_BN_STATS = 2 * 128
AUX1_MACS = 512 * 128 * 16 + 2048 * 1024 + 1024 * 1000
AUX2_MACS = 528 * 128 * 16 + 2048 * 1024 + 1024 * 1000


def test_googlenet_aux_arithmetic():
    assert AUX1_PARAMS == 3_188_968
    assert AUX2_PARAMS == 3_191_016
    assert MODELS["googlenet"]["trainable"] + AUX1_PARAMS + AUX2_PARAMS == 13_004_888


def test_googlenet_aux_heads():
    ref = MODELS["googlenet"]
    report = _analyze("googlenet_aux")
    assert report["outputs"] == {"main": [1000], "aux1": [1000], "aux2": [1000]}
    totals = report["totals"]
    assert totals["trainable"] == ref["trainable"] + AUX1_PARAMS + AUX2_PARAMS
    assert totals["non_trainable"] == ref["bn_running_stats"] + 2 * AUX_BN_STATS
    assert totals["macs"] == ref["macs"] + AUX1_MACS + AUX2_MACS
    assert totals["inexact_layers"] == 0
    # the main path is googlenet's, receptive field included (heads end in dense layers)
    assert _last_rf(report)["rf"]["size"] == [ref["rf"], ref["rf"]]
