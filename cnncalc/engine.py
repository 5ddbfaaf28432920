"""Graph → Report: one walk over the nodes in execution order, calling each
node's rule, then everything derived (activation memory, receptive field,
totals) computed here once, outside the rules. Pure: no I/O."""

from __future__ import annotations

import math
from fractions import Fraction
from operator import attrgetter
from typing import Any

from .errors import CHANNELS_LAST, DEAD, JUMPS, Diagnostic, SpecError
from .graph import Graph, Node
from .limits import DTYPE_BYTES, MAX_SIZE
from .liveness import calls, dead_ends, dead_nodes
from .memory import OPTIMIZERS, PRECISIONS, Ledger, Plan, plan
from .metrics import totals as metric_totals
from .record import replace as replace_record
from .registry import REGISTRY, Facts, Window, apply
from .report import AxisRF, Report, Row, Totals
from .rf import max_period, step as rf_step
from .saved import NOTHING, keeps
from .shapes import number_text

RF = tuple[AxisRF, ...] | None
RF_EXACT = 2**64  # past this, sizes, jumps and starts are floats: exact arithmetic would grow without bound
_FLOAT_MAX = 1.7976931348623157e308


def _step(rf: RF, window: Window | str | None, longest: int) -> RF:
    """One layer's receptive-field recurrence on every axis; ``longest``: rf.max_period()."""
    if window is None:
        return rf
    if rf is None or isinstance(window, str):  # GLOBAL, a str (not window == GLOBAL: Window.__eq__ is slow)
        return None
    out = []
    dilations = window.dilation or (1,) * len(rf)
    for axis, k, stride, pad, dilation in zip(rf, window.kernel_eff, window.stride, window.pad_before, dilations):
        # upsampling makes the field uneven (output positions see 1 or 2 inputs in turn): exact in rf.py
        if axis.span is not None or window.transposed or type(stride) is not int:
            uneven = rf_step(axis, k, stride, pad, window.transposed, dilation, longest, window.adaptive)
            if uneven is not None:
                out.append(uneven)
                continue
        if type(axis.jump) is float or type(axis.start) is float:  # past RF_EXACT: floats, not Fractions
            out.append(_float_step(axis, k, stride, pad, window.transposed))
            continue
        if window.transposed:  # stride is 1/s: each output sees ceil(k/s) inputs
            taps = math.ceil(Fraction(k) * stride)
            size = axis.size + (taps - 1) * axis.jump
            start = axis.start + (pad - Fraction(k - 1, 2)) * axis.jump * stride
        else:
            size = axis.size + (k - 1) * axis.jump
            start = axis.start + (_half(k - 1) - pad) * axis.jump
        jump = axis.jump * stride
        if type(stride) is not int:  # upsampling: back to plain ints where the values are whole
            size, jump, start = _whole(size), _whole(jump), _whole(start)
        if not (
            type(size) is int
            and type(jump) is int
            and type(start) is int
            and size < RF_EXACT
            and jump < RF_EXACT
            and -RF_EXACT < start < RF_EXACT
        ):
            size, jump, start = _bounded(size), _bounded(jump), _bounded(start)
        out.append(AxisRF(size, jump, start))
    return tuple(out)


