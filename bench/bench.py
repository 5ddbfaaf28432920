#!/usr/bin/env python3
"""cnncalc's performance benchmark: whole-process timings against the cost of
importing its libraries, measured in one run on this machine.

    python bench/bench.py            # everything (about a minute)
    python bench/bench.py --quick    # fewer rounds, 20,000-layer spec

Prints a table of medians and ratios and exits 1 when a target is missed.
Standard library only; run it from anywhere with the Python that has cnncalc
installed.

Targets (the issue "Fast as a calculator should be"):

* ``cnncalc summary specs/vgg16.yaml`` at most 1.3x ``python -c "import click,
  yaml, rich.console, rich.table"``;
* the same in a terminal (a pseudo-terminal: colour, the terminal's width) at
  most 1.3x, and ``cnncalc summary specs/resnet50.yaml`` there at most 1.5x
  (issue "The first minute");
* ``cnncalc check specs/vgg16.yaml`` at most 1.3x ``python -c "import click,
  yaml"``, and the check path never imports rich;
* a generated 100,000-layer spec to JSON under 2 s and 300 MiB peak RSS, and
  twice the layers in at most 2.2x the time;
* at least 25x faster than torchinfo on VGG16 (3.4-6.4 s, see TORCHINFO_S).
"""

from __future__ import annotations

import argparse
import fcntl
import importlib.util
import os
import platform
import pty
import shlex
import shutil
import statistics
import struct
import subprocess
import sys
import sysconfig
import tempfile
import termios
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VGG16 = ROOT / "specs" / "vgg16.yaml"
RESNET50 = ROOT / "specs" / "resnet50.yaml"
PYTHON = sys.executable

# torchinfo.summary(torchvision.models.vgg16(), (1, 3, 224, 224)) as one whole
# process: 3.4-6.4 s and 300-900 MiB on this machine (figures from the issue;
# torch is not a dependency and is never installed for this). The comparison
# uses the fast end, 3.4 s. ``--torchinfo`` measures it when torch and
# torchinfo happen to be importable.
TORCHINFO_S = (3.4, 6.4)
TORCHINFO_SOURCE = "issue 'Fast as a calculator should be' (torchinfo on VGG16, this machine)"

BASE_TABLE = "import click, yaml, rich.console, rich.table"
BASE_CHECK = "import click, yaml"

# Does a command leave rich out of sys.modules? Run in a child, report at exit.
RICH_PROBE = """
import atexit, sys
atexit.register(lambda: sys.stderr.write("\\nRICH-LOADED=%d\\n" % ("rich" in sys.modules)))
sys.argv = ["cnncalc", *sys.argv[1:]]
from cnncalc.cli import main
main()
"""

TORCHINFO_SCRIPT = """
import torch.nn as nn, torchinfo
cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
layers, c = [], 3
for v in cfg:
    if v == "M":
        layers.append(nn.MaxPool2d(2, 2))
    else:
        layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU(inplace=True)]
        c = v
model = nn.Sequential(*layers, nn.AdaptiveAvgPool2d((7, 7)), nn.Flatten(),
    nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(),
    nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(), nn.Linear(4096, 1000))
torchinfo.summary(model, (1, 3, 224, 224), verbose=1)
"""


@dataclass
class Result:
    """Runs of one whole-process command."""

    label: str
    argv: list[str]
    tty: bool = False  # output to a terminal (a pty) instead of /dev/null
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)  # the child's user + system time
    peak_mib: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpu_seconds)

    @property
    def peak(self) -> float:
        return max(self.peak_mib)


def run_once(argv: list[str], result: Result | None = None, tty: bool = False) -> float:
    """Run argv with output to /dev/null (or a terminal); wall time, and peak
    RSS of that child."""
    with open(os.devnull, "w") as null:
        stdout, master, drain, env = null.fileno(), -1, None, None
        if tty:
            master, stdout = pty.openpty()
            # a colour terminal 160 columns wide: every column of the table drawn, in colour
            fcntl.ioctl(stdout, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))
            env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS")}
            env["TERM"] = "xterm-256color"
            drain = threading.Thread(target=_drain, args=(master,))
            drain.start()
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=stdout, stderr=null, stdin=subprocess.DEVNULL, cwd=ROOT, env=env)
        if tty:
            os.close(stdout)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if drain is not None:
            drain.join()
            os.close(master)
    if child.returncode != 0:
        sys.exit(f"bench: {' '.join(argv)} exited with {child.returncode}")
    if result is not None:
        result.seconds.append(elapsed)
        result.cpu_seconds.append(usage.ru_utime + usage.ru_stime)
        result.peak_mib.append(usage.ru_maxrss / 1024)  # kilobytes on Linux
    return elapsed


