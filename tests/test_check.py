"""`cnncalc check`: exit codes, messages that locate and explain a failing layer,
fixes, budgets, output formats, and the pre-commit hook. Expected divisions and
sizes are worked out by hand in the comments beside them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cnncalc.check import parse_amount
from cnncalc.cli import main

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"

# torchvision's ResNet stem without its allow_inexact: 7×7/2 p3, then 3×3/2 max pool (no padding here)
STEM = """\
name: stem
input: [3, 224, 224]
layers:
  - conv: {name: conv1, filters: 64, kernel: 7, stride: 2, padding: 3}
  - relu
  - maxpool: {name: pool1, kernel: 3, stride: 2}
  - conv: {name: conv2, filters: 64, kernel: 3, stride: 2}
  - global_avgpool
  - dense: {units: 10}
"""

# stride 3 can be fixed by padding: (32 + 2p − 3) divisible by 3  <=>  p ≡ 2 (mod 3)
PADDABLE = """\
input: [3, 32, 32]
layers:
  - conv: {name: conv1, filters: 8, kernel: 3, stride: 3}
  - maxpool: {kernel: 2}
"""

BROKEN = """\
input: [3, 32, 32]
layers:
  - conv: {filters: 8, kernal: 3}
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def check(*args: str):
    return CliRunner().invoke(main, ["check", *args])


def test_exact_specs_exit_0() -> None:
    result = check(str(SPECS / "vgg16.yaml"))
    assert result.exit_code == 0, result.output
    assert "every layer exact" in result.output


def test_every_spec_in_the_repository_passes() -> None:
    specs = sorted(str(p) for p in SPECS.rglob("*.yaml"))
    result = check(*specs)
    assert result.exit_code == 0, result.output


def test_inexact_layers_exit_1_with_location_division_and_fixes(tmp_path: Path) -> None:
    path = write(tmp_path, "stem.yaml", STEM)
    result = check(path)
    assert result.exit_code == 1
    out = result.output
    # conv1: (224 + 2·3 − 7) / 2 + 1 = 223/2 + 1 = 112.5
    assert f"{path}:4:5: error: conv 'conv1' is inexact on H, W: (224 + 2·3 − 7) / 2 + 1 = 112.5" in out
    # pool1 sees floor(112.5) = 112: (112 + 2·0 − 3) / 2 + 1 = 55.5
    assert f"{path}:6:5: error: maxpool 'pool1' is inexact on H, W: (112 + 2·0 − 3) / 2 + 1 = 55.5" in out
    # conv2 sees 55: (55 − 3)/2 + 1 = 27, exact: not a finding
    assert "conv 'conv2' is inexact" not in out
    # the source line and a caret under the layer
    assert "  - conv: {name: conv1, filters: 64, kernel: 7, stride: 2, padding: 3}" in out
    # 224 + 2p − 7 is odd for every p: no padding helps with stride 2
    assert "no padding makes it exact on H, W: with stride 2, 224 + 2·padding − 7 is always odd" in out
    # Inputs that fit: n − 1 even (conv1), (n + 1)/2 odd (pool1: n ≡ 1 mod 4), (n + 1)/2 ≡ 3 (mod 4)
    # (conv2: (m1 − 3)/2 + 1 odd) → n ≡ 5 (mod 8): 221 and 229 around 224.
    assert "an input of 3×221×221 or 3×229×229 makes every layer exact (H, W: 8k + 5)" in out
    assert "add 'allow_inexact: true' to this layer" in out
    assert out.strip().endswith("checked 1 spec: 2 inexact layers")


def test_padding_fix_is_verified(tmp_path: Path) -> None:
    path = write(tmp_path, "pad.yaml", PADDABLE)
    out = check(path).output
    # p = 2: (32 + 4 − 3)/3 + 1 = 12, then max pool 2: 12/2 = 6, exact everywhere
    assert "'padding: 2' makes it exact (H, W: (32 + 2·2 − 3) / 3 + 1 = 12); every layer is then exact" in out


