"""Where the output goes is not the spec's fault: a reader that leaves early
(`| head -1`) gets exit 0 in every format, as `head` users expect; a full disk
or a closed standard output gets one line naming it and exit 2; never a
traceback (issues "The first minute" item 2 and "Hostile input, round 2")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMMAND = [sys.executable, "-m", "cnncalc"]


@pytest.mark.parametrize("fmt", ["json", "csv", "table", "markdown"])
def test_a_reader_that_leaves_early_exits_0(fmt: str) -> None:
    process = subprocess.Popen(
        [*COMMAND, "summary", "specs/resnet152.yaml", "--format", fmt, "--depth", "all"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()  # as `head -1` does
    error = process.stderr.read()
    assert process.wait(timeout=60) == 0
    assert b"Traceback" not in error and b"Exception ignored" not in error


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("fmt", ["json", "table"])
def test_a_full_disk_is_one_line_and_exit_2(fmt: str) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [*COMMAND, "summary", "specs/vgg16.yaml", "--format", fmt],
            cwd=ROOT,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert result.stderr == "cnncalc: cannot write to standard output: No space left on device\n"


def test_a_closed_standard_output_is_one_line_and_exit_2() -> None:
    result = subprocess.run(
        ["bash", "-c", f"'{sys.executable}' -m cnncalc summary specs/vgg16.yaml >&-"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr == "cnncalc: standard output is closed; nothing can be written\n"