def _drain(fd: int) -> None:
    """Read a terminal's output until the child closes it."""
    try:
        while os.read(fd, 1 << 16):
            pass
    except OSError:  # EIO: the other end is closed
        pass


def interleaved(results: list[Result], rounds: int, warmup: int = 2) -> None:
    """Round-robin, so that load from other processes hits every command alike."""
    for _ in range(warmup):
        for r in results:
            run_once(r.argv, tty=r.tty)
    for _ in range(rounds):
        for r in results:
            run_once(r.argv, r, tty=r.tty)


def cnncalc_script() -> list[str]:
    """The installed console script beside this Python (not a pyenv shim)."""
    script = Path(sysconfig.get_path("scripts")) / "cnncalc"
    if script.exists():
        return [str(script)]
    found = shutil.which("cnncalc")
    return [found] if found else [PYTHON, "-m", "cnncalc"]


def has_command(cli: list[str], name: str) -> bool:
    probe = subprocess.run([*cli, name, "--help"], capture_output=True, cwd=ROOT)
    return probe.returncode == 0


def loads_rich(args: list[str]) -> bool:
    probe = subprocess.run([PYTHON, "-c", RICH_PROBE, *args], capture_output=True, text=True, cwd=ROOT)
    return "RICH-LOADED=1" in probe.stderr


def generate(path: Path, layers: int) -> None:
    """A realistic deep chain written out as a plain list: conv 3x3 p1 →
    batchnorm → relu, repeated, on a small input so shapes stay constant."""
    pattern = ("  - conv: {filters: 16, kernel: 3, padding: 1}\n", "  - batchnorm\n", "  - relu\n")
    with path.open("w") as out:
        out.write(f"name: generated chain of {layers:,} layers\ninput: [16, 8, 8]\nlayers:\n")
        out.writelines(pattern[i % 3] for i in range(layers))


def compile_bytecode() -> None:
    """Write cnncalc's .pyc files (PYTHONDONTWRITEBYTECODE may be set, as it is
    here): an installed package ships them, and the libraries it is compared
    with have theirs."""
    spec = importlib.util.find_spec("cnncalc")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("bench: cnncalc is not installed (pip install -e .)")
    subprocess.run([PYTHON, "-m", "compileall", "-q", *spec.submodule_search_locations], check=True)


