"""Reading a spec file: its text and the name to show in messages, or a
located error for anything that is not a readable UTF-8 text file.

Reading is bounded while it happens (never more than the limit + 1 byte), and
only regular files, pipes and terminals are read: ``/dev/zero`` or any other
device would otherwise be read until memory runs out."""

from __future__ import annotations

import io
import os
import stat
import sys
from typing import Any, BinaryIO

from .errors import SourceLoc, SpecError
from .limits import MAX_FILE_BYTES

_CHUNK = 2**20
_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_spec(path: str | os.PathLike[str]) -> tuple[str, str]:
    """``(text, display_name)``; ``-`` reads standard input."""
    data, name = read_bytes(path)
    return decode(data, name), name


def read_bytes(path: str | os.PathLike[str]) -> tuple[bytes, str]:
    """``(data, display_name)``, at most MAX_FILE_BYTES; ``-`` reads standard input."""
    name = str(os.fspath(path))
    if name == "-":
        name = "<stdin>"
        data = _read_stdin(name)
    else:
        data = _read_file(name)
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


def _refuse_kind(info: os.stat_result, name: str, *, tty: bool) -> None:
    """Regular files, pipes, terminals and /dev/null are read; anything else may never end."""
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise SpecError("is a directory, not a spec file", SourceLoc(name, 0, 0), "give a .yaml file")
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or tty or _is_devnull(info):
        return
    kind = next((what for test, what in _KINDS if test(mode)), "not a regular file")
    raise SpecError(f"is {kind}, not a spec file", SourceLoc(name, 0, 0), "give a .yaml file")


def _is_devnull(info: os.stat_result) -> bool:
    try:
        null = os.stat(os.devnull)
    except OSError:
        return False
    return stat.S_ISCHR(info.st_mode) and (info.st_dev, info.st_ino) == (null.st_dev, null.st_ino)


def _read_file(name: str) -> bytes:
    at = SourceLoc(name, 0, 0)
    try:
        info = os.stat(name)
        _refuse_kind(info, name, tty=False)  # before opening: opening a device can act on it
        if stat.S_ISREG(info.st_mode) and info.st_size > MAX_FILE_BYTES:
            raise SpecError(f"the file is larger than {MAX_FILE_BYTES // 2**20} MiB", at, "is this a spec?")
        # O_NONBLOCK: opening a FIFO without a writer must not wait for one
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise SpecError("no such file", at, _sibling(name)) from None
    except OSError as error:
        raise SpecError(f"cannot read the file: {_reason(error)}", at, "check the path and its permissions") from None
    try:
        with open(fd, "rb", buffering=0, closefd=True) as file:
            _refuse_kind(os.fstat(fd), name, tty=False)  # the same file, now it is open
            if hasattr(os, "set_blocking"):
                os.set_blocking(fd, True)
            return _read_bounded(file)
    except OSError as error:
        raise SpecError(f"cannot read the file: {_reason(error)}", at, "check the path and its permissions") from None


def _sibling(name: str) -> str:
    """``specs/vgg16`` → "did you mean 'specs/vgg16.yaml'?" when that file exists."""
    for extension in (".yaml", ".yml"):
        if not name.endswith(extension) and os.path.isfile(name + extension):
            return f"did you mean '{name + extension}'?"
    return "check the path"


def _read_stdin(name: str) -> bytes:
    stream = getattr(sys.stdin, "buffer", sys.stdin) if sys.stdin is not None else None
    at = SourceLoc(name, 0, 0)
    if stream is None:
        raise SpecError("standard input is closed", at, "pipe the spec in, or give a file name")
    try:
        try:
            fd = stream.fileno()
        except (io.UnsupportedOperation, AttributeError, ValueError):
            fd = -1  # an in-memory stream (tests, embedding): nothing to check
        if fd >= 0:
            _refuse_kind(os.fstat(fd), name, tty=os.isatty(fd))
        return _read_bounded(stream)
    except OSError as error:
        raise SpecError(f"cannot read standard input: {_reason(error)}", at) from None


def _read_bounded(stream: BinaryIO | Any) -> bytes:
    """At most the limit + 1 byte: enough to know the input is too large."""
    chunks, left = [], MAX_FILE_BYTES + 1
    while left > 0:
        chunk = stream.read(min(left, _CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()


def decode(data: bytes, name: str) -> str:
    if _binary(data):
        raise SpecError("the file is binary, not YAML text", SourceLoc(name, 1, 1))
    # utf-8-sig's BOM handling by hand: its codec module is one more import on every start
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:  # error.start counts from after a BOM, as utf-8-sig's does
        line = data.count(b"\n", 0, error.start) + 1
        col = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise SpecError(
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x})",
            SourceLoc(name, line, col),
            "save it as UTF-8",
        ) from None  # the pipeline quotes the line from quotable(data)
    return text
