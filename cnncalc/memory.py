"""Memory a GPU owner can plan on: the inference peak by liveness, what autograd
saves for training, and the peak of a whole training step.

The engine hands every node to a :class:`Ledger` in execution order (one call
per layer, a few integer operations); :meth:`Ledger.figures` then works out
the peaks in two passes over plain lists. The model, and the PyTorch
measurements it is checked against, are described in docs/memory.md.

Storages: a layer that allocates nothing (a view, an in-place activation; the
rule's ``in_place`` unless the type's :class:`~cnncalc.saved.Keeps` says
PyTorch writes a new tensor) shares its input's storage, so a tensor kept by
several layers, or seen through a view, is counted once.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from itertools import accumulate, chain, count, repeat
from operator import add, itemgetter, mul, sub

from .record import record
from .saved import Keeps

OPTIMIZERS = ("sgd", "momentum", "adam", "adamw")
# optimizer → (state buffers per trainable parameter, temporaries the size of the
# largest parameter during its step: PyTorch's single-tensor Adam computes
# ``(exp_avg_sq.sqrt() / bias_correction2_sqrt)``, two tensors at once)
OPTIMIZER_STATE = {"sgd": (0, 0), "momentum": (1, 0), "adam": (2, 2), "adamw": (2, 2)}
PRECISIONS = ("fp32", "bf16-mixed", "fp16-mixed")

# A node's memory plan, worked out once per (type, arguments, input shapes):
# (allocates at inference, allocates in training, keeps its inputs, keeps its output,
#  bytes it makes and keeps beyond its output (copies, masks, statistics), bytes of its output,
#  autocast casts its weights)
Plan = tuple[bool, bool, bool, bool, int, int, bool]


def plan(keeps: Keeps, in_place: bool, shapes: tuple[tuple[int, ...], ...], output: tuple[int, ...],
         args: object, batch: int, act_bytes: int) -> Plan:  # fmt: skip
    """One layer's plan from its type's declaration, its facts, the batch and the activation size."""
    allocates = not in_place if keeps.allocates is None else keeps.allocates
    out_bytes = math.prod(output) * batch * act_bytes
    made = out_bytes if keeps.copy else 0
    if keeps.extra is not None:
        in_dtype, fixed, whole = keeps.extra(shapes, output, args)
        made += (in_dtype * act_bytes + fixed) * batch + whole
    return (allocates, allocates or keeps.train_allocates, keeps.inputs, keeps.output, made, out_bytes, keeps.casts)


@record
class MemoryFigures:
    """A network's memory figures, in bytes (parameters excluded unless said)."""

    inference_peak: int  # activations alive at once, at most, in one forward pass (no grad)
    inference_peak_at: int  # the row at which it happens (-1: no layer allocates)
    saved: int  # what autograd keeps for backward, each tensor once
    grads: int  # one gradient per trainable parameter
    optimizer: int  # optimizer state
    training_peak: int  # one training step's peak, parameters included
    training_peak_phase: str  # "forward", "backward" or "optimizer step"
    weight_copies: int  # low-precision copies of the weights (mixed precision)
    # every moment of the step that can be its peak (parameters included; the peak is their
    # largest): the optimizer step, each node's backward, each node's forward. Each is affine
    # in the batch (a sum of per-sample bytes and fixed bytes), so ``cnncalc fit`` solves with them.
    training_loads: tuple[int, ...] = ()
    # the activations (and weight copies) alive after each node of a forward pass without
    # gradients, parameters excluded: the inference peak is their largest; each is affine in the batch
    inference_loads: tuple[int, ...] = ()


