"""``cnncalc fit`` as text and JSON: the largest batch within a memory budget,
the figures at that batch and what dominates them."""

from __future__ import annotations

import json

from ..largest_batch import Fit
from .escape import visible
from .units import grouped, nbytes, shape_text


def _figure_name(fit: Fit) -> str:
    return "inference peak + parameters" if fit.inference else "training peak"


def render_text(fit: Fit) -> str:
    report, t = fit.report, fit.report.totals
    mixed = "" if report.precision == "fp32" else f", {report.precision}"
    lines = [
        f"{visible(report.name or report.file)} — input {shape_text(report.input)}, {report.dtype}, "
        f"{report.optimizer}{mixed}; budget {nbytes(fit.budget)} ({grouped(fit.budget)} B)"
    ]
    figure = _figure_name(fit)
    if fit.batch == 0:
        lines.append(
            f"Not even batch 1 fits: its {figure} is {nbytes(fit.peak)}, "
            f"{nbytes(fit.peak - fit.budget)} over the budget. Its figures:"
        )
    else:
        after = (
            f"; batch {fit.batch + 1:,}: {nbytes(fit.next_peak)}"
            if fit.next_peak
            else "; no larger batch can be analysed"
        )
        lines.append(f"Largest batch: {fit.batch:,}  ({figure} {nbytes(fit.peak)}{after})")
    phase = f"  (in the {report.memory.training_peak_phase})" if report.memory else ""
    lines += [
        f"  Parameters:          {nbytes(t.param_bytes):>11}  (and buffers)",
        f"  Gradients:           {nbytes(t.grad_bytes):>11}",
        f"  Optimizer state:     {nbytes(t.optimizer_bytes):>11}  ({report.optimizer})",
        f"  Saved for backward:  {nbytes(t.saved_activation_bytes):>11}",
        f"  Training peak:       {nbytes(t.training_peak_bytes):>11}{phase}",
        f"  Inference peak:      {nbytes(t.inference_peak_bytes):>11}  "
        f"(+ parameters: {nbytes(t.inference_peak_bytes + t.param_bytes)})",
    ]
    grows = fit.per_sample * max(fit.batch, 1)
    dominant = "Activations dominate" if grows >= fit.fixed else "The weights dominate"
    lines.append(
        f"{dominant}: {nbytes(grows)} of the peak grows with the batch ({nbytes(fit.per_sample)} a sample), "
        f"{nbytes(fit.fixed)} does not."
    )
    return "\n".join(lines) + "\n"


def render_json(fit: Fit) -> str:
    report = fit.report
    document = {
        "name": report.name,
        "input": list(report.input),
        "dtype": report.dtype,
        "optimizer": report.optimizer,
        "precision": report.precision,
        "fitted": "inference_peak_bytes + param_bytes" if fit.inference else "training_peak_bytes",
        "budget_bytes": fit.budget,
        "batch": fit.batch,
        "peak_bytes": fit.peak,
        "next_batch_peak_bytes": fit.next_peak or None,
        "per_sample_bytes": fit.per_sample,
        "fixed_bytes": fit.fixed,
        "totals": report.totals.to_dict(),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "json": render_json}
