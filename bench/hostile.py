#!/usr/bin/env python3
"""Hostile inputs of at most 1 MB against the bound of the issue "Bad input
never crashes, never hangs, never runs code": no such input makes cnncalc run
longer than 5 s or use more than 500 MiB, and none gets a traceback.

    python bench/hostile.py              # every case: summary (JSON and table), check and sizes
    python bench/hostile.py --only alias # the cases whose name contains "alias"
    python bench/hostile.py --list       # the cases and their sizes, without running them
    python bench/hostile.py --cpu        # on a loaded machine: the bound on CPU seconds, not wall seconds

Each case is a spec file written to a temporary directory and run as its own
process (``python -m cnncalc ...``); its wall time is measured around the
process and its peak RSS comes from ``os.wait4`` (the kernel's ru_maxrss for
that one child). Prints one line per run and exits 1 when any run is past the
bound, prints a traceback, or ends with an unexpected exit code. Standard
library only.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_SECONDS = 5.0
MAX_MIB = 500.0
MAX_BYTES = 1_000_000  # "no input of <= 1 MB"
HEAD = "input: [3, 32, 32]\nlayers:\n"


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[], bytes]
    exits: tuple[int, ...]  # the exit codes that are right: 2 refused, 0 analysed (1: check found a problem)
    commands: tuple[tuple[str, ...], ...] = (("summary", "--format", "json"), ("summary",), ("check",), ("sizes",))
    path: str = ""  # run on this path (a device, say) instead of a file holding make()'s bytes
    other: Callable[[], bytes] | None = None  # a second spec, written where a command says "{other}"
    stdin: str = ""  # "zero": /dev/zero, "endless": a pipe that never ends, "closed": no fd 0 (the spec is "-")
    stdout: str = ""  # "full": /dev/full, "closed": no fd 1, "tty": a terminal (a pty, drained)


def _fill(prefix: str, item: str, suffix: str, sep: str = ", ") -> bytes:
    """prefix + item, item, ... + suffix, as many items as fit in 1 MB."""
    room = MAX_BYTES - len(prefix) - len(suffix)
    count = (room + len(sep)) // (len(item) + len(sep))
    return (prefix + sep.join([item] * count) + suffix).encode()


def alias_bomb() -> bytes:
    text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for previous, name in zip("abcdefgh", "bcdefghi"):
        text += f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]\n"
    return text.encode()


def alias_fan() -> bytes:
    """One 100,000-item anchor, aliased as often as 1 MB allows."""
    anchor = "x: &big [" + ", ".join(["relu"] * 100_000) + "]\n"
    return _fill(anchor + "input: [3, 32, 32]\nlayers:\n  - add: [", "*big", "]\n")


def deep_flow() -> bytes:
    half = (MAX_BYTES - 40) // 2
    return (HEAD.replace("layers:\n", "layers: ") + "[" * half + "]" * half + "\n").encode()


def deep_block() -> bytes:
    lines, size, depth = [], 0, 0
    while size < MAX_BYTES - 1_500:
        line = "  " * depth + "a:\n"
        lines.append(line)
        size += len(line)
        depth = depth + 1 if depth < 700 else 0
    return ("".join(lines)).encode()


def huge_repeat() -> bytes:
    return (
        HEAD + "  - repeat: {times: 2147483647, layers: [conv: {filters: 64, kernel: 3, padding: 1}, relu]}\n"
    ).encode()


def nested_repeats() -> bytes:
    text = HEAD + "  - " + "repeat: {times: 1000, layers: [" * 10 + "relu" + "]}" * 10 + "\n"
    return text.encode()


def repeat_of_nothing() -> bytes:
    return (HEAD + "  - repeat: {times: 2147483647, layers: [repeat: {times: 0, layers: [relu]}]}\n").encode()


def multiplying_blocks() -> bytes:
    text = "input: [3, 32, 32]\nblocks:\n"
    for i in range(60):
        text += f"  b{i}:\n    layers: [" + ", ".join([f"b{i + 1}"] * 10) + "]\n"
    return (text + "  b60:\n    layers: [relu]\nlayers: [b0]\n").encode()


def block_chain() -> bytes:
    text, i = "input: [3, 32, 32]\nblocks:\n", 0
    while len(text) < MAX_BYTES - 100:
        text += f"  b{i}:\n    layers: [b{i + 1}]\n"
        i += 1
    return (text + f"  b{i}:\n    layers: [relu]\nlayers: [b0]\n").encode()


def random_bytes() -> bytes:
    return random.Random(1).randbytes(MAX_BYTES)


def random_text() -> bytes:
    alphabet = "[]{}:,-&*!|>'\"#%@` \n\tabcxyz0123456789relu"
    return "".join(random.Random(2).choice(alphabet) for _ in range(MAX_BYTES)).encode()


def flow_list() -> bytes:
    """Over the layer limit (166,000 layers): refused before anything is built."""
    return _fill("input: [3, 32, 32]\nlayers: [", "relu", "]\n")


def flow_list_at_the_limit() -> bytes:
    return ("input: [3, 32, 32]\nlayers: [" + ", ".join(["relu"] * 100_000) + "]\n").encode()


def flow_list_of_convs() -> bytes:
    return _fill("input: [3, 32, 32]\nlayers: [", "conv: {filters: 3, kernel: 3, padding: 1}", "]\n")


def block_uses() -> bytes:
    """Over the layer limit (333,000 block uses)."""
    return _fill("input: [3, 32, 32]\nblocks:\n  b:\n    layers: [relu]\nlayers: [", "b", "]\n")


def block_uses_at_the_limit() -> bytes:
    return (
        "input: [3, 32, 32]\nblocks:\n  b:\n    layers: [relu]\nlayers: [" + ", ".join(["b"] * 100_000) + "]\n"
    ).encode()


def rounding_repeat() -> bytes:
    """100,000 layers that each round (same padding, ceil_mode, upsampling), on a
    non-square input: the most work for the sizes solver, which check also runs."""
    layers = "[conv: {filters: 3, kernel: 3, stride: 3, padding: same}, maxpool: {kernel: 2, ceil_mode: true}, upsample: {scale: 6}]"
    return f"input: [3, 32, 48]\nlayers:\n  - repeat: {{times: 33333, layers: {layers}}}\n".encode()


def long_expressions() -> bytes:
    expression = '"' + "+".join(["1"] * 498) + '"'
    return _fill(HEAD, f"  - conv: {{filters: {expression}, kernel: 1}}", "\n", sep="\n")


def warnings() -> bytes:
    return _fill("input: [3, 8, 8]\nlayers: [", "dense: {units: 3}", "]\n")


def repeat_at_the_limit() -> bytes:
    """Valid: exactly the default limit of 100,000 layers, from 60 bytes."""
    return (HEAD + "  - repeat: {times: 100000, layers: [relu]}\n").encode()


# --- round 2 (issue 15): each a few hundred bytes or an ordinary command line ---------------------


def _conv_filters(value: str) -> Callable[[], bytes]:
    return lambda: (HEAD + f"  - conv: {{filters: {value}, kernel: 1}}\n").encode()


def check_padding_fixes() -> bytes:
    """1,000 inexact convs on their own lines: check's padding fix re-runs the spec for each."""
    return (HEAD + "  - upsample: {scale: 3}\n  - conv: {filters: 3, kernel: 2, stride: 3}\n" * 1000).encode()


