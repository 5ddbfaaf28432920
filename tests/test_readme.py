"""The README's model-zoo table is regenerated from specs/ by this test, so it
cannot drift; `python tests/test_readme.py` rewrites it. (The figures
themselves are pinned against torchvision's in test_zoo.py.) Also: the README
opens with the two commands, and .ci/run runs the second one verbatim."""

from __future__ import annotations

import sys
from pathlib import Path

import cnncalc
from cnncalc.render.units import count, nbytes

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
ZOO = (
    "alexnet", "vgg11", "vgg16", "vgg19", "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
    "googlenet", "inception_v3", "mobilenet_v1", "mobilenet_v2", "shufflenet_v2_x1_0", "convnext_tiny",
    "mobilenet_v3_large", "efficientnet_b0", "regnet_y_400mf", "unet_2015", "deeplabv3_resnet50",
    "vit_b_16", "swin_t", "vit_base_r50_s16_224", "yolov8n",
)  # fmt: skip
BEGIN, END = "<!-- zoo-table:begin -->", "<!-- zoo-table:end -->"
INSTALL_AND_RUN = "pip install . && cnncalc summary specs/vgg16.yaml"
TEST_COMMAND = "pip install -e '.[test]' && python -m pytest"


def zoo_table() -> str:
    lines = [
        "| spec | input | params (trainable) | non-trainable | MACs | activations (fp32) | RF (last map) |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    for name in ZOO:
        report = cnncalc.analyze(ROOT / "specs" / f"{name}.yaml")
        t = report.totals
        last = report.final_rf()
        rf = "—" if last is None or last.rf is None else str(int(last.rf[0].size))
        lines.append(
            f"| `{name}` | {'×'.join(map(str, report.input))} | {t.trainable:,} | {t.non_trainable:,} "
            f"| {t.macs:,} ({count(t.macs)}) | {nbytes(t.activation_bytes)} | {rf} |"
        )
    return "\n".join(lines)


def _section(text: str) -> str:
    return text[text.index(BEGIN) + len(BEGIN) : text.index(END)].strip()


def test_readme_shows_the_real_vgg16_summary() -> None:
    """The "What it prints" block is what `cnncalc summary specs/vgg16.yaml` prints without a
    terminal, its middle rows elided as one `…` line: the lines above it are the output's first
    lines, the lines below it its last, and the prose says how many rows the `…` stands for."""
    import re

    from click.testing import CliRunner

    from cnncalc.cli import main

    text = README.read_text()
    intro = re.search(
        r"`cnncalc summary specs/vgg16.yaml` \(no terminal, so no colours; `…` stands for (\d+) rows left out here\):\n\n```text\n",
        text,
    )
    assert intro, "the README's VGG16 block is missing"
    block = text[intro.end() :]
    block = block[: block.index("```")]
    printed = CliRunner().invoke(main, ["summary", str(ROOT / "specs" / "vgg16.yaml")]).stdout

    def lines(text: str) -> list[str]:
        return [line.rstrip() for line in text.splitlines()]  # rich pads lines; editors strip the padding

    shown, full = lines(block), lines(printed)
    cut = shown.index("…")
    head, tail = shown[:cut], shown[cut + 1 :]
    assert full[: len(head)] == head and full[len(full) - len(tail) :] == tail
    assert len(full) - len(head) - len(tail) == int(intro.group(1))


def test_zoo_table_matches_the_specs() -> None:
    expected = zoo_table()
    assert _section(README.read_text()) == expected, "README zoo table is stale: run python tests/test_readme.py"


def test_readme_opens_with_the_two_commands() -> None:
    text = README.read_text()
    head = text[: text.index("\n## ")]
    assert INSTALL_AND_RUN in head and TEST_COMMAND in head
    assert head.index(INSTALL_AND_RUN) < head.index(TEST_COMMAND)


def test_readme_is_at_most_250_lines() -> None:
    """The README says what cnncalc is and how it is used; the manuals live in docs/ (issue 11)."""
    assert len(README.read_text().splitlines()) <= 250


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert TEST_COMMAND in ci


if __name__ == "__main__":
    text = README.read_text()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    README.write_text(text[:start] + "\n" + zoo_table() + "\n" + text[end:])
    sys.exit(0)
