"""Rich's table layout without rich, for output with no colour (a pipe, a
file, CI): the same characters rich would print, at a fraction of the cost
(importing and running rich takes longer than analysing VGG16).

It covers exactly what the table renderer uses of ``Table``, ``Text`` and
``Console``, and only the simple case: every line fits the width (nothing to
wrap or shrink), one line per cell, no markup, only characters one cell wide.
Anything else is handed to rich itself, so the output never differs.
"""

from __future__ import annotations

from typing import IO, Any

# Characters rich measures as one cell (checked by tests/test_performance.py).
_NARROW = frozenset(map(chr, range(0x20, 0x7F))) | frozenset("·×—←→−│█▉▊▋▌▍▎▏▸▾⚠")


def _simple(text: str) -> bool:
    return _NARROW.issuperset(text)


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


class Table:
    """The subset of ``rich.table.Table`` the table renderer uses."""

    def __init__(self, title: str = "", **options: Any) -> None:
        self.title = title
        self.options = options
        self.columns: list[tuple[str, dict[str, Any]]] = []
        self.rows: list[tuple[Any, ...]] = []

    def add_column(self, header: str, **options: Any) -> None:
        self.columns.append((header, options))

    def add_row(self, *cells: Any) -> None:
        self.rows.append(cells)

    def rich(self) -> Any:
        from rich.table import Table as RichTable

        table = RichTable(title=self.title, **self.options)
        for header, options in self.columns:
            table.add_column(header, **options)
        for row in self.rows:
            table.add_row(*(cell.rich() if isinstance(cell, Text) else cell for cell in row))
        return table

    def lines(self, width: int) -> list[str] | None:
        """The lines rich prints for this table, or None where rich's layout is
        not the simple one: box=None, no edge padding, every column at the
        width of its widest cell and the whole within ``width``."""
        simple_table = {
            "title_justify": "left",
            "header_style": "bold",
            "box": None,
            "pad_edge": False,
            "show_edge": False,
        }
        justify = [options.get("justify", "left") for _, options in self.columns]
        if self.options != simple_table or not set(justify) <= {"left", "right"}:
            return None
        grid: list[list[str]] = []
        for row in ([header for header, _ in self.columns], *self.rows):
            texts = [_plain(cell) for cell in row]
            if len(texts) != len(self.columns) or not all(text is not None and _simple(text) for text in texts):
                return None
            grid.append(texts)  # type: ignore[arg-type]  # no None left
        last = len(self.columns) - 1
        pads = [(0 if i == 0 else 1, 0 if i == last else 1) for i in range(last + 1)]
        inner = [max(len(row[i]) for row in grid) for i in range(last + 1)]
        widths = [w + left + right for w, (left, right) in zip(inner, pads)]
        table_width = sum(widths)
        title = _plain(self.title)
        if table_width > width or 0 in widths or title is None or not _simple(title) or len(title) > table_width:
            return None
        lines = [title.ljust(table_width)] if title else []
        for row in grid:
            cells = []
            for i, text in enumerate(row):
                cell = text.rstrip().rjust(inner[i]) if justify[i] == "right" else text.ljust(inner[i])
                cells.append(" " * pads[i][0] + cell + " " * pads[i][1])
            lines.append("".join(cells))
        return lines


class Console:
    """Prints tables and texts as ``rich.console.Console`` does without colour."""

    def __init__(self, file: IO[str], width: int, **options: Any) -> None:
        self.file = file
        self.width = width
        self.options = options
        self._rich: Any = None

    def print(self, item: Table | Text | str, **options: Any) -> None:
        if isinstance(item, Table):
            lines = item.lines(self.width)
        else:
            text = item.plain if isinstance(item, Text) else item
            markup = options.get("markup", True) and not isinstance(item, Text)
            plain = not (markup and "[" in text) and _simple(text.replace("\n", " "))
            lines = text.split("\n") if plain and all(len(line) <= self.width for line in text.split("\n")) else None
        if lines is None:
            self.rich_console().print(item.rich() if isinstance(item, (Table, Text)) else item, **options)
            return
        self.file.write("".join(line + "\n" for line in lines))

    def rich_console(self) -> Any:
        if self._rich is None:
            from rich.console import Console as RichConsole

            self._rich = RichConsole(file=self.file, width=self.width, **self.options)
        return self._rich
