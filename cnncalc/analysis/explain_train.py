"""The working of training, step by step: what a training step costs and holds, in the words of
the teaching text (`explain --train`, `params --train`, `fit`).

Pure: a report, its training numbers (`analysis.train`) and its memory (`analysis.memory`) in,
`Step`s out. Why a conv's backward costs about twice its forward (the gradients of its input
and of its weight, each a product as large as the forward), why ReLU keeps its output (its
gradient passes where the output is positive), why Adam triples the weights' memory (two
moments beside the parameters and their gradients).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from cnncalc.analysis.explain import Step
from cnncalc.analysis.memory import OPTIMIZERS, STEP_OPTIMIZERS, TrainMemory
from cnncalc.engine import DTYPE_BYTES, INPUT, LayerReport, Report
from cnncalc.layers import (
    Activation,
    Add,
    BatchNorm,
    Concat,
    Conv,
    ConvTranspose,
    Dropout,
    Linear,
    MaxPool,
)
from cnncalc.messages import t
from cnncalc.messages.numbers import count_text as n
from cnncalc.quantities import format_quantity

if TYPE_CHECKING:
    from cnncalc.analysis.train import LayerTrain, Training

_UNIT = re.compile(r"([0-9.]+)([A-Za-z]+)$")


def size(value: int, digits: int = 3) -> str:
    """Bytes for reading: `97.5 MiB`, `616 B`."""
    text = format_quantity(value, "bytes", digits=digits)
    m = _UNIT.match(text)
    return f"{m.group(1)} {m.group(2)}" if m else text


def memory_steps(mem: TrainMemory, lang: str = "en") -> list[Step]:
    """One step per component, its bytes and the arithmetic that gives them, then the sum."""
    setup, w = mem.setup, mem.weights
    prec = setup.precision
    b = DTYPE_BYTES[prec.compute]
    sb = DTYPE_BYTES[prec.state_dtype]
    trainable = n(w.trainable_params)
    params = w.parameters // b if b else 0
    opt = setup.optimizer
    if OPTIMIZERS[opt] == 0:
        state = t("mem.w.sgd", lang)
    elif opt in STEP_OPTIMIZERS:
        state = t("mem.w.adam", lang, trainable=trainable, b=sb, tensors=n(w.trainable_tensors))
    else:
        state = t("mem.w.momentum", lang, trainable=trainable, b=sb)
    master = (
        t("mem.w.master_weights", lang, trainable=trainable)
        if prec.mixed
        else t("mem.w.no_master", lang)
    )
    buffers = (
        t("mem.w.buffers", lang, dtype=prec.compute) if w.buffers else t("mem.w.no_buffers", lang)
    )
    work = {
        "parameters": t("mem.w.parameters", lang, params=n(params), b=b, dtype=prec.compute),
        "buffers": buffers,
        "gradients": t("mem.w.gradients", lang, trainable=trainable, b=b),
        "master_weights": master,
        "optimizer_state": state,
        "activations": t("mem.w.activations", lang, batch=n(mem.batch)),
        "transient": t("mem.w.transient", lang),
    }
    steps = [Step(t(f"mem.{key}", lang), size(value), work[key]) for key, value in mem.components()]
    steps.append(
        Step(t("mem.total", lang), size(mem.total, 4), t("mem.w.total", lang, bytes=n(mem.total)))
    )
    return steps


def training_steps(
    report: Report, train: Training, mem: TrainMemory, lang: str = "en", teach: bool = False
) -> list[Step]:
    """The network's training numbers: trainable params, backward and step FLOPs, then the
    memory by component. `teach` adds why Adam triples the weights' memory."""
    tot = report.totals
    fwd = tot.flops * train.batch // max(report.network.batch, 1)
    bwd = train.backward_flops
    ratio = f"{(fwd + bwd) / fwd:.2f}" if fwd else "-"
    steps = [
        Step(
            t("train.trainable", lang),
            n(tot.trainable_params),
            t(
                "train.w.trainable",
                lang,
                trainable=n(tot.trainable_params),
                frozen=n(tot.frozen_params),
                params=n(tot.params),
            ),
        ),
        Step(t("train.backward", lang), n(bwd), t("train.w.network_backward", lang)),
        Step(
            t("train.step_flops", lang),
            n(fwd + bwd),
            t("train.w.step_flops", lang, fwd=n(fwd), bwd=n(bwd), total=n(fwd + bwd), ratio=ratio),
        ),
        *memory_steps(mem, lang),
    ]
    if teach and mem.setup.optimizer in STEP_OPTIMIZERS:
        w, m = mem.weights.parameters, mem.weights.moment_bytes
        g = mem.weights.gradients
        work = t(
            "train.w.adam_triples",
            lang,
            w=size(w),
            m=size(m),
            total=size(w + m),
            ratio=f"{(w + m) / w:.3g}" if w else "-",
            with_grads=f"{(w + m + g) / w:.3g}" if w else "-",
        )
        steps.append(Step(t("train.adam", lang), size(w + m), work))
    return steps