def nested_95_blocks() -> bytes:
    """2.4 KB: 99,000 layers whose names and paths hold 95 block names each."""
    text = "input: [3, 8, 8]\nblocks:\n" + "".join(f"  b{i}:\n    layers: [b{i + 1}]\n" for i in range(95))
    return (text + "  b95:\n    layers: [repeat: {times: 99000, layers: [relu]}]\nlayers: [b0]\n").encode()


def wide_name_at_the_limit() -> bytes:
    """A wide character in one name sends the table to rich (50 s for 100,000 rows before)."""
    return (HEAD + "  - relu: {name: 日本}\n  - repeat: {times: 99999, layers: [relu]}\n").encode()


def _similar(seed: int) -> Callable[[], bytes]:
    def make() -> bytes:
        rng = random.Random(1)
        kinds = ["relu", "conv: {filters: 3, kernel: 3, padding: 1}", "batchnorm", "sigmoid"]
        layers = [rng.choice(kinds) for _ in range(20_000)]
        for i in range(0, 20_000, 97) if seed else ():
            layers[i] = rng.choice(kinds)
        return f"input: [3, 8, 8]\nlayers: [{', '.join(layers)}]\n".encode()

    return make


def nothing() -> bytes:
    return b""


def escapes() -> bytes:
    """A name and a type that clear the screen, recolour and retitle the terminal."""
    return (HEAD + '  - relu: {name: "\\e[2J\\e[1;31mPWNED\\e]0;evil-title\\a|x%0A,:"}\n  - "\\e[2Jevil"\n').encode()