def _float_step(axis: AxisRF, k: int, stride: Fraction | int, pad: int, transposed: bool) -> AxisRF:
    """_step's recurrence in float arithmetic (mixing Fractions with floats is slow)."""
    jump_in, s = float(axis.jump), float(stride)
    if transposed:
        taps = -(-k * stride.numerator // stride.denominator)  # ceil(k·stride), in ints
        size = float(axis.size) + (taps - 1) * jump_in
        start = float(axis.start) + (pad - (k - 1) / 2) * jump_in * s
    else:
        size = float(axis.size) + (k - 1) * jump_in
        start = float(axis.start) + ((k - 1) / 2 - pad) * jump_in
    return AxisRF(_bounded(size), _bounded(jump_in * s), _bounded(start))


def _whole(value: Fraction | int | float) -> Fraction | int | float:
    return value.numerator if type(value) is Fraction and value.denominator == 1 else value


def _bounded(value: Fraction | int | float) -> Fraction | int | float:
    """The value itself while it is small; past RF_EXACT (numerator or
    denominator), the nearest float, capped at the largest float. Strides of
    10^6 repeated 2,000 times would otherwise make numbers of 12,000 digits
    (seconds of arithmetic, and past the 4,300 digits Python prints)."""
    if type(value) is int:
        if -RF_EXACT < value < RF_EXACT:
            return value
    elif type(value) is Fraction and value.denominator < RF_EXACT and -RF_EXACT < value.numerator < RF_EXACT:
        return value
    try:
        number = float(value)
    except OverflowError:
        number = _FLOAT_MAX if value > 0 else -_FLOAT_MAX
    return max(-_FLOAT_MAX, min(_FLOAT_MAX, number))  # never inf: inf - inf would be nan


def _half(n: int) -> Fraction | int:
    """n / 2, exact. Receptive fields stay plain ints while they can: int
    arithmetic is many times faster than Fraction's, and the values are equal."""
    return n // 2 if n % 2 == 0 else Fraction(n, 2)


def _merge_rf(fields: list[RF]) -> tuple[RF, bool]:
    """The largest field over the branches, axis by axis, and whether their jumps differ."""
    present = [f for f in fields if f is not None]
    if len(present) < len(fields):
        return None, False  # a branch that sees the whole input is the largest
    if not present:
        return None, False
    widest = tuple(max(axes, key=lambda a: a.size) for axes in zip(*present))
    misaligned = any(tuple(a.jump for a in f) != tuple(a.jump for a in present[0]) for f in present)
    return widest, misaligned


def run(
    graph: Graph,
    *,
    batch: int = 1,
    dtype: str | None = None,
    input: tuple[int, ...] | None = None,
    receptive_field: bool = True,
    optimizer: str = "adam",
    precision: str = "fp32",
) -> Report:
    """Analyse every node; a rule's error becomes a located SpecError.
    ``receptive_field=False`` leaves every ``rf`` None (check's re-runs need only exactness);
    ``optimizer`` and ``precision`` concern the training-memory figures only."""
    dtype = dtype or graph.dtype
    _check_options(batch, dtype, optimizer, precision)
    declared = graph.input_shapes()
    input_shape = tuple(input) if input else graph.input  # --input replaces the first input
    input_shapes = [input_shape, *list(declared.values())[1:]]
    for shape in input_shapes:
        if not 1 <= len(shape) <= 4 or any(type(n) is not int or not 1 <= n <= MAX_SIZE for n in shape):
            raise SpecError(f"the input shape {list(shape)} must be 1 to 4 sizes from 1 to {MAX_SIZE:,}")
    size = DTYPE_BYTES[dtype]
    # mixed precision: 2-byte activations (and weight copies), float32 master weights
    act_bytes = size if precision == "fp32" else 2
    input_elements = [math.prod(shape) * batch for shape in input_shapes]
    input_activations = sum(input_elements)
    ledger = Ledger(len(graph.nodes), [n * act_bytes for n in input_elements])
    rows, shapes, warnings, grads = _walk(
        graph, list(declared), input_shapes, receptive_field, batch, act_bytes, ledger
    )
    if channels_last(input_shape) is not None:
        warnings.insert(0, Diagnostic(_channels_first_text(input_shape), graph.input_loc, code=CHANNELS_LAST))
    if graph.references:  # without 'from', 'inputs' or 'outputs' every layer feeds the next or an output
        warnings += _dead_layers(graph)
    master_bytes = size if precision == "fp32" else 4
    trainable = list(map(attrgetter("trainable"), rows))
    memory = ledger.figures(
        [_data_inputs(node) for node in graph.nodes],
        graph.outputs.values(),
        trainable,
        (sum(trainable) + sum(map(attrgetter("non_trainable"), rows))) * master_bytes,  # every param
        optimizer,
        master_bytes,
        0 if precision == "fp32" else 2,  # autocast's low-precision copies of the weights
        grads,
        calls([node.group for node in graph.nodes], graph.groups),  # the arguments they hold
    )
    totals = Totals(metric_totals(rows, input_activations, size, memory))
    outputs = {name: shapes[i] for name, i in graph.outputs.items()}  # an input: its shape, from the end
    return Report(
        name=graph.name,
        file=graph.file,
        input=input_shape,
        inputs=dict(zip(declared, input_shapes)),
        batch=batch,
        dtype=dtype,
        dtype_bytes=size,
        rows=tuple(rows),
        outputs=outputs,
        totals=totals,
        input_activations=input_activations,
        groups=graph.groups,
        warnings=tuple(warnings),
        output_rows=dict(graph.outputs),
        optimizer=optimizer,
        precision=precision,
        memory=memory,
    )


def _check_options(batch: int, dtype: str, optimizer: str, precision: str) -> None:
    if dtype not in DTYPE_BYTES:
        raise SpecError(f"unknown dtype '{dtype}'; expected one of: {', '.join(DTYPE_BYTES)}")
    if optimizer not in OPTIMIZERS:
        raise SpecError(f"unknown optimizer '{optimizer}'; expected one of: {', '.join(OPTIMIZERS)}")
    if precision not in PRECISIONS:
        raise SpecError(f"unknown precision '{precision}'; expected one of: {', '.join(PRECISIONS)}")
    if not 1 <= batch <= MAX_SIZE:
        raise SpecError(f"--batch must be 1 to {MAX_SIZE:,}, not {batch}")


Plans = tuple[Plan, Plan]  # a layer's memory plan with its params trained, and frozen
_KEEPS_NOTHING = (False, False, 0)  # a Plan's keeps-inputs, keeps-output and bytes-made


# What the walk keeps of a rule's answer, once per (type, arguments, input shapes):
# (facts, exact, spatial rank, activation elements of one sample, allow_inexact, memory plans,
#  how many of its inputs it reads the data of: a merge's all, any other layer its first
#  (`like: X` reads X's shape only))
_Known = tuple[Facts, bool, int, int, bool, Plans, int]


def _walk(
    graph: Graph,
    input_names: list[str],
    input_shapes: list[tuple[int, ...]],
    receptive_field: bool,
    batch: int,
    act_bytes: int,
    ledger: Ledger,
) -> tuple[list[Row], list[tuple[int, ...]], list[Diagnostic], list[bool]]:
    """The nodes in execution order: each node's row, the output shapes by node
    position (the inputs last, in reverse), the rules' warnings and whether each
    node's output requires grad. Runs once per layer: locals, positional calls, and
    a rule asked once per distinct layer."""
    shapes, fields, names = _by_position(graph, input_names, input_shapes, receptive_field)
    tokens = [False] * (len(graph.nodes) + len(input_shapes))  # whether each tensor is tokens [D, N] (no input is)
    rows: list[Row] = []
    warnings: list[Diagnostic] = []
    account = ledger.add
    # Rules are pure: a layer with the type, arguments and input shapes of an
    # earlier one has its facts (deep nets repeat the same few layers).
    # By the arguments' id first (alive with the graph), then by their value.
    known: dict[tuple[str, int, tuple[tuple[int, ...], ...]], _Known] = {}
    seen: dict[tuple[str, Any, tuple[tuple[int, ...], ...]], _Known] = {}
    # whether each tensor requires grad (autograd records a layer only if it reads such a tensor or
    # owns a trainable param); the spec's inputs, last, do not
    grads = [False] * (len(graph.nodes) + len(input_shapes))
    shape_of, field_of, name_of = shapes.__getitem__, fields.__getitem__, names.__getitem__
    longest = max_period(len(graph.nodes))  # the receptive field's exact patterns: bounded work in all
    for position, node in enumerate(graph.nodes):
        inputs = node.inputs
        single = len(inputs) == 1  # most layers: no map() over their inputs
        in_shapes = (shapes[inputs[0]],) if single else tuple(map(shape_of, inputs))
        key = (node.type, id(node.args), in_shapes)  # the loader shares equal arguments: no record hashed
        found = known.get(key)
        if found is None:
            by_value = (node.type, node.args, in_shapes)
            found = seen.get(by_value)
            if found is None:
                found = seen[by_value] = _known(node, in_shapes, input_shapes[0], batch, act_bytes)
            known[key] = found
        facts, exact, rank, activations, allow_inexact, plans, reads = found
        data_inputs = inputs if reads == len(inputs) else inputs[:reads]
        trainable, non_trainable = facts.trainable, facts.non_trainable
        if node.frozen:  # 'trainable: false': its params are non-trainable, as Keras and PyTorch count them
            trainable, non_trainable = 0, trainable + non_trainable
        memory_plan = plans[node.frozen]
        if trainable or (grads[inputs[0]] if single else any(map(grads.__getitem__, data_inputs))):
            grads[position] = True
        else:  # nothing before it is trained: autograd records nothing for it
            memory_plan = memory_plan[:2] + _KEEPS_NOTHING + memory_plan[5:]
        if reads > 1:
            rf_in = _merged_field(node, list(map(field_of, inputs)), warnings)
        else:
            rf_in = fields[inputs[0]]
        rf = rf_in if facts.window is None else _step(rf_in, facts.window, longest)
        shapes[position] = facts.output
        fields[position] = rf
        # a rule may say its output is tokens (class_token, flatten to [C, H·W]); any other layer
        # keeps its input's tokens while its output is still [D, N] (dense, layernorm, attention)
        is_tokens = tokens[position] = (
            facts.tokens if facts.tokens is not None else tokens[inputs[0]] and len(facts.output) == 2
        )
        for code, message in facts.warnings:
            warnings.append(Diagnostic(f"{node.type} '{node.name}': {message}", node.loc, code=code))
        rows.append(  # Row's fields in order: positional arguments are the cheapest call, once per layer
            Row(
                node.name,
                node.type,
                node.path,
                node.depth,
                facts.output,
                trainable,
                non_trainable,
                facts.macs * batch,
                activations * batch,
                exact,
                allow_inexact,
                facts.divisions,
                rf,
                node.args,
                rank,
                (names[inputs[0]],) if single else tuple(map(name_of, inputs)),
                node.loc,
                node.group,
                facts.attention_matrix * batch,
                is_tokens,
                account(data_inputs, memory_plan),
                facts.trainable if node.frozen else 0,
            )
        )
    return rows, shapes, warnings, grads[: len(graph.nodes)]


def _dead_layers(graph: Graph) -> list[Diagnostic]:
    """One warning where each dead path ends (its figures still count in the totals)."""
    inputs = [node.inputs for node in graph.nodes]
    found = []
    for end, before in dead_ends(inputs, dead_nodes(inputs, graph.outputs.values())).items():
        node = graph.nodes[end]
        also = f", and {before} dead layer{'s' if before > 1 else ''} before it" if before else ""
        message = (
            f"{node.type} '{node.name}': its output reaches no output of the network (a dead layer{also}); "
            "its figures still count in the totals"
        )
        found.append(Diagnostic(message, node.loc, code=DEAD))
    return found


def _data_inputs(node: Node) -> tuple[int, ...]:
    """The tensors whose data a node reads (a layer `like: X` reads X's shape only)."""
    if len(node.inputs) == 1 or REGISTRY.types[node.type].arity is None:
        return node.inputs
    return node.inputs[:1]


def _by_position(
    graph: Graph, input_names: list[str], input_shapes: list[tuple[int, ...]], receptive_field: bool
) -> tuple[list[tuple[int, ...]], list[RF], list[str]]:
    """Each tensor's shape, receptive field and name by node position, the nodes' to be
    filled in; the spec's inputs sit last, in reverse, where input_index(k) (-1 - k) finds them."""
    # each input's receptive field starts at itself (None: no receptive-field arithmetic at all)
    start_rfs: list[RF] = [
        tuple(AxisRF(1, 1, 0) for _ in shape[1:]) if len(shape) > 1 and receptive_field else None
        for shape in input_shapes
    ]
    shapes: list[tuple[int, ...]] = [()] * len(graph.nodes)
    shapes.extend(reversed(input_shapes))
    fields: list[RF] = [None] * len(graph.nodes)
    fields.extend(reversed(start_rfs))
    names = [node.name for node in graph.nodes] + list(reversed(input_names))
    return shapes, fields, names


def _known(
    node: Node, in_shapes: tuple[tuple[int, ...], ...], input_shape: tuple[int, ...], batch: int, act_bytes: int
) -> _Known:
    """A rule's answer for a layer not seen before, and what the walk derives from it."""
    try:
        facts = apply(node, in_shapes)
    except SpecError as error:
        raise _channels_first_hint(error, input_shape) from None
    return (
        facts,
        facts.exact,
        len(in_shapes[0]) - 1,
        0 if facts.in_place else math.prod(facts.output),
        bool(getattr(node.args, "allow_inexact", False)),
        _plan(node, facts, in_shapes, batch, act_bytes),
        len(in_shapes) if REGISTRY.types[node.type].arity is None else 1,
    )


def _merged_field(node: Node, in_fields: list[RF], warnings: list[Diagnostic]) -> RF:
    """A merge's receptive field in: the largest of its branches', with a warning
    when their jumps differ."""
    rf_in, misaligned = _merge_rf(in_fields)
    if misaligned:
        warnings.append(
            Diagnostic(
                f"{node.type} '{node.name}': its branches have different jumps "
                f"({', '.join('×'.join(number_text(a.jump) for a in f) for f in in_fields if f)}); "
                "the receptive field shown is the largest",
                node.loc,
                code=JUMPS,
            )
        )
    return rf_in


def channels_last(shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """The channels-first shape an image input written channels last stands for
    ([32, 32, 3] → [3, 32, 32]: the last size 4 or less, the first 16 or more), else None."""
    if len(shape) >= 3 and shape[-1] <= 4 and shape[0] >= 16:
        return (shape[-1], *shape[:-1])
    return None


def _channels_first_text(shape: tuple[int, ...]) -> str:
    return f"input is channels first: did you mean {list(channels_last(shape) or shape)}?"


def _channels_first_hint(error: SpecError, shape: tuple[int, ...]) -> SpecError:
    """A layer's error on an input that looks channels last says so: the layer's
    complaint (a kernel larger than a 3-wide axis) is only the symptom."""
    if channels_last(shape) is not None:
        error.hint = f"{error.hint}; {_channels_first_text(shape)}" if error.hint else _channels_first_text(shape)
    return error


def _plan(node: Node, facts: Facts, in_shapes: tuple[tuple[int, ...], ...], batch: int, act_bytes: int) -> Plans:
    saves = REGISTRY.types[node.type].saves  # undeclared (a type registered elsewhere): nothing kept
    kept = keeps(saves or NOTHING, node.args)
    trained = plan(kept, facts.in_place, in_shapes, facts.output, node.args, batch, act_bytes)
    if not kept.inputs_for_params:
        return trained, trained
    # a matmul or product keeps its input only for its params' gradient: frozen, it keeps none
    frozen = plan(
        replace_record(kept, inputs=False), facts.in_place, in_shapes, facts.output, node.args, batch, act_bytes
    )
    return trained, frozen
