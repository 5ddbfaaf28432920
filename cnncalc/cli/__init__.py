"""The command line. The only package that reads files, prints or exits, and
the only one that imports click.

Exit codes: 0 fine, 1 a check failed, 2 unusable input or usage.

By job: ``commands`` (the group, summary, draw, layers, schema), ``several``
(check, compare), ``solving`` (sizes, fit), ``options`` (the shared options and
the options object of a run), ``output`` (every write and the one error path),
``process`` (the console script's start and end).
"""

from __future__ import annotations

from . import click_text, several as _several, solving as _solving  # noqa: F401  (click_text first; the others register their commands)
from .commands import main
from .output import echo, fail, report_of, write_output
from .process import console, entry

__all__ = ["console", "echo", "entry", "fail", "main", "report_of", "write_output"]