def escapes_valid() -> bytes:
    return escapes().split(b'  - "')[0]


def inexact_with_escapes() -> bytes:
    """An inexact conv named with escapes and GitHub's own syntax, for every check format."""
    return (HEAD + '  - conv: {name: "a%0A::error::b,\\e[2J\\r\\n", filters: 8, kernel: 3, stride: 2}\n').encode()


def broken() -> bytes:
    return b"input: [3, 32, 32\n"


def narrow_name_at_the_limit() -> bytes:
    return wide_name_at_the_limit().replace("日本".encode(), b"ab")


def many_inexact_inputs() -> bytes:
    """5,000 inputs (500 KB), each read by an inexact conv: each finding named every input."""
    names = [f"i{i}" for i in range(5000)]
    inputs = ", ".join(f"{n}: [1, {4 * i + 6}, 10]" for i, n in enumerate(names))
    layers = "".join(f"  - conv: {{filters: 1, kernel: 3, stride: 2, from: {n}, name: c{n}}}\n" for n in names)
    return f"inputs: {{{inputs}}}\nlayers:\n{layers}outputs: [{', '.join('c' + n for n in names)}]\n".encode()


ROUND_2 = [
    Case("round_huge_digits", _conv_filters("'round(8, -1000000000000000000)'"), (2,)),
    Case("round_many_digits", _conv_filters("'round(8, -10000000)'"), (2,)),
    Case("make_divisible_huge_min", _conv_filters("'make_divisible(8, 8, 1e300)'"), (2,)),
    Case("int_tag_on_empty", _conv_filters("!!int ''"), (2,)),
    Case("float_tag_on_empty", _conv_filters("!!float ''"), (2,)),
    Case("int_tag_on_text", _conv_filters("!!int abc"), (2,)),
    Case("huge_hex", _conv_filters("0x" + "f" * 5000), (2,)),
    Case("huge_base_60", _conv_filters(":".join(["59"] * 3000)), (2,)),
    Case("short_base_60", _conv_filters(":".join(["59"] * 333)), (2,)),
    Case("huge_underscores", _conv_filters("1_" + "0" * 5000), (2,)),
    Case("huge_octal", _conv_filters("0" + "7" * 5000), (2,)),
    Case("long_hex", _conv_filters("0x" + "f" * 998), (2,)),
    Case("float_tag_on_text", _conv_filters("!!float abc"), (2,)),
    Case("dev_zero", nothing, (2,), path="/dev/zero"),
    Case("dev_zero_on_stdin", nothing, (2,), (("summary",),), path="-", stdin="zero"),
    Case("endless_stdin", nothing, (2,), (("summary",),), path="-", stdin="endless"),
    Case("closed_stdin", nothing, (2,), (("summary",),), path="-", stdin="closed"),
    Case("file_name_too_long", nothing, (2,), (("summary",), ("check",)), path="a" * 5000 + ".yaml"),
    Case("output_to_dev_full", repeat_at_the_limit, (2,), (("summary", "--depth", "all"),), stdout="full"),
    Case("closed_stdout", repeat_at_the_limit, (2,), (("summary",),), stdout="closed"),
    Case("escapes_in_names", escapes, (2,), (("summary",), ("check",), ("check", "--format", "github"))),
    Case(
        "escapes_in_a_table",
        escapes_valid,
        (0,),
        (("summary",), ("summary", "--format", "csv"), ("summary", "--format", "markdown")),
        stdout="tty",
    ),
    Case("escapes_in_annotations", inexact_with_escapes, (1,), (("check", "--format", "github"),)),
    Case("check_a_broken_spec_among_others", inexact_with_escapes, (2,), (("check", "{other}"),), other=broken),
    Case(
        "argument_named_like_a_pattern",
        lambda: (
            "input: [3, 32, 32]\nargs: {'(a|aa)+c': 1}\nlayers:\n  - conv: {filters: '$" + "a" * 40 + "!', kernel: 1}\n"
        ).encode(),
        (2,),
    ),
    Case(
        "rf_stride_fractions",
        lambda: (
            HEAD
            + "  - repeat: {times: 2000, layers: [conv_transpose: {filters: 3, kernel: 1, stride: 1000003}, conv: {filters: 3, kernel: 1, stride: 1000033}]}\n"
        ).encode(),
        (0, 1),
    ),
    Case(
        "rf_huge_jumps",
        lambda: (
            HEAD
            + "  - repeat: {times: 600, layers: [zero_pad: {padding: 1}, conv: {filters: 3, kernel: 2, stride: 2147483647}]}\n"
        ).encode(),
        (0, 1),
    ),
    Case(
        "rf_upsampled_pattern_through_100000_layers",
        lambda: (
            b"input: [3, 64]\nlayers:\n  - upsample: {scale: 64}\n"
            b"  - repeat: {times: 99999, layers: [conv: {filters: 3, kernel: 3, padding: 1}]}\n"
        ),
        (0,),
        (("summary", "--format", "json"), ("check",)),
    ),
    Case(
        "rf_dilated_transposed_pattern",
        lambda: (
            b"input: [3, 64]\nlayers:\n"
            b"  - conv_transpose: {filters: 3, kernel: 3, stride: 64, padding: 4, dilation: 2}\n"
            b"  - repeat: {times: 99999, layers: [conv: {filters: 3, kernel: 3, dilation: 63, padding: 63}]}\n"
        ),
        (0,),
        (("summary", "--format", "json"),),
    ),
    Case(
        "sizes_residue_classes",
        lambda: (
            HEAD
            + "  - conv: {filters: 3, kernel: 1, stride: 4096, padding: same}\n  - repeat: {times: 10000, layers: [relu]}\n"
        ).encode(),
        (0, 2),
    ),
    Case("check_padding_fixes", check_padding_fixes, (0, 1)),
    Case(
        "check_many_inexact_inputs",
        many_inexact_inputs,
        (1,),
        (("check",), ("check", "--format", "json"), ("check", "--format", "github")),
    ),
    Case(
        "nested_95_blocks",
        nested_95_blocks,
        (2,),
        (
            *Case.commands,
            ("summary", "--format", "csv"),
            ("summary", "--format", "markdown"),
            ("summary", "--depth", "all"),
        ),
    ),
    Case("wide_name_at_the_limit", wide_name_at_the_limit, (0,), (("summary", "--depth", "all"),)),
    Case("wide_name_in_a_terminal", wide_name_at_the_limit, (0,), (("summary", "--depth", "all"),), stdout="tty"),
    Case("rows_in_a_terminal", narrow_name_at_the_limit, (0,), (("summary", "--depth", "all"),), stdout="tty"),
    Case("compare_long_similar", _similar(0), (0,), (("compare", "{other}"),), other=_similar(1)),
]

