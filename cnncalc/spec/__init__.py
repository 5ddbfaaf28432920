"""The spec loader: YAML text → :class:`~cnncalc.graph.Graph`, split by job.

- :mod:`.yamltree` — YAML with locations (the only module that imports yaml);
- :mod:`.values` — argument values by kind: one table for coercion and the JSON Schema;
- :mod:`.construct`, :mod:`.constructs`, :mod:`.blocks` — what each kind of item in
  a list of layers lowers to, how it counts toward the layer limit, its schema;
- :mod:`.builder` — scopes, names, groups, nodes and the error policy;
- :mod:`.references` — ``from``: a name or ``-k`` resolved to the node that made the tensor;
- :mod:`.inputs_outputs` — ``input`` or ``inputs``, and ``outputs``;
- :mod:`.yaml_errors` — PyYAML's complaints as located errors;
- :mod:`.counting` — the layer limit, checked before building;
- :mod:`.document` — a whole spec: its top-level keys, then its layers.
"""

from __future__ import annotations

from .document import TOP_KEYS, load, load_data, parse_input

__all__ = ["TOP_KEYS", "load", "load_data", "parse_input"]
