"""The command group and the commands that show one spec: summary (the table and
the other formats), draw (an SVG), and the reference ones, layers and schema."""

from __future__ import annotations

import os
import sys

import click

from .. import __version__
from ..metrics import VIEWS
from ..render import FORMATS
from .options import (
    chart_names,
    options_of,
    spec_options,
    warning_options,
)
from .output import echo, report_of, write_output, writes_symbols


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, package_name="cnncalc")  # not importlib.metadata: 25 ms
def main() -> None:
    """Shapes, params, MACs, memory and receptive field of a CNN from a YAML spec."""


@main.command()
@click.argument("spec")
@spec_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
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
@click.option(
    "--width", type=click.IntRange(min=60), default=None, help="Table width (default: $COLUMNS, else the terminal's)."
)
@click.option(
    "--ascii", "ascii_only", is_flag=True, help="Draw the table in ASCII (automatic where the output needs it)."
)
@click.option(
    "--view", type=click.Choice(VIEWS), default="default", show_default=True,
    help="The table's figure columns: memory shows what autograd saves of each layer instead of MACs.",
)  # fmt: skip
@warning_options
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
    quiet: bool,
    ignore: tuple[str, ...],
    ascii_only: bool,
    view: str,
) -> None:
    """Print the per-layer summary of SPEC (a file, or - for standard input)."""
    from ..errors import shown
    from ..pipeline import analyse
    from ..render import document
    from ..render.diagnostics import format_warning

    options = options_of(batch, dtype, input_text, sets, max_layers, fmt=fmt, layout=layout, depth=depth)
    report = report_of(analyse(spec, options))
    for warning in shown(report.warnings, ignore, quiet):
        echo(format_warning(warning), err=True)
    tty = sys.stdout.isatty()
    dumb = os.environ.get("TERM") == "dumb"  # a terminal that draws no colour: plain text
    try:
        note, pieces = document(
            report,
            fmt,
            layout=layout,
            depth=depth,
            width=width or _columns(tty),
            color=tty and not dumb and "NO_COLOR" not in os.environ,
            ascii=ascii_only or not writes_symbols(sys.stdout),
            view=view,
        )
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--depth") from None
    if note and not quiet:
        echo(note, err=True)
    # JSON escapes every control character, so it holds no colour codes for
    # click to strip when piped: color=True spares a scan of the whole text.
    color = True if fmt == "json" else None
    for piece in pieces:
        echo(piece, nl=False, color=color)


def _columns(tty: bool) -> int:
    """The table's width: $COLUMNS when set, else the terminal's, else 160."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if tty:
        import shutil  # 2 ms of bz2 and lzma imports: only for a terminal

        return shutil.get_terminal_size((160, 24)).columns
    return 160


@main.command()
@click.argument("spec")
@spec_options
@click.option(
    "-o", "--output", default="-", metavar="FILE.svg", help="Where to write the SVG (default: standard output)."
)
@click.option("--style", type=click.Choice(["3d", "flat"]), default="3d", show_default=True,
              help="3d: NN-SVG blocks scaled by the tensor's size; flat: plain boxes.")  # fmt: skip
@click.option(
    "--chart", "charts", metavar="METRIC[,METRIC]", callback=chart_names,
    help="Per-layer bars of params, macs or memory (several side by side: params,memory) instead of the diagram.",
)  # fmt: skip
@click.option(
    "--depth", default=None, metavar="N|all",
    help="Fold blocks nested deeper than N into one box (default: as deep as fits 40 tensors).",
)  # fmt: skip
@click.option("--layout", type=click.Choice(["nchw", "nhwc"]), default="nchw", show_default=True,
              help="Write shapes channels first, or Keras-style (None, H, W, C).")  # fmt: skip
@warning_options
def draw(
    spec: str,
    batch: int,
    dtype: str | None,
    input_text: str | None,
    sets: tuple[str, ...],
    max_layers: int | None,
    output: str,
    style: str,
    charts: tuple[str, ...],
    depth: str | None,
    layout: str,
    quiet: bool,
    ignore: tuple[str, ...],
) -> None:
    """Draw SPEC as a standalone SVG: the architecture (blocks, branches side by
    side, skip connections as arcs) or, with --chart, its cost per layer."""
    from ..errors import shown
    from ..pipeline import analyse
    from ..render import fold_levels
    from ..render.draw import chart_svg, diagram_note, diagram_svg

    report = report_of(
        analyse(spec, options_of(batch, dtype, input_text, sets, max_layers, layout=layout, depth=depth))
    )
    for warning in shown(report.warnings, ignore, quiet):
        echo(str(warning), err=True)
    try:
        levels, note = fold_levels(report, depth, fold_long=bool(charts))
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--depth") from None
    if note and not quiet:
        echo(note, err=True)
    if charts:
        picture = chart_svg(report, charts, depth=levels)
    else:
        picture = diagram_svg(report, style, "auto" if depth is None else levels, layout)
        capped = diagram_note(report, style, "auto" if depth is None else levels)
        if capped and not quiet:
            echo(f"cnncalc draw: {capped}", err=True)
    write_output(output, picture)


@main.command()
@click.argument("type_name", required=False, metavar="[TYPE]")
def layers(type_name: str | None) -> None:
    """List every layer type with a one-line description, or print one TYPE in
    full: its arguments (type, default, valid range, meaning), its formulas and
    an example. The full format: docs/spec-format.md."""
    from .. import layers as _registered  # noqa: F401  (registers the built-in types)
    from ..errors import did_you_mean
    from ..registry import REGISTRY
    from ..render.layers import layer_detail, layer_list

    if type_name is None:
        echo(layer_list(), nl=False)
        return
    if REGISTRY.get(type_name) is None:
        hint = did_you_mean(type_name, REGISTRY.names(), "cnncalc layers lists them all")
        raise click.BadParameter(f"'{type_name}' is not a layer type; {hint}", param_hint="TYPE")
    echo(layer_detail(type_name), nl=False)


@main.command()
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of the spec format, generated from
    the layer registry. Point an editor at it for completion and validation."""
    import json

    from ..schema import spec_schema

    echo(json.dumps(spec_schema(), indent=2, ensure_ascii=False))
