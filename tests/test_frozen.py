"""Frozen layers, ``trainable: false`` (SPEC-FORMAT "Frozen layers"): params, memory, errors, schema.

The rule for memory, as PyTorch does it (measured with torch 2.14, saved_tensors_hooks, CPU):
- a frozen layer's params get no gradient and no optimizer state;
- autograd records nothing for a layer none of whose inputs requires grad and that owns no
  trainable param: a frozen backbone at the start of a network keeps nothing for backward;
- a frozen layer whose input requires grad still keeps what its backward needs for the input's
  gradient: ConvolutionBackward0 and NativeBatchNormBackward0 save their input frozen or not,
  but mm (dense) and mul (scale) save their input only for their weight's gradient, so a frozen
  dense or scale keeps none (``nn.Linear(8, 8).requires_grad_(False)`` after a trainable conv:
  0 bytes saved; trainable: the 1,024-byte input).
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
import yaml

from cnncalc.engine import run
from cnncalc.errors import SpecError
from cnncalc.loader import load
from cnncalc.schema import spec_schema

# conv(frozen) → bn → relu → 2 × [conv, bn] (frozen) → gap → dense: as nn.Sequential with
# requires_grad_(False) on the frozen modules, PyTorch counts 106 trainable params and 1,472
# other params and buffers (num_batches_tracked aside), and saves 144,416 bytes, of which 192 are
# the three BatchNorms' running mean and var (buffers, excluded as in memory.json): 144,224.
FROZEN_NET = """
input: [3, 32, 32]
layers:
  - conv: {filters: 8, kernel: 3, trainable: false}
  - batchnorm
  - relu
  - repeat: {times: 2, trainable: false, layers: [conv: {filters: 8, kernel: 3, padding: 1}, batchnorm]}
  - global_avgpool
  - dense: {units: 10}
"""


def _run(text: str, **options: Any):  # type: ignore[no-untyped-def]
    return run(load(text, "t.yaml"), **options)


def _spec(*layers: object, input: list[int] | None = None, **top: object) -> str:
    return yaml.safe_dump({"input": input or [3, 32, 32], **top, "layers": list(layers)}, sort_keys=False)


def test_frozen_params_are_non_trainable_as_pytorch_counts_them() -> None:
    report = _run(FROZEN_NET)
    # conv1 3·8·9 + 8 = 224; bn 2·8 trainable + 2·8 running; conv 8·8·9 + 8 = 584; dense 8·10 + 10 = 90
    by_name = {row.name: (row.trainable, row.non_trainable) for row in report.rows}
    assert by_name["conv1"] == (0, 224)
    assert by_name["batchnorm1"] == (16, 16)
    assert by_name["conv2"] == by_name["conv3"] == (0, 584)
    assert by_name["batchnorm2"] == (0, 32)  # frozen: γ, β and the running statistics
    assert by_name["dense1"] == (90, 0)
    assert report.totals.trainable == 16 + 90 == 106
    assert report.totals.non_trainable == 224 + 16 + 2 * 584 + 2 * 32 == 1472
    assert report.totals.params == 1578  # freezing moves params, never drops any


def test_gradients_and_optimizer_state_only_for_trainable_params() -> None:
    report = _run(FROZEN_NET, optimizer="adam")
    assert report.totals.grad_bytes == 106 * 4
    assert report.totals.optimizer_bytes == 2 * 106 * 4  # Adam: exp_avg, exp_avg_sq
    assert _run(FROZEN_NET, optimizer="momentum").totals.optimizer_bytes == 106 * 4


def test_saved_activations_follow_autograd() -> None:
    report = _run(FROZEN_NET)
    saved = {row.name: row.saved_bytes for row in report.rows}
    assert saved["conv1"] == 0  # frozen, reading the input: autograd records nothing
    assert saved["batchnorm1"] == 8 * 30 * 30 * 4 + 2 * 8 * 4  # trainable: its input, mean and invstd
    assert saved["relu1"] == 8 * 30 * 30 * 4  # its output (in place: a storage of its own in training)
    assert saved["conv2"] == 0  # frozen, but its input requires grad: it keeps relu1's output, counted there
    assert saved["batchnorm2"] == 8 * 30 * 30 * 4 + 2 * 8 * 4  # frozen BN keeps its input and statistics
    assert saved["conv3"] == 8 * 30 * 30 * 4
    assert saved["dense1"] == 8 * 4
    assert report.totals.saved_activation_bytes == 144_416 - 3 * 2 * 8 * 4 == 144_224


def test_a_wholly_frozen_network_keeps_nothing_and_gets_no_gradients() -> None:
    text = FROZEN_NET.replace("  - dense: {units: 10}", "  - dense: {units: 10, trainable: false}").replace(
        "  - batchnorm\n", "  - batchnorm: {trainable: false}\n"
    )
    frozen = _run(text)
    assert frozen.totals.trainable == 0
    assert frozen.totals.non_trainable == 1578
    assert frozen.totals.saved_activation_bytes == 0
    assert frozen.totals.grad_bytes == frozen.totals.optimizer_bytes == 0


def test_frozen_dense_keeps_no_input_but_frozen_conv_does() -> None:
    # after a trainable 1×1 conv (its output, 4·8·8·4 = 1,024 bytes, requires grad), PyTorch saves
    # for nn.Linear 1,024 bytes trained and 0 frozen; for nn.Conv2d 1,024 bytes either way
    for layer, frozen_saves in (({"dense": {"units": 8}}, 0), ({"conv": {"filters": 4, "kernel": 3}}, 1024)):
        kind = next(iter(layer))
        trained = _run(_spec({"conv": {"filters": 4, "kernel": 1}}, layer, input=[4, 8, 8]))
        frozen_layer = {kind: {**layer[kind], "trainable": False}}
        frozen = _run(_spec({"conv": {"filters": 4, "kernel": 1}}, frozen_layer, input=[4, 8, 8]))
        assert trained.rows[1].saved_bytes == 1024
        assert frozen.rows[1].saved_bytes == frozen_saves, kind


def test_layers_before_any_trainable_param_keep_nothing() -> None:
    # nothing requires grad before the first trainable param: a maxpool on the input keeps no indices
    report = _run(_spec({"maxpool": {"kernel": 2}}, {"conv": {"filters": 4, "kernel": 3}}))
    assert report.rows[0].saved_bytes == 0
    assert report.rows[1].saved_bytes == 3 * 16 * 16 * 4  # the conv keeps its input (weight's gradient)


def test_frozen_reaches_every_layer_inside_and_cannot_be_thawed() -> None:
    text = """