def _needs(report: Report, train: Training) -> dict[str, bool]:
    out = {INPUT: False}
    for row, lt in zip(report.layers, train.layers):
        out[row.name] = lt.needs_grad
    return out


def layer_steps(row: LayerReport, lt: LayerTrain, input_grad: bool, lang: str = "en") -> list[Step]:
    """One layer's backward MACs and what it saves for backward, with why."""
    if not lt.needs_grad:
        return [Step(t("train.l.backward", lang), "0", t("train.w.no_grad", lang))]
    layer = row.node.layer
    macs = lt.backward_macs
    if isinstance(layer, (Conv, ConvTranspose, Linear)) and macs:
        gi = row.macs if input_grad else 0
        gw = macs - gi
        if gi and gw:
            work = t("train.w.conv_backward", lang, gi=n(gi), gw=n(gw), fwd=n(row.macs))
        elif gw:
            work = t("train.w.conv_backward_weight", lang, gw=n(gw))
        else:
            work = t("train.w.conv_backward_input", lang, gi=n(gi))
    elif macs == 0 and row.macs == 0:
        work = t("train.w.no_macs", lang)
    else:
        work = t("train.w.layer_backward", lang, macs=n(macs), fwd=n(row.macs))
    steps = [Step(t("train.l.backward", lang), n(macs), work)]
    steps.append(Step(t("train.l.saved", lang), size(lt.saved_bytes), _saved_why(row, lt, lang)))
    return steps


def _saved_why(row: LayerReport, lt: LayerTrain, lang: str) -> str:
    layer = row.node.layer
    if isinstance(layer, (Add, Concat)):
        return t("train.w.saved_none", lang)
    weighted = isinstance(layer, (Conv, ConvTranspose, Linear))
    if lt.saved_bytes == 0:
        trainable = weighted and not row.frozen
        return t("train.w.saved_input_shared" if trainable else "train.w.saved_shared", lang)
    if weighted:
        return t("train.w.saved_input", lang)
    if isinstance(layer, Activation) and layer.function == "relu":
        return t("train.w.saved_relu", lang)
    if isinstance(layer, BatchNorm):
        return t("train.w.saved_bn", lang)
    if isinstance(layer, MaxPool):
        return t("train.w.saved_maxpool", lang)
    if isinstance(layer, Dropout):
        return t("train.w.saved_dropout", lang)
    return t("train.w.saved", lang)


def all_layer_steps(report: Report, train: Training, lang: str = "en") -> dict[str, list[Step]]:
    """Every layer's training steps, by name."""
    needs = _needs(report, train)
    return {
        row.name: layer_steps(row, lt, needs.get(row.inputs[0], False), lang)
        for row, lt in zip(report.layers, train.layers)
    }
