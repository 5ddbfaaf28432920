"""How the table gives way in a narrow terminal: never by cutting a number, a
shape or a name, but by leaving out whole columns and shortening labels, in
one documented order (:data:`STEPS`, docs/table.md), and saying what it left out.

Pure: widths in, the steps to take out. Text here is in characters one cell
wide each (the table hands anything else to rich).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..record import record


@record
class Step:
    """One way of making the table narrower."""

    key: str  # the column it acts on ("figures": each figure column after MACs, from the last)
    variant: int  # the column's variant it shows (1, 2: shorter labels), or -1: left out
    words: str  # what the note calls what was left out ("" when not worth a word)


# The order in which a table too wide for its terminal gives way. A metric
# column the registry adds after memory is left out with memory (see _ladder).
STEPS: tuple[Step, ...] = (
    Step("share", -1, "share bars"),
    Step("output", 1, ""),  # "Output (C, H, W)" → "Output": the axes are in the title's input
    Step("type", 1, "the rows merges join"),  # "add ← conv3, downsample" → "add"
    Step("rf", -1, "receptive field"),
    Step("figures", -1, ""),  # memory (and any figure column after it), named by its heading
    Step("type", 2, "type arguments"),  # "conv 3×3 /2 p1" → "conv", "repeat (20 layers)" → "repeat"
    Step("type", -1, "types"),
    Step("macs", -1, "MACs"),
)


def fit(
    widths: Mapping[str, Sequence[int]], width: int, ladder: Sequence[tuple[str, int]]
) -> tuple[dict[str, int], int, list[int]]:
    """Which variant of each column to show (-1: left out) so the table fits
    ``width``, the width it then takes, and which steps of ``ladder`` were taken.

    ``widths[key]`` is a column's width in each of its variants (full first,
    then shorter), the columns in order left to right; ``ladder`` the steps in
    order as (column key, variant to show, -1 to leave it out). Steps are taken
    only while the table is too wide, and a shorter variant only when it is
    narrower (labels are not shortened for nothing)."""
    chosen = {key: 0 for key in widths}
    total = table_width(widths, chosen)
    taken: list[int] = []
    for index, (key, variant) in enumerate(ladder):
        if total <= width:
            break
        now = chosen.get(key, -1)
        if now < 0 or (variant >= 0 and (variant <= now or widths[key][variant] >= widths[key][now])):
            continue
        chosen[key] = variant
        total = table_width(widths, chosen)
        taken.append(index)
    return chosen, total, taken


def table_width(widths: Mapping[str, Sequence[int]], chosen: dict[str, int]) -> int:
    """Columns at their chosen variant's width, two spaces between them."""
    shown = [widths[key][variant] for key, variant in chosen.items() if variant >= 0]
    return sum(shown) + 2 * (len(shown) - 1)


def wrap(line: str, width: int, indent: int = 0) -> list[str]:
    """``line`` broken at spaces into lines of at most ``width`` characters,
    continuation lines indented by ``indent``. A word longer than a line is
    never cut: its line is longer instead."""
    lines: list[str] = []
    pad = " " * indent
    first = True
    while len(line) > width:
        floor = 0 if first else indent  # a continuation's indent is not a place to break
        cut = line.rfind(" ", floor, width + 1)
        while cut > floor and line[cut - 1] == " ":  # break before a run of spaces
            cut -= 1
        if cut <= floor or not line[floor:cut].strip():
            cut = line.find(" ", width + 1)  # no room: the word stays whole
            if cut < 0:
                break
        rest = line[cut:].lstrip(" ")
        if not rest:
            break
        lines.append(line[:cut].rstrip(" "))
        line, first = pad + rest, False
    lines.append(line)
    return lines
