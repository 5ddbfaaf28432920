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
TABLE_SYMBOLS = "×·−—←→│⚠▾▸█▉▊▋▌▍▎▏"


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
