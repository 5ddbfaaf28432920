"""Measure the memory figures of tests/data/reference/memory.json with PyTorch.

Optional and never needed by the tests or at run time: cnncalc does not import
torch. Run it where torch and torchvision are installed (CPU is enough):

    python tools/memory_reference.py resnet50 vgg16                        # float32, batch 1
    python tools/memory_reference.py resnet50 --precision bf16-mixed       # under torch.autocast("cpu")
    python tools/memory_reference.py vgg16 --batch 8 --precision bf16-mixed
    python tools/memory_reference.py resnet50 vit_b_16 --timeline           # live bytes per leaf module

It prints one JSON entry per model, as memory.json's "entries" hold them (its
"_about" defines each figure). How each is taken:

- ``saved_activation_bytes``: ``model.train()``, one forward (under autocast for
  a mixed precision) inside ``torch.autograd.graph.saved_tensors_hooks``; each
  saved storage counted once at its full size; parameters and buffers excluded,
  and so are the low-precision copies autocast makes of the parameters (its cast
  cache), reported apart as ``weight_copy_bytes``. The model input counts when a
  layer keeps it (under autocast: its low-precision cast).
- ``inference_peak_bytes``: ``model.eval()`` and ``torch.no_grad()``, the most
  bytes of op outputs alive at once: a ``TorchDispatchMode`` adds each new
  output storage when an op makes it and takes it off when the storage is freed
  (the storage's Python object lives exactly as long as the storage); kernel
  workspaces, the parameters and the input are not op outputs of the pass.
- ``--timeline``: the same pass, and the bytes alive when each leaf module (and
  each ``nn.MultiheadAttention``, whatever path it takes inside) returns, read in
  a forward hook (the module's input is still referenced then, as cnncalc's level
  after a layer counts it): ``[module class, live bytes]`` in call order, which
  shows where each tensor is freed, not only the peak; and the same in the forward
  of a training step (``model.train()``, autograd recording).
- ``train``: after a warm-up step (so the optimizer state exists), one step
  (``zero_grad(set_to_none=True)``, forward, cross-entropy, backward, the
  optimizer's single-tensor step) counted the same way; the peak is above the
  parameters, the optimizer state alive throughout included. ``sgd`` is SGD with
  momentum 0.9, ``adam`` Adam.

The weights stay float32 under a mixed precision (master weights), as do their
gradients and the optimizer state: autocast only casts an op's inputs.
"""

from __future__ import annotations

import argparse
import json
import weakref
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

DTYPES = {"fp32": None, "bf16-mixed": torch.bfloat16, "fp16-mixed": torch.float16}


class LiveBytes(TorchDispatchMode):
    """Bytes of the storages ops make, from the op that makes one until it is freed."""

    def __init__(self, parameters: set[int]) -> None:
        super().__init__()
        self.parameters = parameters  # storages of parameters and buffers (data pointers)
        self.tracked: set[int] = set()
        self.live = self.peak = 0
        self.weight_copies: set[int] = set()  # autocast's casts of a parameter

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        out = func(*args, **(kwargs or {}))
        if func is torch.ops.aten._to_copy.default and _pointer(args[0]) in self.parameters:
            self.weight_copies.add(_pointer(out))
        for tensor in tree_flatten(out)[0]:
            if isinstance(tensor, torch.Tensor):
                self._track(tensor.untyped_storage())
        return out

    def _track(self, storage: Any) -> None:
        pointer, size = storage.data_ptr(), storage.nbytes()
        if not size or pointer in self.tracked or pointer in self.parameters:
            return
        self.tracked.add(pointer)
        self.live += size
        self.peak = max(self.peak, self.live)
        weakref.finalize(storage, self._free, pointer, size)

    def _free(self, pointer: int, size: int) -> None:
        self.tracked.discard(pointer)
        self.weight_copies.discard(pointer)
        self.live -= size

    def reset(self, base: int) -> None:
        """Count from ``base`` bytes (what exists before and stays: the optimizer state)."""
        self.peak = self.live = base + self.live


def _pointer(tensor: Any) -> int:
    return tensor.untyped_storage().data_ptr() if isinstance(tensor, torch.Tensor) else -1


def _model(name: str) -> Any:
    import torchvision.models as models

    torch.manual_seed(0)
    return getattr(models, name)(weights=None)


def _autocast(precision: str) -> Any:
    dtype = DTYPES[precision]
    return torch.autocast("cpu", dtype=dtype) if dtype is not None else torch.autocast("cpu", enabled=False)


def _parameters(model: Any) -> set[int]:
    return {_pointer(t) for t in [*model.parameters(), *model.buffers()]}