CASES = [
    Case("alias_bomb", alias_bomb, (2,)),
    Case("alias_fan", alias_fan, (2,)),
    Case("deep_flow_nesting", deep_flow, (2,)),
    Case("deep_block_nesting", deep_block, (2,)),
    Case("huge_repeat", huge_repeat, (2,)),
    Case("nested_repeats", nested_repeats, (2,)),
    Case("repeat_of_nothing", repeat_of_nothing, (0,)),
    Case("multiplying_blocks", multiplying_blocks, (2,)),
    Case("block_chain", block_chain, (2,)),
    Case("random_bytes", random_bytes, (2,)),
    Case("random_text", random_text, (2,)),
    Case("long_expressions", long_expressions, (0,)),
    Case("flow_list", flow_list, (2,)),
    Case("flow_list_at_the_limit", flow_list_at_the_limit, (0,)),
    Case("flow_list_of_convs", flow_list_of_convs, (0,)),
    Case("block_uses", block_uses, (2,)),
    Case("block_uses_at_the_limit", block_uses_at_the_limit, (0,)),
    Case("rounding_repeat", rounding_repeat, (0, 1, 2)),  # 2: sizes refuses 3 classes × 99,998 layers
    Case("warnings", warnings, (0,)),
    Case("repeat_at_the_limit", repeat_at_the_limit, (0,)),
    *ROUND_2,
]


ENDLESS = "import sys\nwhile True: sys.stdout.write('#' * 65536)\n"


def _close(fds: list[int]) -> None:
    """In the child, before cnncalc starts: standard input or output closed (``<&-``, ``>&-``)."""
    for fd in fds:
        os.close(fd)


