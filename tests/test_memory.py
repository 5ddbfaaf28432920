"""Memory figures against PyTorch's own measurements (tests/data/reference/memory.json,
its "_about" says how each was measured) and hand-derived cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cnncalc import saved
from cnncalc.engine import run
from cnncalc.loader import load
from cnncalc.registry import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = json.loads((ROOT / "tests" / "data" / "reference" / "memory.json").read_text())["entries"]
MEASURED = [e for e in REFERENCE if (ROOT / "specs" / f"{e['model']}.yaml").exists()]
IDS = [f"{e['model']}-b{e['batch']}" for e in MEASURED]


def _report(model: str, **options: object):  # type: ignore[no-untyped-def]
    path = ROOT / "specs" / f"{model}.yaml"
    return run(load(path.read_text(), str(path)), **options)  # type: ignore[arg-type]


def _spec(input: list[int], *layers: object, **options: object):  # type: ignore[no-untyped-def]
    import yaml

    return run(load(yaml.safe_dump({"input": input, "layers": list(layers)}), "t.yaml"), **options)  # type: ignore[arg-type]


def test_every_layer_type_declares_what_autograd_keeps() -> None:
    built_in = [t for t in REGISTRY.types.values() if t.rule is not None and t.rule.__module__.startswith("cnncalc.")]
    undeclared = [t.name for t in built_in if t.saves is None]
    assert len(built_in) > 40
    assert undeclared == []


@pytest.mark.parametrize("entry", MEASURED, ids=IDS)
def test_saved_activations_match_pytorch_to_the_byte(entry: dict) -> None:
    report = _report(entry["model"], batch=entry["batch"])
    assert report.totals.saved_activation_bytes == entry["saved_activation_bytes"]
    assert sum(row.saved_bytes for row in report.rows) == entry["saved_activation_bytes"]


# Which autograd node keeps what each layer type keeps (a tensor counts at its first keeper,
# as the measurement counts it at the first pack hook that sees its storage).
NODES = {
    "conv": "ConvolutionBackward0",
    "depthwise_conv": "ConvolutionBackward0",
    "batchnorm": "NativeBatchNormBackward0",
    "relu": "ReluBackward0",
    "relu6": "HardtanhBackward0",
    "maxpool": "MaxPool2DWithIndicesBackward0",
    "adaptive_avgpool": "AdaptiveAvgPool2DBackward0",
    "dense": "AddmmBackward0",
    "dropout": "MulBackward0",  # CPU dropout: input * noise, the noise kept
}


@pytest.mark.parametrize("entry", [e for e in MEASURED if e["model"] in ("vgg16", "resnet50", "mobilenet_v2")])
def test_saved_by_autograd_node(entry: dict) -> None:
    by_node: dict[str, int] = {}
    for row in _report(entry["model"], batch=entry["batch"]).rows:
        if row.saved_bytes:
            by_node[NODES[row.type]] = by_node.get(NODES[row.type], 0) + row.saved_bytes
    assert by_node == entry["saved_by_autograd_node"]


# Each model's spec with torchvision's modules as blocks (tests/data/modules/; the zoo specs of
# ResNet-50 and ViT-B/16 have them already): a block use is a module call, whose arguments the caller holds until it returns.
MODULES = ROOT / "tests" / "data" / "modules"


def _as_modules(model: str, **options: object):  # type: ignore[no-untyped-def]
    path = MODULES / f"{model}.yaml" if (MODULES / f"{model}.yaml").exists() else ROOT / "specs" / f"{model}.yaml"
    report = run(load(path.read_text(), str(path)), **options)  # type: ignore[arg-type]
    assert report.totals.params == _report(model).totals.params  # the same network
    return report


@pytest.mark.parametrize("entry", MEASURED, ids=IDS)
def test_inference_peak_against_pytorch(entry: dict) -> None:
    """Exact: a tensor lives to its last reader or to the end of the last module call (block
    use) taking it as argument. specs/vit_b_16.yaml writes torchvision's Encoder,
    Encoder.layers and MLPBlock as blocks: written inline, their arguments (the class-token
    concatenation, the position-embedded sum, ln_2's output: three 197×768 tensors) would
    not be held and the peak would be 23.1% under PyTorch's."""
    zoo = _report(entry["model"], batch=entry["batch"], optimizer="momentum").totals
    assert zoo.inference_peak_bytes == entry["inference_peak_bytes"]
    as_modules = _as_modules(entry["model"], batch=entry["batch"], optimizer="momentum").totals
    assert as_modules.inference_peak_bytes == entry["inference_peak_bytes"]
    # a training step holds the same arguments in its forward, never at its peak in these models
    assert as_modules.training_peak_bytes == zoo.training_peak_bytes


# torchvision's leaf module for each spec layer type; a type not here (add, multiply, flatten,
# class_token, position_embedding, slice) is code between modules, with no entry in the timeline
MODULE_CLASS = {
    "conv": "Conv2d", "depthwise_conv": "Conv2d", "batchnorm": "BatchNorm2d", "layernorm": "LayerNorm",
    "relu": "ReLU", "relu6": "ReLU6", "silu": "SiLU", "gelu": "GELU", "sigmoid": "Sigmoid",
    "maxpool": "MaxPool2d", "adaptive_avgpool": "AdaptiveAvgPool2d", "global_avgpool": "AdaptiveAvgPool2d",
    "dense": "Linear", "dropout": "Dropout", "stochastic_depth": "StochasticDepth", "attention": "MultiheadAttention",
}  # fmt: skip
FUNCTIONAL = {"mobilenet_v2": {"global_avgpool"}}  # MobileNetV2.forward: nn.functional.adaptive_avg_pool2d
# What torchvision's forward() methods hold in local variables other than their arguments, which
# the rule does not see (measured - modelled, bytes, at batch 1):
LOCALS = {
    # Bottleneck: `identity = self.downsample(x)` until it returns (`out += identity` adds in place)
    "resnet50": {
        f"layer{k}.bottleneck_down1.relu3": 256 * 2 ** (k - 1) * (56 >> (k - 1)) ** 2 * 4 for k in (1, 2, 3, 4)
    },
    # Encoder: `input = input + self.pos_embedding` until it returns, so while `ln` runs too
    "vit_b_16": {"encoder1.layernorm1": 197 * 768 * 4},
}
# The same in a training step's forward, but for ViT's (the position-embedded sum is kept for backward
# by the first block's ln_1 anyway); and EfficientNet's classifier Dropout is nn.Dropout(inplace=True),
# which multiplies its input in place, where cnncalc's dropout writes a new output (1280 floats)
TRAIN_FORWARD = {
    "resnet50": LOCALS["resnet50"],
    "efficientnet_b0": {"classifier1.dropout1": -1280 * 4, "classifier1.dense1": -1280 * 4},
}
TIMELINE = json.loads((ROOT / "tests" / "data" / "reference" / "memory.json").read_text())["module_timeline"]


def _at_modules(report, levels: tuple[int, ...], model: str) -> list[tuple[str, str, int]]:  # type: ignore[no-untyped-def]
    """(row, torchvision's module class, level after it) for each row that is a leaf module."""
    skip = FUNCTIONAL.get(model, set())
    return [(row.name, MODULE_CLASS[row.type], level)
            for row, level in zip(report.rows, levels)
            if row.type in MODULE_CLASS and row.type not in skip]  # fmt: skip


@pytest.mark.parametrize("entry", TIMELINE["entries"], ids=[e["model"] for e in TIMELINE["entries"]])
def test_timeline_module_by_module_against_pytorch(entry: dict) -> None:
    """Not only the peak: the bytes alive as each of torchvision's leaf modules returns (PyTorch's
    count, memory.json's 'module_timeline') against the level after the layer it is, for the
    specs with torchvision's modules as blocks. Without gradients, equal at every module but
    where a forward() holds a local variable: ResNet-50 158 modules, 4 differ; MobileNetV2 141,
    EfficientNet-B0 223 and VGG16 39, none; ViT-B/16 112, one. The forward of a training step
    (SGD: no optimizer state) holds the same arguments and keeps what autograd saves: the same,
    but for an in-place dropout and where autograd keeps the local variable anyway."""
    model = entry["model"]
    report = _as_modules(model, optimizer="sgd")
    ours = _at_modules(report, report.memory.inference_loads, model)
    measured = entry["live_after_module"]
    assert [c for _, c, _ in ours] == [c for c, _ in measured]  # module by module
    differ = {name: live - level for (name, _, level), (_, live) in zip(ours, measured) if live != level}
    assert differ == LOCALS.get(model, {})
    assert max(report.memory.inference_loads) == entry["inference_peak_bytes"]
    # the training forward: the step's forward moments, less the parameters (no state with plain SGD)
    n = len(report.rows)
    forward = tuple(load - report.totals.param_bytes for load in report.memory.training_loads[-n:])
    ours = _at_modules(report, forward, model)
    measured = entry["train_forward_live_after_module"]
    assert [c for _, c, _ in ours] == [c for c, _ in measured]
    differ = {name: live - level for (name, _, level), (_, live) in zip(ours, measured) if live != level}
    assert differ == TRAIN_FORWARD.get(model, {})


def test_inference_peak_where_and_why() -> None:
    # VGG16's peak: conv1_2 writes 64×224×224 while reading conv1_1's (in place ReLU'd) output
    report = _report("vgg16")
    assert report.rows[report.memory.inference_peak_at].name == "conv1_2"
    assert report.totals.inference_peak_bytes == 2 * 64 * 224 * 224 * 4
    # ResNet-50: layer1's first block, at its downsample's BatchNorm: bn3's output (waiting
    # for the add), the downsample conv's output and its BatchNorm's, 256×56×56 each, and the
    # block's argument, 64×56×56, which Bottleneck.forward (and ResNet's `x = self.layer1(x)`) holds
    report = _report("resnet50")
    assert report.rows[report.memory.inference_peak_at].name == "layer1.bottleneck_down1.batchnorm4"
    assert report.totals.inference_peak_bytes == (3 * 256 + 64) * 56 * 56 * 4
    # MobileNetV2: the first expanding InvertedResidual, at its BatchNorm: the expansion conv's output
    # and the BatchNorm's, 96×112×112 each, and the block's argument, 16×112×112
    report = _report("mobilenet_v2")
    assert report.rows[report.memory.inference_peak_at].name == "inverted_residual1.batchnorm1"
    assert report.totals.inference_peak_bytes == (2 * 96 + 16) * 112 * 112 * 4


_TWO_CONVS = [{"conv": {"filters": 8, "kernel": 1}}, {"conv": {"filters": 8, "kernel": 1}}]


def _held(*layers: object, blocks: dict | None = None, **options: object):  # type: ignore[no-untyped-def]
    import yaml

    spec = {"input": [4, 8, 8], "layers": [{"conv": {"filters": 8, "kernel": 1}}, *layers]}
    if blocks:
        spec["blocks"] = blocks
    return run(load(yaml.safe_dump(spec), "t.yaml"), **options)  # type: ignore[arg-type]


def test_a_module_call_holds_its_argument_until_it_returns() -> None:
    """PyTorch: the caller references a module's argument until the call returns. A conv makes
    a (8×8×8, float32: 2,048 B); then two 1×1 convs make b and c. Inline (an nn.Sequential's
    children: `input = module(input)` lets a go once b is made) c is made beside b only; as one
    block (a module with its own forward) or a composite layer a is still held: three tensors."""
    one = 8 * 64 * 4
    inline = _held(*_TWO_CONVS)
    assert inline.totals.inference_peak_bytes == 2 * one
    repeated = _held({"repeat": {"times": 1, "layers": _TWO_CONVS}})  # a repeat is a run of layers, no call
    assert repeated.totals.inference_peak_bytes == 2 * one
    block = _held({"pair": None}, blocks={"pair": {"layers": _TWO_CONVS}})
    assert block.totals.inference_peak_bytes == 3 * one
    assert block.rows[block.memory.inference_peak_at].name == "pair1.conv2"
    # separable_conv (depthwise, then pointwise): its argument is held while the pointwise conv runs
    separable = _held({"separable_conv": {"filters": 8, "kernel": 1}})
    assert separable.totals.inference_peak_bytes == 3 * one
    # nested calls: the outer block's argument is held to its end, past the inner block
    pair = {"pair": {"layers": _TWO_CONVS}}
    nested = _held({"outer": None}, blocks={"outer": {"layers": [{"pair": None}, "relu"]}, **pair})
    assert nested.memory.inference_loads[1:] == (2 * one, 3 * one, 2 * one)  # a and c at the in-place relu
    alone = _held({"pair": None}, "relu", blocks=pair)
    assert alone.memory.inference_loads[1:] == (2 * one, 3 * one, one)  # c only: pair has returned


def test_training_forward_holds_the_same_arguments() -> None:
    """The forward of a training step runs the same forward() methods: a held tensor that
    autograd does not keep (sigmoid keeps its output, not its input) adds to the forward's
    moments there too, and to nothing in the backward (every call has returned)."""
    sigmoids = ["sigmoid", "sigmoid"]
    inline = _held(*sigmoids, optimizer="sgd")
    block = _held({"pair": None}, blocks={"pair": {"layers": sigmoids}}, optimizer="sgd")
    n = len(block.rows)
    one = 8 * 64 * 4
    forward = block.memory.training_loads[-n:]
    assert [b - i for b, i in zip(forward, inline.memory.training_loads[-n:])] == [0, 0, one]
    assert block.memory.training_loads[:-n] == inline.memory.training_loads[:-n]


@pytest.mark.parametrize("entry", MEASURED, ids=IDS)
@pytest.mark.parametrize("optimizer, measured", [("momentum", "sgd"), ("adam", "adam")])
def test_training_step_against_pytorch(entry: dict, optimizer: str, measured: str) -> None:
    report = _report(entry["model"], batch=entry["batch"], optimizer=optimizer)
    train, t = entry["train"][measured], report.totals
    assert t.grad_bytes == entry["param_bytes"] == 4 * t.trainable
    # Adam also keeps a float32 step count per parameter tensor (4 bytes each), not modelled
    assert 0 <= train["optimizer_bytes"] - t.optimizer_bytes < 1024
    above = t.training_peak_bytes - t.param_bytes  # the measurement's peak is above the parameters (and buffers)
    assert abs(above / train["peak_above_params_bytes"] - 1) < 0.01


def test_optimizers_and_precision() -> None:
    sgd, momentum, adam, adamw = (_report("vgg16", optimizer=o).totals for o in ("sgd", "momentum", "adam", "adamw"))
    weights = 4 * 138_357_544
    assert (sgd.optimizer_bytes, momentum.optimizer_bytes, adam.optimizer_bytes) == (0, weights, 2 * weights)
    assert adamw == adam
    # single-tensor Adam's step: two temporaries the size of the largest parameter (fc6, 25088·4096 + 4096)
    # weights, gradients and two Adam buffers: four times the weights
    assert adam.training_peak_bytes == 4 * weights + 2 * 4 * (25088 * 4096 + 4096)
    # bf16-mixed: 2-byte activations; max pooling's int64 indices keep their 8 bytes; the
    # master weights, gradients and optimizer state stay float32
    fp32 = _report("vgg16").totals
    mixed = _report("vgg16", precision="bf16-mixed").totals
    indices = 8 * (64 * 112 * 112 + 128 * 56 * 56 + 256 * 28 * 28 + 512 * 14 * 14 + 512 * 7 * 7)
    assert indices == 12_242_944  # the reference's MaxPool2DWithIndicesBackward0
    assert mixed.saved_activation_bytes == (fp32.saved_activation_bytes - indices) // 2 + indices
    assert mixed.grad_bytes == fp32.grad_bytes and mixed.optimizer_bytes == fp32.optimizer_bytes


def test_a_tensor_is_kept_once() -> None:
    # conv keeps its input (the spec's), the in-place relu its output (the conv's storage), and
    # the second conv reads that same storage: nothing more. 2 samples of float32.
    report = _spec([3, 8, 8], {"conv": {"filters": 4, "kernel": 3, "padding": 1}}, "relu",
                   {"conv": {"filters": 4, "kernel": 1}}, batch=2)  # fmt: skip
    assert [row.saved_bytes for row in report.rows] == [2 * 3 * 64 * 4, 2 * 4 * 64 * 4, 0]
    # relu6 in place: autograd keeps a copy of its input, and the next conv keeps the
    # (overwritten) storage itself, so both count
    report = _spec([3, 8, 8], {"conv": {"filters": 4, "kernel": 1}}, "relu6", {"conv": {"filters": 4, "kernel": 1}})
    assert [row.saved_bytes for row in report.rows] == [3 * 64 * 4, 4 * 64 * 4, 4 * 64 * 4]


def test_liveness_on_a_residual() -> None:
    # input 4×8×8 (not counted: it exists before the pass). conv a → 8×8×8; relu in place;
    # conv b → 8×8×8 while a's output waits for the add; add → a third 8×8×8.
    report = _spec([4, 8, 8], {"conv": {"filters": 8, "kernel": 1}}, "relu",
                   {"add": [[{"conv": {"filters": 8, "kernel": 3, "padding": 1}}], []]})  # fmt: skip
    assert report.totals.inference_peak_bytes == 3 * 8 * 64 * 4
    assert report.rows[report.memory.inference_peak_at].type == "add"


def test_dropout_keeps_its_noise_unless_its_rate_is_zero() -> None:
    kept = _spec([16], {"dense": {"units": 8}}, {"dropout": {"rate": 0.5}}, {"dense": {"units": 2}})
    # dense keeps the input (16), dropout its noise (8) and the next dense its new output (8)
    assert [row.saved_bytes for row in kept.rows] == [16 * 4, 8 * 4, 8 * 4]
    none = _spec([16], {"dense": {"units": 8}}, {"dropout": {"rate": 0.0}}, {"dense": {"units": 2}})
    assert [row.saved_bytes for row in none.rows] == [16 * 4, 0, 8 * 4]
    assert saved.keeps(REGISTRY.types["dropout"].saves, none.rows[1].args) is saved.NOTHING  # type: ignore[arg-type]


@pytest.mark.parametrize("command", ["summary", "check", "compare"])
def test_the_command_line_chooses_the_optimizer_and_precision(command: str) -> None:
    """--optimizer and --precision reach the figures: VGG16's momentum buffers are PyTorch's
    measured 553,430,176 bytes (memory.json's 'sgd' is SGD with momentum 0.9), plain SGD keeps
    none (SPEC-FORMAT), and --precision gives what engine.run gives for it."""
    import re

    from click.testing import CliRunner

    from cnncalc.cli import main

    vgg16 = str(ROOT / "specs" / "vgg16.yaml")
    measured = next(e for e in REFERENCE if e["model"] == "vgg16" and e["batch"] == 1)["train"]["sgd"]
    if command == "summary":
        for optimizer, state in (("momentum", measured["optimizer_bytes"]), ("sgd", 0)):
            out = CliRunner().invoke(main, ["summary", vgg16, "--optimizer", optimizer, "--format", "json"]).stdout
            assert json.loads(out)["totals"]["optimizer_bytes"] == state
        out = CliRunner().invoke(main, ["summary", vgg16, "--precision", "bf16-mixed", "--format", "json"]).stdout
        expected = _report("vgg16", precision="bf16-mixed").totals.to_dict()["training_peak_bytes"]
        assert json.loads(out)["totals"]["training_peak_bytes"] == expected
    elif command == "check":  # the budget sees the chosen optimizer: SGD's peak fits where Adam's does not
        args = ["check", vgg16, "--max-training-memory", "2GiB"]
        assert CliRunner().invoke(main, [*args, "--optimizer", "sgd"]).exit_code == 0
        assert CliRunner().invoke(main, [*args, "--optimizer", "adam"]).exit_code == 1
    else:
        peaks = []
        for optimizer in ("sgd", "momentum"):
            out = CliRunner().invoke(main, ["compare", vgg16, vgg16, "--optimizer", optimizer]).stdout
            peaks.append(re.search(r"training peak\s+(\S+ \S+)", out).group(1))  # type: ignore[union-attr]
        assert peaks == ["1.09 GiB", "1.60 GiB"]  # the momentum buffers: 553,430,176 B = 0.52 GiB more


# --- the memory view of the table (summary --view memory) ---------------------------------


def _summary(*args: str) -> str:
    from click.testing import CliRunner

    from cnncalc.cli import main

    result = CliRunner().invoke(main, ["summary", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_memory_view_shows_what_each_layer_saves() -> None:
    from cnncalc.render.units import nbytes

    vgg16 = str(ROOT / "specs" / "vgg16.yaml")
    text = _summary(vgg16, "--view", "memory", "--width", "200")
    heading = text.splitlines()[1]
    assert heading.split()[6:9] == ["Params", "Memory", "Saved"] and "MACs" not in heading
    end = heading.index("Saved") + len("Saved")  # right-justified: every Saved cell ends here
    report = _report("vgg16")
    table_rows = {line.split()[0]: line[:end] for line in text.splitlines()[3:] if line.split()}
    for row in report.rows:  # the Saved cell of each row is its saved_bytes
        line = table_rows[row.name]
        cell = "" if line.endswith(" ") else line.rsplit("  ", 1)[-1].strip()
        assert cell == (nbytes(row.saved_bytes) if row.saved_bytes else ""), row.name
    assert sum(row.saved_bytes for row in report.rows) == 73_355_264  # PyTorch's measurement (memory.json)
    # the footer: the memory figures, no MACs or FLOPs (no column for them either)
    assert "Saved for backward:       69.96 MiB" in text and "Training peak:" in text and "Inference peak:" in text
    assert "MACs:" not in text and "FLOPs:" not in text
    assert "MACs:" in _summary(vgg16, "--width", "200")  # the default view keeps them
    # Markdown: the same columns and totals
    markdown = _summary(vgg16, "--view", "memory", "--format", "markdown")
    assert "| layer | type | output | params | memory | saved | RF |" in markdown
    # conv1_1 keeps the input, 3·224·224·4 B; the in-place relu1 its output, 64·224·224·4 B; conv1_2
    # reads that same storage: nothing more
    assert "| conv1_1 | conv 3×3 p1 | 64×224×224 | 1,792 | 12.25 MiB | 588.00 KiB | 3 /1 |" in markdown
    assert "| relu1 | relu | 64×224×224 | 0 | 0 B | 12.25 MiB | 3 /1 |" in markdown
    assert "| conv1_2 | conv 3×3 p1 | 64×224×224 | 36,928 | 12.25 MiB | 0 B | 5 /1 |" in markdown
    assert "saved for backward: 69.96 MiB" in markdown and "MACs" not in markdown


@pytest.mark.parametrize("width", [60, 80, 100, 120])
def test_the_memory_view_keeps_the_width_rules(width: int) -> None:
    """docs/table.md: never wider than asked (VGG16 fits 60), a column left out whole and said;
    Memory gives way before Saved, the column the view was asked for."""
    text = _summary(str(ROOT / "specs" / "vgg16.yaml"), "--view", "memory", "--width", str(width))
    assert max(map(len, text.splitlines())) <= width
    heading = text.splitlines()[1]
    if "Memory" not in heading:
        assert "memory" in text.split("left out")[0].splitlines()[-1]
    assert "Saved" in heading or "Memory" not in heading
    # somewhere between 80 and the full width, Memory goes and Saved stays
    widths = {w: _summary(str(ROOT / "specs" / "vgg16.yaml"), "--view", "memory", "--width", str(w)).splitlines()[1]
              for w in range(66, 80, 2)}  # fmt: skip
    assert any("Saved" in h and "Memory" not in h for h in widths.values())


# --- mixed precision against torch.autocast (memory.json's "mixed_precision") ------------------

MIXED = json.loads((ROOT / "tests" / "data" / "reference" / "memory.json").read_text())["mixed_precision"]["entries"]
# what autocast casts and autograd does not keep: the biases of conv and linear (cast with their
# weights into the cast cache, not needed by the backward), 2 bytes each
BIASES = {"resnet50": 1000, "vgg16": 64 + 64 + 128 + 128 + 3 * 256 + 6 * 512 + 4096 + 4096 + 1000}


@pytest.mark.parametrize("entry", MIXED, ids=[f"{e['model']}-{e['precision']}-b{e['batch']}" for e in MIXED])
def test_mixed_precision_against_pytorch_autocast(entry: dict) -> None:
    report = _report(entry["model"], batch=entry["batch"], precision=entry["precision"])
    t, memory = report.totals, report.memory
    assert memory is not None
    # saved activations in 2 bytes (max pooling's int64 indices and BatchNorm's float32 statistics
    # keep their width), to the byte
    assert t.saved_activation_bytes == entry["saved_activation_bytes"]
    # autocast's weight copies: every conv and linear weight and bias, 2 bytes each
    assert memory.weight_copies - entry["weight_copy_bytes"] == 2 * BIASES[entry["model"]]
    # the forward pass without gradients: the cast cache keeps every copy to its end
    assert abs(t.inference_peak_bytes / entry["inference_peak_bytes"] - 1) < 0.001
    # exact with torchvision's modules as blocks: VGG16's classifier holds its argument, the
    # flattened 512×7×7 map (2 bytes each), at fc8, where the weight copies make the peak
    as_modules = _as_modules(entry["model"], batch=entry["batch"], precision=entry["precision"])
    assert as_modules.totals.inference_peak_bytes == entry["inference_peak_bytes"]
    held = {"vgg16": 512 * 7 * 7 * 2, "resnet50": 0}[entry["model"]]
    assert entry["inference_peak_bytes"] - t.inference_peak_bytes == held
    # float32 master weights, gradients and optimizer state
    assert t.grad_bytes == entry["train"]["sgd"]["grad_bytes"] == entry["param_bytes"]
    for optimizer, measured in (("momentum", "sgd"), ("adam", "adam")):
        totals = _report(entry["model"], batch=entry["batch"], precision=entry["precision"], optimizer=optimizer).totals
        train = entry["train"][measured]
        assert 0 <= train["optimizer_bytes"] - totals.optimizer_bytes < 1024  # Adam's step counts
        above = totals.training_peak_bytes - totals.param_bytes
        assert abs(above / train["peak_above_params_bytes"] - 1) < 0.001, optimizer
