"""The console script's process: ``entry`` runs the command group without the
cyclic garbage collector; ``console`` ends the process once the output is
flushed, without the interpreter's teardown."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from typing import Any, NoReturn

from .commands import main
from .output import drop_output, keep_analyses


def entry() -> None:
    """The console script: ``main`` without the cyclic garbage collector. A run
    makes a few objects per layer and no reference cycles, and the process ends
    with the command; the collector would only scan those objects again and
    again (a fifth of the time on a 100,000-layer spec)."""
    gc.disable()
    if sys.stdout is None:  # started with standard output closed (`>&-`): nowhere to answer
        if sys.stderr is not None:
            sys.stderr.write("cnncalc: standard output is closed; nothing can be written\n")
        sys.exit(2)
    main()


def console() -> NoReturn:
    """The console script and ``python -m cnncalc``: :func:`entry`, then the
    process ends once its output is flushed, without the interpreter's teardown.
    That frees every module and object one at a time, which takes longer than
    analysing VGG16 (about 5 ms; 0.1 s after a 100,000-layer report, whose
    analysis is kept to the end for it) and does nothing a finished command needs."""
    keep_analyses()
    try:
        entry()
        code: Any = 0
    except SystemExit as done:
        code = done.code
    _leave(code)


def _leave(code: Any) -> NoReturn:
    """Flush what is left, then end with ``code`` (as ``sys.exit`` reads it)."""
    if code is not None and not isinstance(code, int):  # as sys.exit("message") does
        if sys.stderr is not None:
            sys.stderr.write(f"{code}\n")
        code = 1
    try:
        if sys.stdout is not None:  # None: started with it closed
            sys.stdout.flush()
    except BrokenPipeError:  # the reader left: as echo() does
        drop_output(0)
    except OSError as error:
        drop_output(2, f"cnncalc: cannot write to standard output: {error.strerror}")
    except ValueError:  # closed by the command: nothing left to write
        pass
    with contextlib.suppress(OSError, ValueError, AttributeError):  # AttributeError: no standard error
        sys.stderr.flush()
    os._exit(code or 0)
