"""The command line. The only module that reads files, prints or exits.

Exit codes: 0 fine, 1 a check failed, 2 unusable input or usage.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from .errors import CnnCalcError, SpecError

F = TypeVar("F", bound=Callable[..., Any])


def fail(error: SpecError, text: str | None = None) -> NoReturn:
    """Print one located error (plus the source line and a caret) and exit 2."""
    from .render.diagnostics import format_error

    click.echo(format_error(error, text), err=True)
    sys.exit(2)


def parse_set(values: tuple[str, ...]) -> dict[str, Any]:
    """``--set width=0.5`` pairs → {'width': 0.5} (ints, floats, true/false, text)."""
    result: dict[str, Any] = {}
    for item in values:
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"'{item}' is not name=value", param_hint="--set")
        result[name.strip()] = _scalar(raw.strip())
    return result


def _scalar(raw: str) -> Any:
    lowered = raw.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for convert in (int, float):
        try:
            return convert(raw)
        except ValueError:
            pass
    return raw


def load_report(
    spec: str,
    *,
    batch: int = 1,
    dtype: str | None = None,
    input_text: str | None = None,
    overrides: dict[str, Any] | None = None,
    max_layers: int | None = None,
) -> tuple[Any, str]:
    """Read and analyse one spec; ``(report, text)``. Raises SpecError."""
    from .engine import run
    from .loader import MAX_LAYERS, load, parse_input
    from .source import read_spec

    text, name = read_spec(spec)
    try:
        graph = load(text, name, overrides=overrides or {}, max_layers=max_layers or MAX_LAYERS)
        shape = parse_input(input_text) if input_text else None
        return run(graph, batch=batch, dtype=dtype, input=shape), text
    except SpecError as error:
        error.source = text  # so the message can quote the offending line
        raise


def spec_options(function: F) -> F:
    """Options shared by the commands that analyse a spec."""
    options = [
        click.option("--batch", type=click.IntRange(min=1), default=1, show_default=True, help="Batch size."),
        click.option(
            "--dtype",
            type=click.Choice(["float32", "float16", "bfloat16", "int8", "float64"]),
            help="Element type for memory (default: the spec's, else float32).",
        ),
        click.option("--input", "input_text", metavar="CxHxW", help="Override the spec's input, e.g. 3x160x160."),
        click.option(
            "--set", "sets", multiple=True, metavar="NAME=VALUE", help="Override a spec argument (repeatable)."
        ),
        click.option(
            "--max-layers",
            type=click.IntRange(min=1),
            default=None,
            help="Refuse specs that expand to more layers than this (default 1,000,000).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cnncalc")
def main() -> None:
    """Shapes, params, MACs, memory and receptive field of a CNN from a YAML spec."""


@main.command()
@click.argument("spec")
@spec_options
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv", "markdown"]), default="table", show_default=True
)
@click.option(
    "--layout",
    type=click.Choice(["nchw", "nhwc"]),
    default="nchw",
    show_default=True,
    help="Show shapes channels first, or Keras-style (None, H, W, C).",
)
@click.option(
    "--depth",
    default=None,
    metavar="N|all",
    help="Fold rows nested deeper than N into one row per block (default: all, folded past 300 rows).",
)
@click.option("--width", type=click.IntRange(min=60), default=None, help="Table width (default: the terminal's).")
def summary(
    spec: str,
    batch: int,
    dtype: str | None,
    input_text: str | None,
    sets: tuple[str, ...],
    max_layers: int | None,
    fmt: str,
    layout: str,
    depth: str | None,
    width: int | None,
) -> None:
    """Print the per-layer summary of SPEC (a file, or - for standard input)."""
    text = None
    try:
        report, text = load_report(
            spec, batch=batch, dtype=dtype, input_text=input_text, overrides=parse_set(sets), max_layers=max_layers
        )
    except SpecError as error:
        fail(error, text)
    except CnnCalcError as error:  # pragma: no cover - every error is a SpecError today
        fail(SpecError(str(error)), text)
    from .render import renderer

    for warning in report.warnings:
        click.echo(str(warning), err=True)
    options: dict[str, Any] = {"layout": layout}
    if fmt == "table":
        options.update(_table_options(report, depth, width))
    click.echo(renderer(fmt)(report, **options), nl=False)


def _table_options(report: Any, depth: str | None, width: int | None) -> dict[str, Any]:
    tty = sys.stdout.isatty()
    if depth is None or depth == "all":
        levels = None
        if depth is None and len(report.rows) > 300:
            levels = _fold_depth(report, 300)
            click.echo(
                f"note: {len(report.rows):,} layers, folded to --depth {levels}; --depth all shows every row", err=True
            )
    else:
        try:
            levels = int(depth)
        except ValueError:
            raise click.BadParameter(f"'{depth}' is not a number or 'all'", param_hint="--depth") from None
        if levels < 0:
            raise click.BadParameter("must be 0 or more", param_hint="--depth")
    if width is None:
        width = shutil.get_terminal_size((160, 24)).columns if tty else 160
    return {"depth": levels, "width": width, "color": tty and "NO_COLOR" not in os.environ}


def _fold_depth(report: Any, most: int) -> int:
    """The deepest folding that shows at most ``most`` lines."""
    deepest = max((row.depth for row in report.rows), default=0)
    for levels in range(deepest, -1, -1):
        shown = sum(1 for row in report.rows if row.depth <= levels) + sum(
            1 for group in report.groups if group.depth - 1 <= levels
        )
        if shown <= most:
            return levels
    return 0


if __name__ == "__main__":  # pragma: no cover
    main()
