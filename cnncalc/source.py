"""Reading a spec file: its text and the name to show in messages, or a
located error for anything that is not a readable UTF-8 text file."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .errors import SourceLoc, SpecError
from .limits import MAX_FILE_BYTES


def read_spec(path: str | os.PathLike[str]) -> tuple[str, str]:
    """``(text, display_name)``; ``-`` reads standard input."""
    data, name = read_bytes(path)
    return decode(data, name), name


def read_bytes(path: str | os.PathLike[str]) -> tuple[bytes, str]:
    """``(data, display_name)``, at most MAX_FILE_BYTES; ``-`` reads standard input."""
    name = str(path)
    if name == "-":
        data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        name = "<stdin>"
    else:
        file = Path(path)
        if file.is_dir():
            raise SpecError("is a directory, not a spec file", SourceLoc(name, 0, 0), "give a .yaml file")
        try:
            if file.stat().st_size > MAX_FILE_BYTES:
                raise SpecError(
                    f"the file is larger than {MAX_FILE_BYTES // 2**20} MiB", SourceLoc(name, 0, 0), "is this a spec?"
                )
            data = file.read_bytes()
        except FileNotFoundError:
            raise SpecError("no such file", SourceLoc(name, 0, 0), "check the path") from None
        except OSError as error:
            raise SpecError(f"cannot read the file: {error.strerror}", SourceLoc(name, 0, 0)) from None
    if len(data) > MAX_FILE_BYTES:
        raise SpecError(
            f"the input is larger than {MAX_FILE_BYTES // 2**20} MiB", SourceLoc(name, 0, 0), "is this a spec?"
        )
    return data, name


def _binary(data: bytes) -> bool:
    return b"\0" in data[:8192]


def quotable(data: bytes) -> str | None:
    """What an error about ``data`` may quote (a line of undecodable text, with
    replacement characters); None for binary data."""
    return None if _binary(data) else data.decode("utf-8", "replace")


def decode(data: bytes, name: str) -> str:
    if _binary(data):
        raise SpecError("the file is binary, not YAML text", SourceLoc(name, 1, 1))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        col = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise SpecError(
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x})",
            SourceLoc(name, line, col),
            "save it as UTF-8",
        ) from None  # the pipeline quotes the line from quotable(data)
    return text