class Table:
    """Medians of wall time (the targets) and of CPU time: on a machine shared with
    other work, wall times stretch with the load, CPU times much less, so the CPU
    ratio says more there."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str, str]] = []
        self.failed: list[str] = []

    def add(
        self, what: str, value: str, ratio: str = "", target: str = "", ok: bool | None = None, cpu: str = ""
    ) -> None:
        verdict = "" if ok is None else ("ok" if ok else "MISSED")
        if ok is False:
            self.failed.append(what)
        self.rows.append((what, value, ratio, cpu, target, verdict))

    def print(self) -> None:
        header = ("measure", "median", "ratio", "cpu (ratio)", "target", "")
        widths = [max(len(row[i]) for row in [header, *self.rows]) for i in range(6)]
        for n, row in enumerate([header, *self.rows]):
            print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))))
            if n == 0:
                print("  ".join("-" * w for w in widths))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def cpu_text(result: Result, base: Result | None = None) -> str:
    """The median CPU time, and its ratio to the baseline's."""
    text = ms(result.cpu)
    return f"{text} ({result.cpu / base.cpu:.2f}x)" if base is not None else text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=21, help="runs of each short command (default 21)")
    parser.add_argument("--layers", type=int, default=100_000, help="layers in the generated spec (default 100,000)")
    parser.add_argument("--big-rounds", type=int, default=3, help="runs of each generated-spec command (default 3)")
    parser.add_argument("--quick", action="store_true", help="7 rounds, 20,000 layers: a smoke test")
    parser.add_argument("--torchinfo", action="store_true", help="also time torchinfo on VGG16 if torch is importable")
    parser.add_argument("--no-big", action="store_true", help="skip the generated specs (startup only)")
    options = parser.parse_args()
    if options.quick:
        options.rounds, options.layers, options.big_rounds = 7, 20_000, 1

    compile_bytecode()
    cli = cnncalc_script()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"cnncalc benchmark: Python {platform.python_version()}, {os.cpu_count()} CPUs, load {load:.2f}")
    print(f"console script: {' '.join(cli)}")
    print()

    table = Table()
    base_table = Result(f'python -c "{BASE_TABLE}"', [PYTHON, "-c", BASE_TABLE])
    base_check = Result(f'python -c "{BASE_CHECK}"', [PYTHON, "-c", BASE_CHECK])
    summary = Result("cnncalc summary vgg16.yaml", [*cli, "summary", str(VGG16)])
    module = Result("python -m cnncalc summary vgg16.yaml", [PYTHON, "-m", "cnncalc", "summary", str(VGG16)])
    as_json = Result("cnncalc summary vgg16.yaml --format json", [*cli, "summary", str(VGG16), "--format", "json"])
    in_tty = Result("cnncalc summary vgg16.yaml, in a terminal", [*cli, "summary", str(VGG16)], tty=True)
    resnet_tty = Result("cnncalc summary resnet50.yaml, in a terminal", [*cli, "summary", str(RESNET50)], tty=True)
    version = Result("cnncalc --version", [*cli, "--version"])
    if has_command(cli, "check"):
        check_args = ["check", str(VGG16)]
        check = Result("cnncalc check vgg16.yaml", [*cli, *check_args])
    else:  # until the check command lands: its path, the CLI plus load and run
        check_args = []
        code = f"import cnncalc.cli; from cnncalc.pipeline import analyse; analyse({str(VGG16)!r})"
        check = Result("check path (no check command yet: cli+load+run)", [PYTHON, "-c", code])
    short = [base_table, base_check, summary, module, as_json, in_tty, resnet_tty, version, check]
    interleaved(short, options.rounds)

    table.add(base_table.label, ms(base_table.median), cpu=cpu_text(base_table))
    table.add(base_check.label, ms(base_check.median), cpu=cpu_text(base_check))
    ratio = summary.median / base_table.median
    table.add(
        summary.label, ms(summary.median), f"{ratio:.2f}x", "<= 1.30x", ratio <= 1.30, cpu_text(summary, base_table)
    )
    ratio = module.median / base_table.median
    table.add(module.label, ms(module.median), f"{ratio:.2f}x", "(info)", cpu=cpu_text(module, base_table))
    ratio = as_json.median / base_check.median
    table.add(as_json.label, ms(as_json.median), f"{ratio:.2f}x", "(info)", cpu=cpu_text(as_json, base_check))
    ratio = in_tty.median / base_table.median
    table.add(
        in_tty.label + " (colour)", ms(in_tty.median), f"{ratio:.2f}x", "<= 1.30x", ratio <= 1.30,
        cpu_text(in_tty, base_table),
    )  # fmt: skip
    ratio = resnet_tty.median / base_table.median
    table.add(
        resnet_tty.label + " (colour)", ms(resnet_tty.median), f"{ratio:.2f}x", "<= 1.50x", ratio <= 1.50,
        cpu_text(resnet_tty, base_table),
    )  # fmt: skip
    ratio = version.median / base_check.median
    table.add(version.label, ms(version.median), f"{ratio:.2f}x", "(info)", cpu=cpu_text(version, base_check))
    ratio = check.median / base_check.median
    table.add(check.label, ms(check.median), f"{ratio:.2f}x", "<= 1.30x", ratio <= 1.30, cpu_text(check, base_check))
    if check_args:
        rich = loads_rich(check_args)
        table.add("  check path imports rich", "yes" if rich else "no", "", "no", not rich)
    rich = loads_rich(["summary", str(VGG16), "--format", "json"])
    table.add("  summary --format json imports rich", "yes" if rich else "no", "", "no", not rich)

    fastest_torchinfo = TORCHINFO_S[0]
    measured = ""
    if (
        options.torchinfo
        and subprocess.run([PYTHON, "-c", "import torch, torchinfo"], capture_output=True).returncode == 0
    ):
        torchinfo = Result("torchinfo VGG16 (measured)", [PYTHON, "-c", TORCHINFO_SCRIPT])
        interleaved([torchinfo], 3, warmup=1)
        fastest_torchinfo = torchinfo.median
        measured = f", measured {torchinfo.median:.2f} s, peak {torchinfo.peak:.0f} MiB"
    speedup = fastest_torchinfo / summary.median
    table.add(
        f"torchinfo VGG16 {fastest_torchinfo:.2f} s / cnncalc summary",
        f"{speedup:.0f}x faster",
        "",
        ">= 25x",
        speedup >= 25,
    )

    if not options.no_big:
        big_spec(cli, options, table)
    table.print()
    print()
    print(f"medians of {options.rounds} interleaved runs (generated specs: {options.big_rounds});")
    print(f"load {os.getloadavg()[0]:.2f} at the end; cpu: the child's user + system time, less bent by load.")
    print(f"torchinfo reference {TORCHINFO_S[0]}-{TORCHINFO_S[1]} s from the {TORCHINFO_SOURCE}{measured}.")
    if table.failed:
        print("MISSED: " + "; ".join(table.failed))
        return 1
    print("every target met")
    return 0


