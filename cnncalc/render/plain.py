"""Rich's table layout without rich, in colour or not: the same characters
(and escape codes) rich would print, at a fraction of the cost (importing rich
and laying out a table with it takes longer than analysing ResNet-50).

It covers exactly what the table renderer uses of ``Table``, ``Text`` and
``Console``, and only the simple case: every line fits the width (nothing to
wrap or shrink), one line per cell, no markup, only characters one cell wide,
styles made of the attributes and standard colours below. Anything else is
handed to rich itself, so the output never differs (tests/test_performance.py
compares the two on every zoo spec, with and without colour).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import IO, Any

# Characters rich measures as one cell (checked by tests/test_performance.py).
_NARROW = frozenset(map(chr, range(0x20, 0x7F))) | frozenset("·×—←→−│┌█▉▊▋▌▍▎▏▸▾⚠")


def _simple(text: str) -> bool:
    return _NARROW.issuperset(text)


@functools.lru_cache(maxsize=4096)  # a long table's cells repeat (shapes, figures, bars): measured once each
def cell_width(text: str) -> int:
    """The cells ``text`` takes in a terminal: its length, unless it holds a
    character rich measures otherwise (日 takes two; then rich measures it)."""
    if (text.isascii() and text.isprintable()) or _NARROW.issuperset(text):  # the first test: C speed
        return len(text)
    from rich.cells import cell_len

    return int(cell_len(text))


RICH_MAX_ROWS = 2_000  # rich lays out about 2,000 rows a second: past this, plain.py draws, roughly


def _cells(text: str) -> int:
    return cell_width(text)


def _fit(text: str, cells: int, right: bool) -> str:
    pad = " " * max(0, cells - _cells(text))
    return pad + text if right else text + pad


# SGR codes of the style words the renderers use, as rich writes them: attributes
# in this order, then the colour (a standard colour is the same code in every
# colour system rich picks on a terminal: standard, 256 or truecolor).
_ATTRIBUTES = {"bold": 1, "dim": 2, "italic": 3, "underline": 4}
_COLOURS = {"black": 30, "red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35, "cyan": 36, "white": 37}


@functools.lru_cache(maxsize=256)  # a table has a handful of styles, over every cell of every row
def _sgr(style: str) -> str | None:
    """The escape sequence that opens ``style`` ("" for none), or None for a
    style this module does not know (rich draws it)."""
    words = style.split()
    attributes = sorted(_ATTRIBUTES[w] for w in words if w in _ATTRIBUTES)
    colours = [_COLOURS[w] for w in words if w in _COLOURS]
    if len(attributes) + len(colours) != len(words) or len(colours) > 1 or len(set(attributes)) != len(attributes):
        return None
    codes = attributes + colours
    return f"\x1b[{';'.join(map(str, codes))}m" if codes else ""


def _styled(text: str, sgr: str) -> str:
    return f"{sgr}{text}\x1b[0m" if sgr else text


class Text:
    """A styled text; the style only matters in colour, where rich draws."""

    def __init__(self, text: str = "", style: str = "") -> None:
        self.plain = text
        self.style = style

    def rich(self) -> Any:
        from rich.text import Text as RichText

        return RichText(self.plain, style=self.style)


def _plain(cell: Any) -> str | None:
    """A cell's text, or None if rich would read it differently (markup)."""
    if isinstance(cell, Text):
        return cell.plain
    return None if "[" in cell else cell


def _style(cell: Any) -> str | None:
    """The escape sequence of a cell's style, or None where rich must draw it."""
    return _sgr(cell.style) if isinstance(cell, Text) else ""