def test_allow_inexact_silences(tmp_path: Path) -> None:
    text = STEM.replace("padding: 3}", "padding: 3, allow_inexact: true}").replace(
        "stride: 2}\n  - conv", "stride: 2, allow_inexact: true}\n  - conv"
    )
    result = check(write(tmp_path, "ok.yaml", text))
    assert result.exit_code == 0, result.output
    assert "2 inexact layers allowed by allow_inexact" in result.output


def test_every_file_is_reported_and_2_wins(tmp_path: Path) -> None:
    stem = write(tmp_path, "stem.yaml", STEM)
    broken = write(tmp_path, "broken.yaml", BROKEN)
    missing = str(tmp_path / "missing.yaml")
    result = check(broken, stem, missing, str(SPECS / "vgg16.yaml"))
    assert result.exit_code == 2
    out = result.output
    assert f"{broken}:3:24: error: conv has no argument 'kernal'; did you mean 'kernel'?" in out
    assert f"{stem}:4:5: error: conv 'conv1' is inexact" in out
    assert f"{stem}:6:5: error: maxpool 'pool1' is inexact" in out
    assert f"{missing}: error: no such file" in out
    assert out.strip().endswith("checked 4 specs: 2 inexact layers, 2 specs could not be analysed")


SEVERAL_MISTAKES = """\
input: [3, 32, 32]
blocks:
  b:
    args: {n: required}
    layers: [conv: {filters: $n, kernel: 3}]
layers:
  - conv: {filters: 8, kernal: 3}
  - relu
  - convv: {filters: 8}
  - maxpool: {kernel: 2, stride: 0}
  - b: {}
  - dense: {units: 10}
"""


def test_every_mistake_in_a_spec_is_reported(tmp_path: Path) -> None:
    spec = write(tmp_path, "bad.yaml", SEVERAL_MISTAKES)
    result = check("--format", "json", spec)
    assert result.exit_code == 2
    errors = json.loads(result.output)["files"][0]["errors"]
    assert [(e["line"], e["col"], e["message"]) for e in errors] == [
        (7, 24, "conv has no argument 'kernal'"),
        (9, 5, "unknown layer type 'convv'"),
        (10, 34, "maxpool 'stride' must be at least 1, not 0"),
        (11, 5, "block 'b' is missing the argument 'n'"),  # a block's own error stops the reading
    ]
    text = check(spec).output
    assert text.count("error:") == 4 and "did you mean 'kernel'" in text and "did you mean 'conv'" in text
    assert check("--format", "github", spec).output.count("::error ") == 4
    # summary stops at the first
    first = CliRunner().invoke(main, ["summary", spec])
    assert first.exit_code == 2 and first.stderr.count("error:") == 1


def test_each_mistake_once_in_file_order_and_at_most_20(tmp_path: Path) -> None:
    uses = "".join(f"  - b: {{f: {-i}}}\n" for i in range(23))  # the block's one bad line, 23 times
    text = (
        "name: 5\ninput: [3, 8, 8]\nblocks:\n  b:\n    args: {f: required}\n"
        "    layers: [conv: {filters: $f, kernel: 1}]\nlayers:\n"
        + uses
        + "  - conv: {fliters: 2, kernal: 3}\n  - convv\n"
    )
    errors = json.loads(check("--format", "json", write(tmp_path, "s.yaml", text)).output)["files"][0]["errors"]
    assert [(e["line"], e["col"]) for e in errors] == [(1, 7), (6, 30), (31, 12), (31, 24), (32, 5)]
    assert errors[0]["message"] == "'name' must be text, not the number 5"
    assert errors[1]["message"] == "conv 'filters' must be at least 1, not 0"
    assert [e["message"] for e in errors[2:4]] == ["conv has no argument 'fliters'", "conv has no argument 'kernal'"]
    many = "input: [3, 8, 8]\nlayers:\n" + "".join(f"  - convv{i}\n" for i in range(30))
    errors = json.loads(check("--format", "json", write(tmp_path, "m.yaml", many)).output)["files"][0]["errors"]
    assert [e["line"] for e in errors] == list(range(3, 23))  # the first 20