def big_spec(cli: list[str], options: argparse.Namespace, table: Table) -> None:
    """The generated deep chain: time, peak memory and growth with size."""
    with tempfile.TemporaryDirectory(prefix="cnncalc-bench-") as tmp:
        n = options.layers
        small, large = Path(tmp, "gen.yaml"), Path(tmp, "gen2.yaml")
        generate(small, n)
        generate(large, 2 * n)
        # A child counts the layers: a big parent would inflate the children's
        # peak RSS (Linux counts the parent's memory at fork in ru_maxrss).
        count = "import json, sys; print(len(json.load(sys.stdin)['layers']))"
        out = subprocess.run(
            f"{shlex.join([*cli, 'summary', str(small), '--format', 'json'])} | {shlex.join([PYTHON, '-c', count])}",
            shell=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if out.returncode or out.stdout.strip() != str(n):
            sys.exit(f"bench: the generated spec did not give {n} layers: {out.stdout[-200:]} {out.stderr[-500:]}")
        big = Result(f"{n:,} layers --format json", [*cli, "summary", str(small), "--format", "json"])
        # twice the layers is past the default limit of 100,000: raise it
        bigger = Result(
            f"{2 * n:,} layers --format json",
            [*cli, "summary", str(large), "--format", "json", "--max-layers", str(2 * n)],
        )
        big_table = Result(f"{n:,} layers, table", [*cli, "summary", str(small)])
        interleaved([big, bigger, big_table], options.big_rounds, warmup=0)

    limit_s = 2.0 * max(1.0, n / 100_000)  # the target is for 100,000 layers
    table.add(big.label, f"{big.median:.2f} s", "", f"< {limit_s:.1f} s", big.median < limit_s, f"{big.cpu:.2f} s")
    table.add("  peak RSS", f"{big.peak:.0f} MiB", "", "< 300 MiB", big.peak < 300)
    ratio = bigger.median / big.median
    table.add(
        bigger.label, f"{bigger.median:.2f} s", f"{ratio:.2f}x", "<= 2.20x", ratio <= 2.20,
        f"{bigger.cpu:.2f} s ({bigger.cpu / big.cpu:.2f}x)",
    )  # fmt: skip
    table.add("  peak RSS", f"{bigger.peak:.0f} MiB", "", "(info)")
    table.add(big_table.label, f"{big_table.median:.2f} s", "", "(info)", cpu=f"{big_table.cpu:.2f} s")
    table.add("  peak RSS", f"{big_table.peak:.0f} MiB", "", "(info)")


if __name__ == "__main__":
    sys.exit(main())
