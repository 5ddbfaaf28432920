"""The commands over several specs: check (for CI: every spec, every problem,
the worst exit code) and compare (side by side, each against the first)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

from ..errors import SourceLoc, SpecError
from .commands import main
from .options import (
    BATCH,
    DTYPE,
    MAX_LAYERS_OPTION,
    SET,
    TRAINING,
    budget_options,
    options_of,
    parse_set,
    warning_options,
)
from .output import echo, report_of, write_output

if TYPE_CHECKING:
    from ..check import FileResult
    from ..pipeline import Options


def _spec_files(paths: tuple[str, ...]) -> list[str]:
    """Each path, a directory standing for every ``*.yaml`` file in it, sorted (not its
    subdirectories: ``specs/`` is the zoo, ``specs/notes/`` another one to name)."""
    files: list[str] = []
    for path in paths:
        if path != "-" and os.path.isdir(path):
            found = sorted(os.path.join(path, name) for name in os.listdir(path) if name.endswith(".yaml"))
            files.extend(f for f in found if os.path.isfile(f))
            if not found:
                files.append(path)  # read_spec says what is wrong with it
        else:
            files.append(path)
    return files


def _checked(spec: str, options: Options) -> FileResult:
    """One spec of ``check``'s list, checked. Whatever stops it, even a failure of
    cnncalc itself, is this spec's error: the specs after it are checked and
    reported all the same, and the exit code is the worst (2)."""
    from ..check import FileResult, check_analysis
    from ..pipeline import analyse

    if os.path.isdir(spec):
        error = SpecError(
            "the directory holds no *.yaml file", SourceLoc(spec, 0, 0), "give specs or a directory of them"
        )
        return FileResult(spec, None, error)
    try:
        return check_analysis(analyse(spec, options, every_error=True), options)
    except Exception as crash:  # noqa: BLE001  (a bug in cnncalc: said in one line, never a traceback)
        what = f"{type(crash).__name__}: {crash}"
        what = what if len(what) <= 200 else what[:200] + "..."
        hint = "this is a bug in cnncalc; please report it with this spec"
        return FileResult(spec, None, SpecError(f"cnncalc failed on this spec ({what})", SourceLoc(spec, 0, 0), hint))


@main.command()
@click.argument("specs", nargs=-1, required=True, metavar="SPEC...")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "github", "json"]), default="text", show_default=True,
    help="github: GitHub Actions annotations.",
)  # fmt: skip
@budget_options
@BATCH
@DTYPE
@click.option("--input", "input_text", metavar="CxHxW", help="Check every spec at this input instead of its own.")
@SET
@MAX_LAYERS_OPTION
@TRAINING[0]
@TRAINING[1]
@click.option(
    "--allow-padding-drop",
    is_flag=True,
    help="Pass inexact layers whose floor drops only padding, no real input (torchvision's 3x3 stride-2 convs).",
)
@warning_options
def check(
    specs: tuple[str, ...],
    fmt: str,
    batch: int,
    dtype: str | None,
    input_text: str | None,
    sets: tuple[str, ...],
    max_layers: int | None,
    allow_padding_drop: bool,
    quiet: bool,
    ignore: tuple[str, ...],
    **limits: str | None,
) -> None:
    """Check SPECs (files, or directories: every *.yaml in them) for CI: exit 1 when a layer's size division leaves a remainder
    (and the layer does not say allow_inexact: true) or a budget is exceeded,
    2 when a spec cannot be analysed (that wins over 1), else 0. Every spec is
    checked and every problem reported, each with its fixes."""
    from ..check import Budget, exit_code, parse_amount
    from ..metrics import BUDGETS, BYTES
    from ..render.check import RENDERERS

    budgets = []
    for name, metric in BUDGETS.items():
        written = limits.get(f"limit_{metric.key}")
        if written is not None:
            try:
                budgets.append(Budget(name, parse_amount(written, in_bytes=metric.unit == BYTES), written))
            except ValueError as error:
                raise click.BadParameter(str(error), param_hint=metric.option) from None
    options = options_of(
        batch,
        dtype,
        input_text,
        sets,
        max_layers,
        budgets=tuple(budgets),
        allow_padding_drop=allow_padding_drop,
        quiet=quiet,
        ignore=frozenset(ignore),
        fmt=fmt,
    )
    results = [_checked(spec, options) for spec in _spec_files(specs)]
    echo(RENDERERS[fmt](results), nl=False)
    sys.exit(exit_code(results))


@main.command()
@click.argument("specs", nargs=-1, required=True, metavar="SPEC SPEC [SPEC...]")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "markdown", "html"]), default="table", show_default=True,
    help="html: one self-contained page (redirect it to a file).",
)  # fmt: skip
@click.option(
    "--input", "input_text", metavar="CxHxW",
    help="Input for every spec (inline stacks default to 3x224x224).",
)  # fmt: skip
@BATCH
@DTYPE
@click.option(
    "--set", "sets", multiple=True, metavar="NAME=VALUE",
    help="Override a spec argument on every side (repeatable); one side: SPEC@NAME=VALUE[,NAME=VALUE].",
)  # fmt: skip
@MAX_LAYERS_OPTION
@TRAINING[0]
@TRAINING[1]
@click.option("--chart", is_flag=True, help="Draw the totals side by side as an SVG bar chart instead.")
@click.option("-o", "--output", default="-", metavar="FILE", help="Write to FILE (default: standard output).")
def compare(
    specs: tuple[str, ...],
    fmt: str,
    input_text: str | None,
    batch: int,
    dtype: str | None,
    sets: tuple[str, ...],
    max_layers: int | None,
    chart: bool,
    output: str,
) -> None:
    """Compare specs side by side: params, MACs, memory, receptive field, layers;
    each as a ratio to the first, then where the layers differ. A SPEC that is
    not a file and starts with '[' is an inline stack of layers in YAML flow
    syntax, e.g. '[conv: {filters: 64, kernel: 7, padding: 3}, relu]'. A SPEC
    may end in @NAME=VALUE[,NAME=VALUE] to set its arguments on that side only:
    two widths of one spec are 'net.yaml@width=0.5 net.yaml@width=0.75'."""
    from ..compare import LABELS, compare as compare_reports
    from ..pipeline import analyse, analyse_stack
    from ..record import replace as replace_record
    from ..render.compare import RENDERERS

    if len(specs) < 2:
        raise click.UsageError("compare needs at least two specs")
    if len(specs) > len(LABELS):
        raise click.UsageError(f"compare takes at most {len(LABELS)} specs")
    options = options_of(batch, dtype, input_text, sets, max_layers, fmt=fmt)
    reports, sources = [], []
    for label, spec in zip(LABELS, specs):
        if spec.lstrip().startswith("[") and not os.path.exists(spec):  # an inline stack
            reports.append(report_of(analyse_stack(spec, f"<stack {label}>", options)))
            sources.append(spec)
            continue
        path, side = _side_settings(spec)
        overrides = {**(options.overrides or {}), **side}
        analysis = analyse(path, replace_record(options, overrides=overrides))
        reports.append(report_of(analysis))
        sources.append(analysis.file + spec[len(path) :])  # the side's settings stay in its name
    if chart:
        from ..render.draw import compare_chart_svg

        names = [f"{label}: {report.name or source}" for label, report, source in zip(LABELS, reports, sources)]
        write_output(output, compare_chart_svg(reports, names))
        return
    write_output(output, RENDERERS[fmt](compare_reports(reports, sources)))


def _side_settings(spec: str) -> tuple[str, dict[str, Any]]:
    """``net.yaml@width=0.5,depth=2`` → ('net.yaml', {'width': 0.5, 'depth': 2}); a
    path that exists as written is a path, even with an '@' in it."""
    path, at, settings = spec.rpartition("@")
    if not at or os.path.exists(spec) or "=" not in settings:
        return spec, {}
    return path, parse_set(tuple(settings.split(",")))
