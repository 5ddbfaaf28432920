"""Errors and warnings as ``file:line:col: error: message`` with the source
line and a caret (gcc/black style), or as GitHub Actions annotations."""

from __future__ import annotations

from ..errors import Diagnostic, SpecError
from .escape import visible


def _excerpt(text: str | None, line: int, col: int) -> str:
    if not text or line < 1:
        return ""
    lines = text.splitlines()
    if line > len(lines):
        return ""
    source = lines[line - 1].replace("\t", " ")
    if len(source) > 200:
        start = max(0, col - 100)
        source, col = source[start : start + 200], col - start
    return f"\n  {source}\n  {' ' * max(col - 1, 0)}^"


def format_error(error: SpecError, text: str | None = None) -> str:
    message = visible(str(error))  # quoted user text: never an escape sequence to the terminal
    return message + _excerpt(text, error.loc.line, error.loc.col)


def format_warning(warning: Diagnostic) -> str:
    return visible(str(warning))