def _drain(fd: int) -> None:
    """Read a pty's master side until the child closes it (a terminal that keeps up)."""
    with contextlib.suppress(OSError):
        while os.read(fd, 65536):
            pass


def run(path: Path | str, command: tuple[str, ...], case: Case) -> tuple[int, float, float, float, bytes]:
    """(exit code, wall seconds, CPU seconds, peak RSS in MiB, stderr) of one cnncalc process."""
    stdin: Any = subprocess.DEVNULL
    stdout: Any = subprocess.DEVNULL
    closed: list[int] = []
    writer = drainer = None
    master = -1
    with contextlib.ExitStack() as stack:
        if case.stdin == "zero":
            stdin = stack.enter_context(open("/dev/zero", "rb"))
        elif case.stdin == "endless":
            writer = subprocess.Popen(
                [sys.executable, "-c", ENDLESS], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
            )
            stdin = writer.stdout
        elif case.stdin == "closed":
            stdin, closed = None, [0]
        if case.stdout == "full":
            stdout = stack.enter_context(open("/dev/full", "wb"))
        elif case.stdout == "closed":
            stdout, closed = None, [*closed, 1]
        elif case.stdout == "tty":
            master, slave = os.openpty()
            stdout = slave
            drainer = threading.Thread(target=_drain, args=(master,), daemon=True)
            drainer.start()
        err = stack.enter_context(tempfile.TemporaryFile())
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "cnncalc", command[0], str(path), *command[1:]],
            stdin=stdin,
            stdout=stdout,
            stderr=err,
            preexec_fn=(lambda: _close(closed)) if closed else None,
        )
        if case.stdout == "tty":
            os.close(stdout)  # the child holds the terminal now; its end closes the master's reads
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if writer is not None:
            writer.kill()
            writer.wait()
            writer.stdout.close()  # type: ignore[union-attr]
        if drainer is not None:
            drainer.join(5)
            os.close(master)
        err.seek(0)
        stderr = err.read()
    peak = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 2**20  # KiB on Linux
    cpu = usage.ru_utime + usage.ru_stime  # the process's own work, whatever else the machine runs
    return process.returncode, seconds, cpu, peak, stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    parser.add_argument("--list", action="store_true", help="list the cases and their sizes")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="judge time by the process's CPU seconds, not wall seconds (on a shared, loaded machine)",
    )
    options = parser.parse_args()
    cases = [case for case in CASES if options.only in case.name]
    failures = 0
    print(f"bound: {MAX_SECONDS:g} s and {MAX_MIB:g} MiB per run, inputs of at most {MAX_BYTES:,} bytes")
    print(f"{'case':34} {'bytes':>9}  {'command':24} {'exit':>4} {'seconds':>8} {'CPU s':>6} {'peak MiB':>9}  verdict")
    with tempfile.TemporaryDirectory() as directory:
        for case in cases:
            data = case.make()
            assert len(data) <= MAX_BYTES, (case.name, len(data))
            path = case.path or Path(directory) / f"{case.name}.yaml"
            if not case.path:
                Path(path).write_bytes(data)
            other = Path(directory) / f"{case.name}.other.yaml"
            if case.other:
                other.write_bytes(case.other())
            for command in case.commands:
                shown = " ".join(command)
                if options.list:
                    print(f"{case.name:34} {len(data):>9,}  {shown:24}")
                    continue
                code, seconds, cpu, peak, stderr = run(
                    path, tuple(str(other) if c == "{other}" else c for c in command), case
                )
                problems = []
                if (cpu if options.cpu else seconds) > MAX_SECONDS:
                    problems.append("too slow")
                if peak > MAX_MIB:
                    problems.append("too much memory")
                if b"Traceback" in stderr:
                    problems.append("traceback")
                if code not in case.exits:
                    problems.append(f"exit {code}, expected {' or '.join(map(str, case.exits))}")
                failures += bool(problems)
                verdict = "ok" if not problems else "FAIL: " + ", ".join(problems)
                print(
                    f"{case.name:34} {len(data):>9,}  {shown:24} {code:>4} {seconds:>8.2f} {cpu:>6.2f} {peak:>9.1f}  {verdict}"
                )
                said = stderr.decode("utf-8", "replace").splitlines()
                if code == 2 and not problems and said:  # check reports on stdout
                    print(f"{'':47}{said[0][:150]}")
    if failures:
        print(f"{failures} run(s) past the bound or wrong")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
