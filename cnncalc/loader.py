"""The spec loader's public names (the loader itself is the :mod:`cnncalc.spec` package)."""

from __future__ import annotations

from .limits import MAX_LAYERS
from .spec import TOP_KEYS, load, load_data, parse_input

__all__ = ["MAX_LAYERS", "TOP_KEYS", "load", "load_data", "parse_input"]