class Table:
    """The subset of ``rich.table.Table`` the table renderer uses, filled a
    column at a time: each column's cells as plain texts (never markup, as
    rich's ``Text``) and their styles, top to bottom."""

    def __init__(self, title: str = "", **options: Any) -> None:
        self.title = title
        self.options = options
        self.columns: list[tuple[str, dict[str, Any]]] = []
        self.cells: list[Sequence[str]] = []
        self.styles: list[Sequence[str]] = []

    def add_column(self, header: str, cells: Sequence[str] = (), styles: Sequence[str] = (), **options: Any) -> None:
        """A column: its heading, its cells' texts and styles (as many as the other columns'), rich's options."""
        self.columns.append((header, options))
        self.cells.append(cells)
        self.styles.append(styles)

    @property
    def height(self) -> int:
        """Rows below the headings."""
        return len(self.cells[0]) if self.cells else 0

    def rich(self) -> Any:
        from rich.table import Table as RichTable
        from rich.text import Text as RichText

        table = RichTable(title=self.title, **self.options)
        for header, options in self.columns:
            table.add_column(header, **options)
        for n in range(self.height):
            table.add_row(*(RichText(cells[n], style=styles[n]) for cells, styles in zip(self.cells, self.styles)))
        return table

    def lines(self, width: int, color: bool = False, force: bool = False) -> list[str] | None:
        """The lines rich prints for this table (in colour: with its escape
        codes), or None where rich's layout is not the simple one: box=None, no
        edge padding, every column at the width of its widest cell and the
        whole within ``width``. ``force``: lines in any case (wide characters
        measured, lines past ``width`` left to the terminal, unknown styles
        dropped), for tables too long for rich (RICH_MAX_ROWS)."""
        simple_table = {
            "title_justify": "left",
            "header_style": "bold",
            "box": None,
            "pad_edge": False,
            "show_edge": False,
        }
        justify = [options.get("justify", "left") for _, options in self.columns]
        if not force and (self.options != simple_table or not set(justify) <= {"left", "right"}):
            return None
        headings = [header for header, _ in self.columns]
        simple = [_simple("".join(cells)) for cells in self.cells]  # a column at a time: C speed
        if not force and not all(header is not None and "[" not in header and _simple(header) for header in headings):
            return None  # a heading rich reads as markup, or holds a character of another width
        if not force and not all(simple):
            return None
        sgrs: list[dict[str, str]] = []  # per column: each style's escape codes
        if color:
            for styles in self.styles:
                codes = {style: _sgr(style) for style in set(styles)}
                if None in codes.values():
                    if not force:
                        return None
                    codes = {style: sgr or "" for style, sgr in codes.items()}
                sgrs.append(codes)  # type: ignore[arg-type]  # no None left
        last = len(self.columns) - 1
        pads = [(0 if i == 0 else 1, 0 if i == last else 1) for i in range(last + 1)]
        measure = _cells if force else len
        inner = [
            max(measure(header), max(map(len if plain else _cells, cells), default=0))
            for header, cells, plain in zip(headings, self.cells, simple)
        ]
        widths = [w + left + right for w, (left, right) in zip(inner, pads)]
        table_width = sum(widths)
        title = self.title.plain if force and isinstance(self.title, Text) else _plain(self.title)
        if force:
            title = title if title is not None else str(self.title)
        elif table_width > width or 0 in widths or title is None or not _simple(title) or len(title) > table_width:
            return None
        assert title is not None
        lines = [_styled(_fit(title, table_width, False), "\x1b[3m" if color else "")] if title else []  # italic
        heading_cells = []
        for i, text in enumerate(headings):
            cell = _fit(text.rstrip(), inner[i], True) if justify[i] == "right" else _fit(text, inner[i], False)
            parts = (" " * pads[i][0], cell, " " * pads[i][1])
            # rich styles the heading's padding too, a segment each
            heading_cells.append(
                "".join(_styled(part, "\x1b[1m") for part in parts if part) if color else "".join(parts)
            )
        lines.append("".join(heading_cells))
        columns = [
            _column(
                cells, inner[i], justify[i] == "right", simple[i], pads[i], self.styles[i], sgrs[i] if color else None
            )
            for i, cells in enumerate(self.cells)
        ]
        lines.extend(map("".join, zip(*columns)))
        return lines


def column_width(texts: Sequence[str]) -> int:
    """The cells the widest of ``texts`` takes (0 for none): one test of the whole column when
    every character is one cell wide, as in nearly every table."""
    if _simple("".join(texts)):
        return max(map(len, texts), default=0)
    return max(map(cell_width, texts), default=0)


def _column(
    texts: Sequence[str],
    cells: int,
    right: bool,
    simple: bool,
    pads: tuple[int, int],
    styles: Sequence[str],
    sgrs: dict[str, str] | None,
) -> list[str]:
    """A column's cells, each filled to ``cells`` (right-justified ones without their
    trailing spaces, as rich does), padded, and styled where ``sgrs`` says."""
    if right:
        texts = [text.rstrip() for text in texts]
    if simple:
        filled = [text.rjust(cells) for text in texts] if right else [text.ljust(cells) for text in texts]
    else:
        filled = [_fit(text, cells, right) for text in texts]
    if sgrs is not None and any(sgrs.values()):
        filled = [_styled(text, sgrs[style]) for text, style in zip(filled, styles)]
    left, after = " " * pads[0], " " * pads[1]
    if left or after:
        filled = [f"{left}{text}{after}" for text in filled]
    return filled


class Console:
    """Prints tables and texts as ``rich.console.Console`` does, in colour on a
    terminal (``color``) or without any escape code."""

    def __init__(self, file: IO[str], width: int, color: bool = False) -> None:
        self.file = file
        self.width = width
        self.color = color
        self._rich: Any = None

    def print(self, item: Table | Text | str, **options: Any) -> None:
        lines: list[str] | None
        if isinstance(item, Table):
            lines = item.lines(self.width, self.color)
            if lines is None and item.height > RICH_MAX_ROWS:  # rich: 50 s and 700 MiB for 100,000 rows
                lines = item.lines(self.width, self.color, force=True)
        else:
            text = item.plain if isinstance(item, Text) else item
            markup = options.get("markup", True) and not isinstance(item, Text)
            sgr = _style(item) if self.color else ""
            plain = not (markup and "[" in text) and _simple(text.replace("\n", " ")) and sgr is not None
            lines = text.split("\n") if plain and all(len(line) <= self.width for line in text.split("\n")) else None
            if lines is not None and sgr:
                lines = [_styled(line, sgr) for line in lines]
        if lines is None:
            self.rich_console().print(item.rich() if isinstance(item, (Table, Text)) else item, **options)
            return
        self.file.write("".join(line + "\n" for line in lines))

    def rich_console(self) -> Any:
        if self._rich is None:
            from rich.console import Console as RichConsole

            # A height too: with a width alone, rich gives a TERM=dumb terminal 80 columns.
            self._rich = RichConsole(
                file=self.file,
                width=self.width,
                height=25,
                color_system="auto" if self.color else None,
                force_terminal=self.color,
                no_color=not self.color,
                highlight=False,
                emoji=False,
            )
        return self._rich