class Ledger:
    """Storages and saved tensors of one run. :meth:`add` takes the nodes in
    execution order (it runs once per layer: a few list operations); the peaks
    are worked out at the end, in passes that run mostly in C."""

    def __init__(self, nodes: int, input_bytes: list[int]) -> None:
        self.nodes = nodes
        # by node position; the spec's inputs sit last, in reverse, where input k's index (-1 - k) finds it
        self.input_bytes = input_bytes[::-1]
        owner = list(range(nodes + len(input_bytes)))  # the storage each node's output lives in, in training
        plans: list[Plan] = [(True, True, False, False, 0, 0, False)] * nodes
        sizes = [0] * nodes + self.input_bytes  # each node's output
        first = [-1] * (nodes + len(input_bytes))  # the first node keeping each storage (-1: none)
        self.plans, self.first_saver = plans, first
        positions = count()

        def add(inputs: tuple[int, ...], node_plan: Plan) -> int:
            """Account the next node in execution order; the bytes it keeps for backward.
            A closure over lists: it runs once per layer."""
            at = next(positions)
            plans[at] = node_plan
            sizes[at] = node_plan[5]
            if not node_plan[1]:
                owner[at] = owner[inputs[0]]
            kept = node_plan[4]
            if node_plan[2]:
                for i in inputs:
                    storage = owner[i]
                    if first[storage] < 0:
                        first[storage] = at
                        kept += sizes[storage]
            if node_plan[3]:
                storage = owner[at]
                if first[storage] < 0:
                    first[storage] = at
                    kept += sizes[storage]
            return kept

        self.add = add

    def figures(self, inputs: list[tuple[int, ...]], outputs: Iterable[int], trainable: list[int],
                param_bytes: int, optimizer: str, master_bytes: int, weight_copy_bytes: int,
                needs_grad: list[bool] | None = None, calls: Iterable[tuple[int, int]] = ()) -> MemoryFigures:  # fmt: skip
        """The peaks, once every node is in: ``inputs``, ``trainable`` and ``needs_grad`` (whether
        its output requires grad; default: all) by node, the ``outputs`` alive to the end,
        ``param_bytes`` every parameter and buffer, ``calls`` the (first, last) node of each
        module call (liveness.calls): the caller holds its arguments until it returns."""
        n = self.nodes
        plans = self.plans
        nbytes = list(map(itemgetter(5), plans))
        nbytes.extend(self.input_bytes)
        made = list(map(itemgetter(4), plans))
        ends = [len(nbytes) + o if o < 0 else o for o in outputs]  # an input: its position after the nodes
        kept = {storage: at for storage, at in enumerate(self.first_saver) if at >= 0}
        saved = sum(made) + sum(map(nbytes.__getitem__, kept))
        # autocast's low-precision weight copies (mixed precision): each made when its layer runs and
        # kept (its cast cache, then autograd) until that layer's backward is done
        casts = weight_copy_bytes and any(map(itemgetter(6), plans))
        copy = [t * weight_copy_bytes if p[6] else 0 for t, p in zip(trainable, plans)] if casts else [0] * n
        made_copies = list(accumulate(copy)) if casts else copy
        levels, forward, peak_at = _forward(plans, nbytes, made, inputs, ends, kept, made_copies, n, calls)
        weights = sum(trainable) * master_bytes
        buffers, temporaries = OPTIMIZER_STATE[optimizer]
        state = buffers * weights
        grads = list(map(mul, trainable, repeat(master_bytes)))
        grad_of = needs_grad or [True] * n
        running, released = _backward_loads(nbytes, made, inputs, ends, kept, saved, grads, grad_of, n)
        step = weights + temporaries * max(trainable, default=0) * master_bytes  # every gradient, the temporaries
        always = param_bytes + state  # the parameters and the optimizer state, alive throughout
        # node k's backward, with the copies of the nodes up to k: it writes its parameters' gradients;
        # a node that cast its weights writes low-precision ones (copy[k] bytes), and their cast to
        # float32 follows once the node is done and has freed what it kept (its weight copy too)
        if casts:
            during = [r + c + (w or g) for r, c, w, g in zip(running, made_copies, copy, grads)]
            after = [r - f + c + g if w else 0 for r, f, c, w, g in zip(running, released, made_copies, copy, grads)]
        else:  # no copies (float32): the gradients alone, and no cast after
            during, after = list(map(add, running, grads)), [0] * n
        loads = (always + step, *map(add, repeat(always), chain(during, after, forward)))
        peak = max(loads)
        # the first moment at the peak names the phase (the optimizer step wins a tie, then the backward)
        phase = "optimizer step" if loads[0] == peak else "backward" if peak in loads[1 : 2 * n + 1] else "forward"
        return MemoryFigures(
            max(levels, default=0), peak_at, saved, weights, state, peak, phase, sum(copy), loads, tuple(levels)
        )


