"""Constants every floor shares: element types and the limits that keep any
spec within 5 s and 500 MiB (docs/errors.md, "Limits"). Imports nothing."""

from __future__ import annotations

# bytes per element of each dtype a spec or --dtype may name (float32 is the default)
DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "int8": 1, "float64": 8}
DEFAULT_DTYPE = "float32"

MAX_SIZE = 2**31 - 1  # the largest size of one axis, written or computed
MAX_LAYERS = 100_000  # layers a spec may expand to (--max-layers raises it)
NAME_CHARS_PER_LAYER = 160  # names and paths, on average over the layer limit: deep blocks lengthen both
MAX_FILE_BYTES = 32 * 2**20  # a spec file or standard input
MAX_DEPTH = 100  # blocks in blocks, repeats, branches: bounds the recursion
MAX_ERRORS = 20  # mistakes collected per spec (check)