def test_github_annotations(tmp_path: Path) -> None:
    path = write(tmp_path, "stem.yaml", STEM)
    broken = write(tmp_path, "broken.yaml", BROKEN)
    result = check("--format", "github", path, broken)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0].startswith(f"::error file={path},line=4,col=5,title=cnncalc%3A inexact layer::conv 'conv1'")
    assert "%0Afix: " in lines[0]  # fixes on the annotation's next lines
    assert lines[1].startswith(f"::error file={path},line=6,col=5,")
    assert lines[2].startswith(f"::error file={broken},line=3,col=24,title=cnncalc%3A unusable spec::")


def test_json(tmp_path: Path) -> None:
    path = write(tmp_path, "stem.yaml", STEM)
    result = check("--format", "json", path, str(SPECS / "vgg16.yaml"))
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["exit_code"] == 1
    stem, vgg = data["files"]
    assert vgg["ok"] and not vgg["findings"]
    assert [(f["line"], f["col"], f["code"], f["layer"]) for f in stem["findings"]] == [
        (4, 5, "inexact", "conv1"),
        (6, 5, "inexact", "pool1"),
    ]
    first = stem["findings"][0]
    assert first["divisions"] == ["H, W: (224 + 2·3 − 7) / 2 + 1 = 112.5"]
    # fixes that keep the output size first ('same', the parity note, accepting a floor that drops only
    # padding), then the input, which changes it (issue 11, item 8)
    assert [fix["kind"] for fix in first["fixes"]] == ["padding", "padding", "allow_inexact", "input"]
    assert first["fixes"][0]["value"] == "same"
    assert first["fixes"][3]["value"] == [[3, 221, 221], [3, 229, 229]]


# --- budgets -----------------------------------------------------------------------------


def test_parse_amount() -> None:
    assert parse_amount("5M") == 5_000_000
    assert parse_amount("600M") == 600_000_000
    assert parse_amount("1.5G") == 1_500_000_000
    assert parse_amount("250k") == 250_000
    assert parse_amount("138357544") == 138_357_544
    assert parse_amount("100MiB", in_bytes=True) == 100 * 2**20
    assert parse_amount("100MB", in_bytes=True) == 100 * 10**6
    assert parse_amount("2GiB", in_bytes=True) == 2 * 2**30
    for bad in ("5X", "", "M", "-3"):
        with pytest.raises(ValueError):
            parse_amount(bad)
    with pytest.raises(ValueError):
        parse_amount("5M", in_bytes=True)  # megabytes must say MB or MiB


def test_budgets_on_vgg16() -> None:
    vgg = str(SPECS / "vgg16.yaml")
    # CS231n: "TOTAL params: 138M parameters"; "the first FC layer contains 100M weights"
    # (7·7·512·4096 = 102,760,448 weights + 4,096 biases = 102,764,544).
    result = check("--max-params", "5M", vgg)
    assert result.exit_code == 1
    assert "params 138,357,544 (138.36 M) exceed --max-params 5M by 133,357,544" in result.output
    assert "the largest is dense 'fc6' with 102,764,544" in result.output
    assert check("--max-params", "140M", vgg).exit_code == 0
    # CS231n's VGG16 rows sum to 15,237,608 activations; torchvision's AdaptiveAvgPool2d(7)
    # adds 512·7·7 = 25,088: 15,262,696 × 4 B = 61,050,784 B = 58.22 MiB.
    assert check("--max-memory", "58MiB", vgg).exit_code == 1
    assert check("--max-memory", "61050784", vgg).exit_code == 0
    assert check("--max-memory", "59MiB", "--batch", "2", vgg).exit_code == 1
    # torchvision's table: VGG16 15.47 GFLOPS (multiply-accumulates)
    assert check("--max-macs", "15G", vgg).exit_code == 1
    assert check("--max-macs", "16G", vgg).exit_code == 0