def saved(name: str, batch: int, precision: str) -> tuple[int, int]:
    """(saved activation bytes, autocast's weight-copy bytes among what autograd saves)."""
    model = _model(name).train()
    x = torch.randn(batch, 3, 224, 224)
    kept: dict[int, int] = {}
    mode = LiveBytes(_parameters(model))

    def pack(tensor: Any) -> Any:
        storage = tensor.untyped_storage()
        if storage.data_ptr() not in mode.parameters:
            kept.setdefault(storage.data_ptr(), storage.nbytes())
        return tensor

    with mode, _autocast(precision), torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = model(x)
        copies = sum(size for pointer, size in kept.items() if pointer in mode.weight_copies)
    del out
    return sum(kept.values()) - copies, copies


def inference_peak(name: str, batch: int, precision: str) -> int:
    model = _model(name).eval()
    x = torch.randn(batch, 3, 224, 224)
    mode = LiveBytes(_parameters(model))
    with torch.no_grad(), mode, _autocast(precision):
        model(x)
    return mode.peak


def timeline(name: str, batch: int) -> dict[str, Any]:
    """The live bytes as each leaf module returns, in call order: a forward pass without
    gradients (``model.eval()``, no grad) and the forward of a training step
    (``model.train()``, autograd recording; no optimizer state: a first step)."""
    inference, peak = _module_levels(name, batch, train=False)
    train, _ = _module_levels(name, batch, train=True)
    return {
        "model": name,
        "batch": batch,
        "inference_peak_bytes": peak,
        "live_after_module": inference,
        "train_forward_live_after_module": train,
    }


def _module_levels(name: str, batch: int, train: bool) -> tuple[list[list[Any]], int]:
    model = _model(name).train(train)
    x = torch.randn(batch, 3, 224, 224)
    mode = LiveBytes(_parameters(model))
    seen: list[list[Any]] = []

    def hook(module: Any, args: Any, out: Any) -> None:
        seen.append([type(module).__name__, mode.live])

    attention = [m for m in model.modules() if isinstance(m, torch.nn.MultiheadAttention)]
    inside = {id(c) for m in attention for c in m.modules() if c is not m}
    for module in model.modules():
        if (not list(module.children()) and id(module) not in inside) or module in attention:
            module.register_forward_hook(hook)
    with torch.set_grad_enabled(train), mode:
        out = model(x)
    del out
    return seen, mode.peak


def training(name: str, batch: int, precision: str, optimizer: str) -> dict[str, int]:
    model = _model(name).train()
    parameters = [p for p in model.parameters() if p.requires_grad]
    if optimizer == "sgd":
        step = torch.optim.SGD(parameters, lr=0.01, momentum=0.9, foreach=False)
    else:
        step = torch.optim.Adam(parameters, lr=0.001, foreach=False)
    x, target = torch.randn(batch, 3, 224, 224), torch.randint(0, 1000, (batch,))

    def one_step() -> None:
        step.zero_grad(set_to_none=True)
        with _autocast(precision):
            loss = torch.nn.functional.cross_entropy(model(x), target)
        loss.backward()
        step.step()

    one_step()  # the optimizer state exists from here on
    state = [t for s in step.state.values() for t in s.values() if isinstance(t, torch.Tensor)]
    state_bytes = sum({_pointer(t): t.untyped_storage().nbytes() for t in state}.values())
    step.zero_grad(set_to_none=True)
    mode = LiveBytes(_parameters(model) | {_pointer(t) for t in state})
    with mode:
        mode.reset(state_bytes)
        one_step()
    grads = sum(p.grad.untyped_storage().nbytes() for p in parameters if p.grad is not None)
    return {"grad_bytes": grads, "optimizer_bytes": state_bytes, "peak_above_params_bytes": mode.peak}


def entry(name: str, batch: int, precision: str) -> dict[str, Any]:
    model = _model(name)
    saved_bytes, copies = saved(name, batch, precision)
    return {
        "model": name,
        "batch": batch,
        "precision": precision,
        "param_bytes": sum(p.untyped_storage().nbytes() for p in model.parameters()),
        "saved_activation_bytes": saved_bytes,
        "weight_copy_bytes": copies,
        "inference_peak_bytes": inference_peak(name, batch, precision),
        "train": {optimizer: training(name, batch, precision, optimizer) for optimizer in ("sgd", "adam")},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="+", help="torchvision model names: resnet50 vgg16 ...")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--precision", choices=list(DTYPES), default="fp32")
    parser.add_argument("--timeline", action="store_true", help="live bytes as each leaf module returns")
    options = parser.parse_args()
    torch.set_num_threads(1)
    if options.timeline:
        found = [timeline(name, options.batch) for name in options.models]
        print(json.dumps({"torch": torch.__version__, "entries": found}))
        return
    entries = [entry(name, options.batch, options.precision) for name in options.models]
    print(json.dumps({"torch": torch.__version__, "entries": entries}, indent=1))


if __name__ == "__main__":
    main()