def _forward(plans: list[Plan], nbytes: list[int], made: list[int], inputs: list[tuple[int, ...]], ends: list[int],
             kept: dict[int, int], copies: list[int], n: int,
             calls: Iterable[tuple[int, int]]) -> tuple[list[int], list[int], int]:  # fmt: skip
    """Walk the nodes in order: a storage is alive from the node that makes it to its
    last reader (the outputs to the end), or to the end of the last module call that
    takes it as an argument, whichever comes later. The spec's input exists before the pass and
    is not counted, as parameters are not. In training, what is kept for backward
    stays, and what a node makes and keeps is added; ``copies``, the weight copies made
    up to each node, add to both. The inference and training levels after each node,
    and the node of the inference peak (-1 if nothing is allocated)."""
    owner = list(range(len(nbytes)))  # the storage each node's output lives in (the inputs after the nodes)
    for at in [at for at, p in enumerate(plans) if not p[0]]:
        owner[at] = owner[inputs[at][0]]
    end = {owner[i]: at for at, node_inputs in enumerate(inputs) for i in node_inputs}  # the last reader
    for o in ends:
        end[owner[o]] = n
    _hold_arguments(calls, inputs, owner, end)
    freed = [0] * (n + 1)  # after each node
    allocated = [0] * n
    for storage in [at for at in range(n) if owner[at] == at]:
        size = allocated[storage] = nbytes[storage]
        freed[end.get(storage, storage)] += size
    levels = list(map(add, accumulate(map(sub, allocated, [0, *freed[: n - 1]])), copies))
    if not levels:
        return [], [], -1
    peak = max(levels)
    pinned = made[:]  # in training: kept tensors stay from where inference frees them
    for storage in kept:
        if storage < n:
            if owner[storage] == storage:
                last = end.get(storage, storage)
                if last + 1 < n:
                    pinned[last + 1] += nbytes[storage]
            else:  # a new tensor in training only (dropout's output)
                pinned[storage] += nbytes[storage]
    for at in [at for at, p in enumerate(plans) if p[1] and not p[0] and at not in kept]:
        # a new tensor in training only that nothing keeps (stochastic depth's output, read by an add):
        # alive to the last reader of the storage it shares at inference
        pinned[at] += nbytes[at]
        last = end.get(owner[at], at)
        if last + 1 < n:
            pinned[last + 1] -= nbytes[at]
    training = list(map(add, levels, accumulate(pinned)))
    return levels, training, levels.index(peak) if peak else -1


def _hold_arguments(calls: Iterable[tuple[int, int]], inputs: list[tuple[int, ...]], owner: list[int],
                    end: dict[int, int]) -> None:  # fmt: skip
    """PyTorch's semantics of a module call: the caller's frame references the argument
    until the call returns (``x = self.layer1(x)`` keeps the old ``x`` while layer1 runs;
    a forward() keeps its own ``input`` too), so every tensor a call reads from before it
    starts lives at least to its last node. Inside an nn.Sequential each child is such a
    call, and the Sequential's ``input = module(input)`` lets go of each as it returns:
    a layer's input is read by the layer anyway. Backward is unaffected: every call has
    returned by then."""
    for first, last in calls:
        for at in range(first, last + 1):
            for i in inputs[at]:
                if i < first:  # made before the call (a negative index: one of the spec's inputs)
                    storage = owner[i]
                    if end.get(storage, storage) < last:
                        end[storage] = last


def _backward_loads(nbytes: list[int], made: list[int], inputs: list[tuple[int, ...]], ends: list[int],
                    kept: dict[int, int], saved: int, param_grads: list[int], grad_of: list[bool],
                    n: int) -> tuple[list[int], list[int]]:  # fmt: skip
    """Backward, node by node in reverse. Node k's backward reads the gradient of its
    output (alive since its last reader's backward wrote it) and writes one for each
    input and for its parameters; a kept tensor is freed once the first node that kept
    it is done. Gradients reaching a tensor twice are summed in place; a view's is
    counted as a new tensor. A tensor that does not require grad (nothing before it is
    trained: a frozen backbone's) gets none. The bytes alive while each node's backward runs, its
    parameters' gradients not included, and the bytes each node frees when it is done."""
    last = {i: at for at, node_inputs in enumerate(inputs) for i in node_inputs}
    for o in ends:
        last[o] = n
    released = made[:]  # freed after each node's backward
    for storage, first in kept.items():
        released[first] += nbytes[storage]
    # gradients of node outputs alive while node k runs: created at the last reader, gone after the node
    alive = [0] * (n + 1)
    written = [0] * (n + 1)  # the input gradients node k writes
    for i, reader in last.items():
        if 0 <= i < n and reader > i and grad_of[i]:  # the spec's input (-1) needs no gradient
            alive[i] += nbytes[i]
            alive[reader] -= nbytes[i]
            written[reader] += nbytes[i]
    alive_at = accumulate(alive[:n])
    # in reverse: what is still held and the parameter gradients written before node k runs
    held = list(accumulate(reversed(released), initial=0))[-2::-1] if n else []
    grads_before = list(accumulate(reversed(param_grads), initial=0))[-2::-1] if n else []
    running = list(map(add, map(add, map(sub, repeat(saved), held), grads_before), map(add, alive_at, written[:n])))
    return running, released