def test_set_gates_a_width_variant_and_max_layers_is_honoured(tmp_path: Path) -> None:
    mobilenet = str(SPECS / "mobilenet_v2.yaml")
    # tests/data/mobilenet_v2_widths.json (PyTorch, torchvision's definition): width 0.5 has
    # 1,968,680 trainable + 18,544 BatchNorm running statistics = 1,987,224 params
    assert check("--set", "width=0.5", "--max-params", "1987224", mobilenet).exit_code == 0
    assert check("--set", "width=0.5", "--max-params", "1987223", mobilenet).exit_code == 1
    assert check("--max-params", "2M", mobilenet).exit_code == 1  # width 1.0: 3.5 M
    assert check("--set", "widht=0.5", mobilenet).exit_code == 2
    deep = write(tmp_path, "deep.yaml", "input: [3, 8, 8]\nlayers:\n  - repeat: {times: 100001, layers: [relu]}\n")
    refused = check(deep)
    assert refused.exit_code == 2 and "more than the limit of 100,000" in refused.output
    assert check("--max-layers", "100001", deep).exit_code == 0


def test_bad_budget_is_a_usage_error() -> None:
    result = check("--max-params", "lots", str(SPECS / "vgg16.yaml"))
    assert result.exit_code == 2
    assert "--max-params" in result.output


# --- CI integration ------------------------------------------------------------------------


def test_check_does_not_import_rich() -> None:
    code = (
        "import sys\n"
        "from cnncalc.cli import main\n"
        "try:\n"
        f"    main(['check', {str(SPECS / 'vgg16.yaml')!r}])\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0, e.code\n"
        "print(sorted(m for m in sys.modules if m == 'rich' or m.startswith('rich.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]")


def test_pre_commit_hook_definition() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = [h for h in hooks if h["id"] == "cnncalc-check"]
    assert hook["entry"] == "cnncalc check"
    assert hook["language"] == "python"
    assert hook["types"] == ["yaml"]


def test_an_input_fix_that_keeps_a_layers_size_says_so(tmp_path: Path) -> None:
    """ResNet's stem on 224 (conv 7×7/2 p3, then maxpool 3/2): the inputs 221 and 229 make every
    layer exact. By hand: 221 → conv (221 + 6 − 7)/2 + 1 = 111 → pool (111 − 3)/2 + 1 = 55, the
    size it has at 224 (112 → 55); 229 → 115 → 57. So the pool's size stays at one and not the other."""
    spec = tmp_path / "stem.yaml"
    spec.write_text(
        "input: [3, 224, 224]\nlayers:\n  - conv: {filters: 64, kernel: 7, stride: 2, padding: 3}\n"
        "  - relu\n  - maxpool: {kernel: 3, stride: 2}\n  - conv: {filters: 64, kernel: 3, stride: 2}\n"
    )
    out = CliRunner().invoke(main, ["check", str(spec)]).output
    assert "(output 64×55×55 stays, or becomes 64×57×57) an input of 3×221×221 or 3×229×229" in out
    assert "becomes 64×55×55" not in out


def test_a_taken_name_leaves_the_next_layers_namespaces_alone(tmp_path: Path) -> None:
    # the second 'a' is refused; 'b' after the block use is still a top-level layer that
    # 'add' can read (it once took the namespace of the block's last layer, 'pair1.')
    text = (
        "input: [8, 8, 8]\nblocks:\n  pair:\n    layers: [relu, relu]\nlayers:\n"
        "  - relu: {name: a}\n  - relu: {name: a}\n  - pair\n  - relu: {name: b}\n"
        "  - add: {from: [a, b]}\n  - convv\n"
    )
    errors = json.loads(check("--format", "json", write(tmp_path, "s.yaml", text)).output)["files"][0]["errors"]
    assert [(e["line"], e["col"], e["message"][:22]) for e in errors] == [
        (7, 5, "the name 'a' is alread"),
        (11, 5, "unknown layer type 'co"),
    ]
