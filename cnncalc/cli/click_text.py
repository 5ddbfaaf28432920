"""click's own help texts without gettext; imported before any command is defined.

click passes each of its texts ("Show this message and exit.", ...) through
gettext, which imports locale and searches the disk for a "messages" catalogue
on every call: about 2 ms of every start (bench/bench.py). cnncalc installs no
catalogue and click ships none, so the lookup always returns its text unchanged;
here it is the identity it is in effect. (tests/test_performance.py checks that
``check`` does not import locale.)
"""

from __future__ import annotations

import click.core
import click.decorators


def _same_text(message: str) -> str:
    return message


click.core._ = _same_text
click.decorators._ = _same_text