input: [3, 16, 16]
args: {freeze: true}
blocks:
  unit:
    args: {f: 8}
    layers:
      - conv: {filters: $f, kernel: 3, padding: 1, trainable: true}   # inside a frozen use: stays frozen
      - batchnorm
layers:
  - unit: {f: 4, trainable: false}
  - separable_conv: {filters: 8, kernel: 3, trainable: false}
  - add: {branches: [[conv: {filters: 8, kernel: 1}], []], trainable: false}
  - unit: {trainable: true}
"""
    report = _run(text)
    frozen = [row.name for row in report.rows if row.trainable == 0 and row.non_trainable > 0]
    inside = ["unit1.conv1", "unit1.batchnorm1", "separable_conv1.depthwise", "separable_conv1.pointwise", "conv1"]
    assert frozen == inside
    assert [row.name for row in report.rows if row.trainable] == ["unit2.conv1", "unit2.batchnorm1"]
    # frozen: 4·3·9 + 4 = 112; 2·4 + 2·4 = 16; depthwise 4·9 = 36 (no bias); pointwise 4·8 + 8 = 40;
    # the add's 1×1 conv reads the separable conv's 8 channels: 8·8 + 8 = 72
    assert report.totals.trainable == 8 * 8 * 9 + 8 + 2 * 8 == 600
    assert report.totals.non_trainable == 112 + 16 + 36 + 40 + 72 + 2 * 8 == 292
    assert report.totals.saved_activation_bytes == report.rows[-2].saved_bytes + report.rows[-1].saved_bytes


def test_trainable_takes_a_bool_argument() -> None:
    text = _spec({"conv": {"filters": 4, "kernel": 3, "trainable": "$train"}}, args={"train": False})
    assert load(text, "t.yaml").nodes[0].frozen
    assert not load(text, "t.yaml", overrides={"train": True}).nodes[0].frozen


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        ("conv: {filters: 4, kernel: 3, trainable: 0}", "conv 'trainable' must be true or false, not the number 0"),
        ("repeat: {times: 2, trainable: no_thanks, layers: [relu]}", "'trainable' must be true or false"),
        ("add: {branches: [[relu], []], trainable: 2}", "add 'trainable' must be true or false"),
    ],
)
def test_a_trainable_that_is_not_a_bool_is_located(layer: str, message: str) -> None:
    text = f"input: [3, 8, 8]\nlayers:\n  - {layer}\n"
    with pytest.raises(SpecError) as caught:
        load(text, "t.yaml")
    assert message in caught.value.message
    assert (caught.value.loc.line, caught.value.loc.col) == (3, 5 + layer.index("trainable: ") + len("trainable: "))


def test_the_command_line_error_is_one_line_and_exit_2(tmp_path: Any) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("input: [3, 8, 8]\nlayers:\n  - conv: {filters: 4, kernel: 3, trainable: 1}\n")
    done = subprocess.run([sys.executable, "-m", "cnncalc", "summary", str(spec)], capture_output=True, text=True)
    assert done.returncode == 2
    first = done.stderr.splitlines()[0]
    assert first == f"{spec}:3:46: error: conv 'trainable' must be true or false, not the number 1"
    assert "Traceback" not in done.stderr


def test_json_rows_carry_the_split() -> None:
    spec = _spec({"conv": {"filters": 4, "kernel": 3, "trainable": False}}, "batchnorm")
    done = subprocess.run(
        [sys.executable, "-m", "cnncalc", "summary", "-", "--format", "json"],
        input=spec,
        capture_output=True,
        text=True,
    )
    data = json.loads(done.stdout)
    assert [(r["trainable"], r["non_trainable"]) for r in data["layers"]] == [(0, 3 * 4 * 9 + 4), (8, 8)]
    assert data["totals"]["grad_bytes"] == 8 * 4


def test_the_schema_knows_trainable() -> None:
    schema = spec_schema()
    defs = schema["$defs"]
    assert defs["args_conv"]["patternProperties"]["^trainable$"]["anyOf"][0] == {"type": "boolean"}
    assert "trainable" in defs["layer"]["anyOf"][-1]["properties"]["repeat"]["properties"]
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(yaml.safe_load(FROZEN_NET), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(yaml.safe_load(FROZEN_NET.replace("trainable: false}", "trainable: 3}")), schema)


def _footer_line(text: str) -> str:
    from cnncalc.render.table import footer

    return next(line for line in footer(_run(text)).splitlines() if line.startswith("Non-trainable"))


def test_the_footer_says_what_the_non_trainable_figure_holds() -> None:
    # PyTorch on FROZEN_NET: 1,472 non-trainable = 48 BatchNorm running mean/var elements (3 BatchNorms
    # of 8 channels, 2 × 8 each: buffers) + 1,424 params with requires_grad False (conv 224 + 2 × conv 584
    # + the frozen BatchNorms' γ, β 2 × 16)
    line = _footer_line(FROZEN_NET)
    assert "1,472" in line and "48 BatchNorm running mean/var" in line and "+ 1,424 frozen" in line
    # nn.Conv2d(3, 8, 3).requires_grad_(False): 224 parameters, none of them BatchNorm statistics
    only_frozen = _footer_line(_spec({"conv": {"filters": 8, "kernel": 3, "trainable": False}}, "relu"))
    assert "224" in only_frozen and "frozen by 'trainable: false'" in only_frozen and "BatchNorm" not in only_frozen
    # nothing frozen: the figure is BatchNorm's running statistics alone, as before
    unfrozen = _footer_line(_spec({"conv": {"filters": 8, "kernel": 3}}, "batchnorm"))
    assert "16  (BatchNorm running mean/var; Keras counts them" in unfrozen and "frozen" not in unfrozen


def test_yolov8n_footer_names_the_dfl_16_frozen() -> None:
    # Ultralytics prints "3157200 parameters, 3157184 gradients": 16 params without gradient (the DFL conv);
    # tests/data/reference/modern.json: 10,608 non-trainable, so 10,592 are BatchNorm running statistics
    from pathlib import Path

    text = (Path(__file__).parent.parent / "specs" / "yolov8n.yaml").read_text()
    line = _footer_line(text)
    assert "10,608" in line and "10,592 BatchNorm running mean/var" in line and "+ 16 frozen" in line
