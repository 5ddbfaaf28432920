"""User text made safe to print: a spec from someone else must not write escape
sequences to the terminal of whoever runs cnncalc on it (clear the screen,
recolour, retitle), nor break a Markdown table or a CSV line."""

from __future__ import annotations

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: str) -> str:
    """``text`` with every character that is not printable (controls such as ESC,
    bidirectional overrides) written as its escape: ``\\x1b``, ``\\u202e``."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _escaped(char) for char in text)


def markdown_cell(text: str) -> str:
    """``visible`` text that cannot end a Markdown table cell: ``|`` escaped."""
    return visible(text).replace("|", "\\|")
