"""The commands that solve for an input: sizes (the input sizes at which every
layer is exact) and fit (the largest batch that fits a memory budget)."""

from __future__ import annotations

import sys

import click

from ..errors import SourceLoc, SpecError
from ..limits import MAX_SIZE
from .commands import main
from .options import DTYPE, MAX_LAYERS_OPTION, SET, TRAINING, options_of, spec_options, warning_options
from .output import echo, fail, report_of


@main.command()
@click.argument("spec")
@spec_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--near", type=click.IntRange(min=1, max=MAX_SIZE), metavar="N", help="Name the fitting sizes closest to N."
)
def sizes(
    spec: str,
    batch: int,
    dtype: str | None,
    input_text: str | None,
    sets: tuple[str, ...],
    max_layers: int | None,
    fmt: str,
    near: int | None,
) -> None:
    """Print, per spatial axis, the input sizes of SPEC for which every layer is
    exact: offset + step·k from the smallest, solved layer by layer."""
    from ..pipeline import analyse
    from ..render.sizes import render_json, render_text
    from ..sizes import SizesError, solve

    analysis = analyse(spec, options_of(batch, dtype, input_text, sets, max_layers, fmt=fmt))
    report = report_of(analysis)
    assert analysis.graph is not None  # a report has its graph
    try:
        axes = solve(analysis.graph, report)
    except SpecError as error:
        fail(error, analysis.text)
    except SizesError as error:
        fail(SpecError(str(error), SourceLoc(spec, 1, 1)), analysis.text)
    echo((render_json if fmt == "json" else render_text)(report, axes, near), nl=False)


@main.command()
@click.argument("spec")
@click.option(
    "--memory", "memory_text", required=True, metavar="BYTES", help="The budget: 24GiB, 16GB, 80GiB or bytes."
)
@click.option("--inference", is_flag=True, help="Fit the inference peak plus the parameters, not a training step.")
@DTYPE
@click.option("--input", "input_text", metavar="CxHxW", help="Override the spec's input, e.g. 3x160x160.")
@SET
@MAX_LAYERS_OPTION
@TRAINING[0]
@TRAINING[1]
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@warning_options
def fit(
    spec: str,
    memory_text: str,
    inference: bool,
    dtype: str | None,
    input_text: str | None,
    sets: tuple[str, ...],
    max_layers: int | None,
    fmt: str,
    quiet: bool,
    ignore: tuple[str, ...],
) -> None:
    """Print the largest batch whose training peak (with --inference: inference peak
    plus parameters) fits in --memory, solved from the memory model, with the
    figures at that batch and what dominates them. Exit 1 when not even batch 1 fits."""
    from ..check import parse_amount
    from ..errors import shown
    from ..largest_batch import largest_batch
    from ..pipeline import analyse
    from ..render.largest_batch import RENDERERS

    try:
        budget = parse_amount(memory_text, in_bytes=True)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--memory") from None
    if budget < 1:
        raise click.BadParameter(
            f"'{memory_text}' is no memory at all; give 24GiB, 16GB or a number of bytes", param_hint="--memory"
        )
    options = options_of(1, dtype, input_text, sets, max_layers, fmt=fmt)
    analysis = analyse(spec, options)
    report = report_of(analysis)
    assert analysis.graph is not None  # a report has its graph
    for warning in shown(report.warnings, ignore, quiet):
        echo(str(warning), err=True)
    answer = largest_batch(
        analysis.graph, budget, inference=inference, dtype=dtype, input=options.input,
        optimizer=options.optimizer, precision=options.precision,
    )  # fmt: skip
    echo(RENDERERS[fmt](answer), nl=False)
    sys.exit(0 if answer.batch else 1)
