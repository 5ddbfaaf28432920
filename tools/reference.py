"""Recompute the reference figures of tests/data/reference/*.json with PyTorch.

Optional and never needed by the tests or at run time: cnncalc does not import
torch. Run it in a separate virtual environment that has torch and torchvision
(and timm / ultralytics for the models defined there):

    python tools/reference.py                      # every model it can build, as JSON
    python tools/reference.py resnet50 vit_b_16    # some of them
    python tools/reference.py --check              # compare with tests/data/reference/

Figures, as the reference files' "_about" entries define them: batch 1, float32,
eval mode; trainable = numel of parameters with requires_grad; non_trainable =
BatchNorm running_mean + running_var elements + numel of frozen parameters;
macs = torch.utils.flop_counter.FlopCounterMode FLOPs / 2 over convolutions and
matrix products (bias, norms, activations, pooling and element-wise ops count 0).
The flop counter does not see inside fused attention kernels, so every call runs
with the plain math path of scaled_dot_product_attention, which it does count.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "reference"


def _torchvision(name: str, **kwargs: Any) -> Callable[[], Any]:
    def build() -> Any:
        import torchvision.models as models
        import torchvision.models.segmentation as segmentation

        factory = getattr(models, name, None) or getattr(segmentation, name)
        return factory(weights=None, **kwargs)

    return build


def _timm(name: str) -> Callable[[], Any]:
    def build() -> Any:
        import timm  # type: ignore[import-not-found]

        return timm.create_model(name, pretrained=False)

    return build


def _yolov8(scale: str) -> Callable[[], Any]:
    def build() -> Any:
        from ultralytics import YOLO  # type: ignore[import-not-found]

        return YOLO(f"yolov8{scale}.yaml").model  # yolov8.yaml at that scale (depth, width, max channels)

    return build


# name → (builder, input shape without the batch axis)
MODELS: dict[str, tuple[Callable[[], Any], tuple[int, ...]]] = {
    **{
        name: (_torchvision(name), (3, 224, 224))
        for name in [
            "alexnet",
            "vgg11",
            "vgg16",
            "vgg19",
            "resnet18",
            "resnet34",
            "resnet50",
            "resnet101",
            "resnet152",
            "mobilenet_v2",
            "efficientnet_b0",
            "mobilenet_v3_large",
            "convnext_tiny",
            "regnet_y_400mf",
            "shufflenet_v2_x1_0",
            "swin_t",
            "vit_b_16",
        ]
    },
    "googlenet": (_torchvision("googlenet", aux_logits=False, init_weights=True), (3, 224, 224)),
    "inception_v3": (_torchvision("inception_v3", aux_logits=False, init_weights=True), (3, 299, 299)),
    "efficientnet_b1": (_torchvision("efficientnet_b1"), (3, 240, 240)),
    "efficientnet_b2": (_torchvision("efficientnet_b2"), (3, 288, 288)),
    "efficientnet_b3": (_torchvision("efficientnet_b3"), (3, 300, 300)),
    "deeplabv3_resnet50": (_torchvision("deeplabv3_resnet50", weights_backbone=None, aux_loss=False), (3, 520, 520)),
    "vit_base_r50_s16_224": (_timm("vit_base_r50_s16_224"), (3, 224, 224)),
    **{f"yolov8{scale}": (_yolov8(scale), (3, 640, 640)) for scale in "nsm"},
}


def figures(model: Any, shape: tuple[int, ...]) -> dict[str, Any]:
    import torch
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.utils.flop_counter import FlopCounterMode

    model.eval()
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    running = sum(
        m.running_mean.numel() + m.running_var.numel()
        for m in model.modules()
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm) and m.running_mean is not None
    )
    counter = FlopCounterMode(display=False)
    # Autograd stays on: nn.MultiheadAttention takes a fused "fast path" under no_grad
    # in eval mode, whose matmuls the flop counter does not see.
    with sdpa_kernel(SDPBackend.MATH), counter:
        out = model(torch.zeros(1, *shape))
    if isinstance(out, dict):  # segmentation models
        out = out["out"]
    if isinstance(out, (tuple, list)):  # detectors: the first output
        out = out[0]
    return {
        "input": list(shape),
        "trainable": trainable,
        "non_trainable": running + frozen,
        "macs": counter.get_total_flops() // 2,
        "output": list(out.shape[1:]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="*", help=f"some of: {', '.join(MODELS)}")
    parser.add_argument("--check", action="store_true", help="compare with the project's reference files")
    options = parser.parse_args()
    names = options.models or list(MODELS)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        parser.error(f"unknown model(s): {', '.join(unknown)}")
    known: dict[str, Any] = {}
    for file in ("torchvision.json", "modern.json"):
        known.update(json.loads((DATA / file).read_text()))
    results, failed = {}, 0
    for name in names:
        build, shape = MODELS[name]
        try:
            model = build()
        except ImportError as error:  # timm or ultralytics not installed
            print(f"{name}: skipped ({error})", file=sys.stderr)
            continue
        results[name] = got = figures(model, shape)
        if options.check and name in known:
            want = dict(known[name])
            want.setdefault("non_trainable", want.get("bn_running_stats"))
            diffs = [
                f"{k}: {got[k]} != {want[k]}"
                for k in ("trainable", "non_trainable", "macs", "output")
                if got[k] != want.get(k)
            ]
            print(f"{name}: {'ok' if not diffs else '; '.join(diffs)}", file=sys.stderr)
            failed += bool(diffs)
    print(json.dumps(results, indent=1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
