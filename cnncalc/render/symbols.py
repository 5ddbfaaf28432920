"""The symbols cnncalc writes (×, │, ⚠, bars, ...) and their ASCII stand-ins,
for an output that cannot encode them (a Windows code page, ``LANG=C`` with
``PYTHONIOENCODING=ascii``) or ``--ascii``."""

from __future__ import annotations

import codecs

# Each symbol's ASCII spelling. The table is translated cell by cell before it
# is laid out, so a stand-in may be longer than its symbol (← is <-).
ASCII: dict[str, str] = {
    "×": "x",
    "·": "*",
    "−": "-",
    "–": "-",
    "—": "-",
    "→": "->",
    "←": "<-",
    "…": "...",
    "│": "|",
    "┌": "+",
    "⚠": "!",
    "▾": "v",
    "▸": ">",
    "≤": "<=",
    "≥": ">=",
    "≈": "~",
    "≡": "==",
    "²": "^2",
    "∏": "prod",
    "γ": "gamma",
    "β": "beta",
    "ᵢ": "_i",
    "ᵀ": "^T",
    # bars: whole cells '#', a part of one '+' from a half up, else '-'
    "█": "#",
    "▉": "+",
    "▊": "+",
    "▋": "+",
    "▌": "+",
    "▍": "-",
    "▎": "-",
    "▏": "-",
}
_TABLE = str.maketrans(ASCII)

# What a stream must encode for the table to be written as it is.
TABLE_SYMBOLS = "×·−—←→│┌⚠▾▸█▉▊▋▌▍▎▏"


def to_ascii(text: str) -> str:
    """``text`` with every symbol spelt in ASCII (other characters kept)."""
    return text.translate(_TABLE)


def encodes(encoding: str | None, text: str = TABLE_SYMBOLS) -> bool:
    """Whether ``encoding`` can write ``text`` (an unknown encoding cannot)."""
    try:
        codecs.encode(text, encoding or "utf-8")
    except (UnicodeError, LookupError):
        return False
    return True


def writable(text: str, encoding: str | None) -> str:
    """``text`` as a stream in ``encoding`` can write it: unchanged if it can,
    else its symbols in ASCII and anything still unwritable as '?'."""
    encoding = encoding or "utf-8"
    if text.isascii() or encoding.lower().replace("-", "").replace("_", "") == "utf8" or encodes(encoding, text):
        return text
    text = to_ascii(text)
    try:
        return text.encode(encoding, "replace").decode(encoding)
    except LookupError:  # an encoding Python does not know: ASCII is safe
        return text.encode("ascii", "replace").decode("ascii")
