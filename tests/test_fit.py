"""Training memory, `fit`, `--train` and the training budgets: the numbers as formulas, fit's
answer against the memory it stands for, the JSON fields, goldens and every error path."""

from __future__ import annotations

import functools
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import cnncalc
from cnncalc.analysis import budget as B
from cnncalc.analysis.explain_train import size
from cnncalc.analysis.memory import (
    MAX_BATCH,
    OPTIMIZERS,
    Precision,
    Setup,
    fit,
    memory_at,
    precision,
    weights,
)
from cnncalc.analysis.train import training
from cnncalc.cli import app
from cnncalc.engine import DTYPE_BYTES, Report
from cnncalc.errors import CnnCalcError
from cnncalc.quantities import Limit
from tests.conftest import ROOT

runner = CliRunner()
GOLDEN = Path(__file__).resolve().parent / "golden_train"
RESNET50 = str(ROOT / "examples" / "resnet50.yaml")
STACK = str(ROOT / "examples" / "stack.yaml")
GIB = 2**30

SETUPS = [
    Setup("sgd", Precision("float32")),
    Setup("momentum", Precision("bfloat16")),
    Setup("adam", Precision("float16", True)),
    Setup("adamw", Precision("bfloat16", True)),
]


def mem(report: Report, setup: Setup, b: int) -> int:
    """The memory of a step at batch b, written out: every component from its definition."""
    prec = setup.precision
    elem = DTYPE_BYTES[prec.compute]
    state = 4 if prec.mixed else elem
    t = report.totals
    w = weights(report, setup)
    moments = OPTIMIZERS[setup.optimizer] * t.trainable_params * state
    steps = 4 * w.trainable_tensors if setup.optimizer in ("adam", "adamw") else 0
    master = 4 * t.trainable_params if prec.mixed else 0
    tr = training(report, batch=b, dtype=prec.compute)
    return (
        t.params * elem
        + w.buffers
        + t.trainable_params * elem
        + master
        + moments
        + steps
        + tr.saved_bytes
        + tr.transient_bytes
    )


@pytest.mark.parametrize("setup", SETUPS, ids=lambda s: f"{s.optimizer}-{s.precision.name}")
@pytest.mark.parametrize("limit", [4 * GIB, 24 * GIB, 80 * 10**9 + 7])
def test_fit_is_the_largest_batch(setup: Setup, limit: int) -> None:
    report = cnncalc.analyze(RESNET50)
    f = fit(report, setup, limit)
    b = f.batch
    assert mem(report, setup, b) <= limit < mem(report, setup, b + 1)
    assert f.best.total == mem(report, setup, b) == f.at(b)
    assert f.over is not None and f.over.total == mem(report, setup, b + 1)
    # the line: fixed + per_sample × b, at small and large batches alike
    for batch in (1, 2, 3, 17, b):
        assert mem(report, setup, batch) == f.fixed + f.per_sample * batch


EXAMPLE_NAMES = sorted(p.stem for p in (ROOT / "examples").glob("*.yaml"))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_fit_examples(name: str) -> None:
    report = cnncalc.analyze(ROOT / "examples" / f"{name}.yaml")
    setup = Setup("adamw", Precision("float32"))
    one = mem(report, setup, 1)
    for limit in (one, one + 1, 3 * one, 10**12):
        f = fit(report, setup, limit)
        assert mem(report, setup, f.batch) <= limit < mem(report, setup, f.batch + 1)
        # every component from the lines equals the one counted at that batch
        assert f.best == memory_at(report, setup, f.batch)
        assert f.over == memory_at(report, setup, f.batch + 1)
    assert fit(report, setup, one).batch == 1


def test_batch_one_too_large() -> None:
    report = cnncalc.analyze(RESNET50)
    setup = Setup("adamw", Precision("float32"))
    need = mem(report, setup, 1)
    with pytest.raises(CnnCalcError) as err:
        fit(report, setup, need - 1)
    assert err.value.code == "E1033"
    assert f"{need:,} bytes" in err.value.render()


def test_every_batch_fits_when_nothing_learns() -> None:
    """All frozen: nothing needs a gradient, so nothing grows with the batch."""
    report = cnncalc.analyze("input: 3x8x8\nlayers:\n  - conv: {out: 4, k: 3}\n    frozen: true\n")
    f = fit(report, Setup("sgd"), 10**6)
    assert f.over is None and f.batch == MAX_BATCH and f.per_sample == 0
    assert f.best.total == report.totals.params * 4  # the parameters alone
    result = runner.invoke(app, ["fit", "-", "--memory", "1MB"], input="input: 3x8x8\nlayers:\n"
                           "  - conv: {out: 4, k: 3}\n    frozen: true\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "W1031" not in result.stdout and "every batch fits" in result.stderr


def test_a_memory_past_every_batch() -> None:
    report = cnncalc.analyze(STACK)
    f = fit(report, Setup(), 10**30)
    assert f.batch == MAX_BATCH and f.over is None and f.per_sample > 0
    assert f.best.total == mem(report, Setup(), MAX_BATCH) <= 10**30
    result = runner.invoke(app, ["fit", STACK, "--memory", "1e30", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["next"] is None
    assert "PyTorch's largest size" in result.stderr


def test_precision_spellings() -> None:
    assert precision("mixed-bf16") == Precision("bfloat16", True)
    assert precision("mixed-fp16") == Precision("float16", True)
    assert precision("bf16") == Precision("bfloat16")
    assert precision("float32") == Precision("float32")
    assert Precision("bfloat16", True).name == "mixed-bf16"
    for bad in ("int8", "mixed-fp8", "fp64"):
        with pytest.raises(CnnCalcError) as err:
            precision(bad)
        assert err.value.code == "E1031"
    with pytest.raises(CnnCalcError) as err:
        Setup("lion")
    assert err.value.code == "E1032"


def test_fit_speed() -> None:
    """fit answers in about 0.1 s on ResNet-50, load and analyse included (some 60 ms on an idle
    2-core machine; the bound leaves room for a loaded one)."""
    import time

    best = 1.0
    for _ in range(3):
        start = time.perf_counter()
        fit(cnncalc.analyze(RESNET50), Setup("adamw", Precision("bfloat16", True)), 24 * GIB)
        best = min(best, time.perf_counter() - start)
    assert best < 0.2


# --- the command line ---------------------------------------------------------------------------


def check_golden(name: str, text: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"missing golden {name}: run pytest --update-goldens"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs"


GOLDENS = {
    "fit_resnet50.txt": ["fit", "examples/resnet50.yaml", "--memory", "24GiB", "--dtype",
                         "mixed-bf16"],
    "fit_resnet50.json": ["fit", "examples/resnet50.yaml", "-m", "16GB", "--optimizer", "sgd",
                          "--format", "json"],
    "params_stack_train.txt": ["params", "examples/stack.yaml", "--train", "--optimizer", "adam"],
    "params_resnet18_train.json": ["params", "examples/resnet18.yaml", "--train", "--batch", "4",
                                   "--dtype", "mixed-fp16", "--format", "json"],
    "explain_stack_train_zh.txt": ["explain", "examples/stack.yaml", "--train", "--lang", "zh"],
    "explain_stack_train.txt": ["explain", "examples/stack.yaml", "--train", "-l", "conv2"],
    "explain_resnet18_block_train.txt": ["explain", "examples/resnet18.yaml", "--train", "-l",
                                         "layer2.0", "--optimizer", "momentum"],
}  # fmt: skip


@pytest.mark.parametrize("name", list(GOLDENS))
def test_cli_goldens(name: str, update_goldens: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "100")
    result = runner.invoke(app, GOLDENS[name])
    assert result.exit_code == 0, result.output
    check_golden(name, result.stdout, update_goldens)


def test_params_train_json_fields() -> None:
    result = runner.invoke(app, ["params", RESNET50, "--train", "--batch", "32", "--dtype",
                                 "mixed-bf16", "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    report = cnncalc.analyze(RESNET50)
    setup = Setup("adamw", Precision("bfloat16", True))
    tr = training(report, batch=32, dtype="bfloat16")
    totals = data["totals"]
    assert totals["trainable_params"] == report.totals.trainable_params
    assert totals["frozen_params"] == 0
    assert totals["backward_flops"] == tr.backward_flops
    assert totals["saved_activation_bytes"] == tr.saved_bytes
    memory = totals["train_memory"]
    assert memory["total"] == mem(report, setup, 32) == memory_at(report, setup, 32).total
    assert memory["optimizer"] == "adamw" and memory["dtype"] == "mixed-bf16"
    assert memory["batch"] == 32
    parts = ("parameters", "buffers", "gradients", "master_weights", "optimizer_state",
             "activations", "transient")  # fmt: skip
    assert sum(memory[p] for p in parts) == memory["total"]
    assert [e["saved_bytes"] for e in data["layers"]] == [lt.saved_bytes for lt in tr.layers]
    assert sum(e["backward_flops"] for e in data["layers"]) == tr.backward_flops


def test_without_train_outputs_are_unchanged() -> None:
    plain = runner.invoke(app, ["params", STACK, "--format", "json"])
    data = json.loads(plain.stdout)
    assert data == json.loads(json.dumps(cnncalc.analyze(STACK).to_dict()))
    assert "train_memory" not in data["totals"] and "backward_flops" not in data["layers"][0]
    table = runner.invoke(app, ["params", STACK]).stdout
    assert "Training" not in table


def test_fit_svg(tmp_path: Path) -> None:
    net = tmp_path / "net.yaml"
    net.write_text('name: "a<b & c"\ninput: 3x32x32\nchannels: 3→8→16\nkernel: 3\n',
                   encoding="utf-8")  # fmt: skip
    out = tmp_path / "plot.svg"
    result = runner.invoke(app, ["fit", str(net), "--memory", "64MiB", "--svg", str(out)])
    assert result.exit_code == 0, result.output
    root = ET.fromstring(out.read_text(encoding="utf-8"))  # noqa: S314 - our own file
    texts = [e.text or "" for e in root.iter() if e.tag.endswith("text") or e.tag.endswith("title")]
    assert any("a<b & c" in t for t in texts)  # parsed back: it was escaped
    assert "a<b & c" not in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["fit", STACK, "--memory", "lots"], "E1034"),
        (["fit", STACK, "--memory", "24GiBs"], "E1034"),
        (["fit", STACK, "--memory", "100B"], "E1033"),
        (["fit", STACK, "--memory", "1GiB", "--dtype", "int8"], "E1031"),
        (["params", STACK, "--dtype", "mixed-bf16"], "E1035"),
        (["params", STACK, "--optimizer", "adam"], "E1036"),
        (["params", STACK, "--train", "--format", "csv"], "E1037"),
        (["explain", STACK, "--optimizer", "sgd"], "E1036"),
    ],
)
def test_errors(args: list[str], code: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert f"error[{code}]" in result.stderr
    assert result.stdout == ""


def test_fit_batch_one_message_says_how_much() -> None:
    report = cnncalc.analyze(STACK)
    need = mem(report, Setup("adamw"), 1)
    result = runner.invoke(app, ["fit", STACK, "--memory", f"{need - 1}"])
    assert result.exit_code == 2
    assert f"{need:,} bytes" in result.stderr
    result = runner.invoke(app, ["fit", STACK, "--memory", f"{need - 1}", "--lang", "zh"])
    assert f"{need:,} 字节" in result.stderr and "bytes" not in result.stderr


def test_fit_in_chinese_says_bytes_in_chinese() -> None:
    result = runner.invoke(app, ["fit", RESNET50, "--memory", "8GiB", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert "bytes" not in result.stdout
    over = mem(cnncalc.analyze(RESNET50), Setup("adamw"), 86)  # batch 85 fits in 8 GiB
    assert f"批大小 86 需要 {over:,} 字节" in result.stdout


# --- budgets ------------------------------------------------------------------------------------

BUDGETED = """
name: budgeted
input: 3x32x32
batch: 8
channels: 3→16→32
kernel: 3
budget:
  trainable_params: {params}
  train_flops: {flops}
  train_memory: {memory}
"""


def _budget_net(tmp_path: Path, params: str, flops: str, memory: str) -> Path:
    path = tmp_path / f"net_{params}_{flops}_{memory}.yaml"
    path.write_text(BUDGETED.format(params=params, flops=flops, memory=memory), encoding="utf-8")
    return path


def test_training_budgets_measure() -> None:
    report = cnncalc.analyze(BUDGETED.format(params="1M", flops="1G", memory="1GiB"))
    limits = [Limit("trainable_params", 0), Limit("train_flops", 0), Limit("train_memory", 0)]
    got = {b.name: b.used for b in B.evaluate(report, limits)}
    tr = training(report)
    assert got["trainable_params"] == report.totals.trainable_params == 16 * 28 + 32 * 145
    assert got["train_flops"] == report.totals.flops + tr.backward_flops
    assert got["train_memory"] == mem(report, Setup("adamw"), 8)
    sgd = B.evaluate(report, limits, Setup("sgd"))
    assert sgd[2].used == mem(report, Setup("sgd"), 8) < got["train_memory"]


def test_training_budgets_pass_and_fail(tmp_path: Path) -> None:
    ok = _budget_net(tmp_path, "10k", "10G", "64MiB")
    result = runner.invoke(app, ["check", str(ok)])
    assert result.exit_code == 0, result.output
    assert "train_memory" in result.stdout and "FAIL" not in result.stdout
    bad = _budget_net(tmp_path, "1k", "10G", "64MiB")
    result = runner.invoke(app, ["check", str(bad), "--format", "github"])
    assert result.exit_code == 1
    assert "::error" in result.stdout and "trainable_params over budget" in result.stdout
    # the command line replaces the file's limit; --optimizer and --dtype choose the setup
    report = cnncalc.analyze(ok)
    need = mem(report, Setup("momentum", Precision("bfloat16", True)), 8)
    args = ["check", str(ok), "--optimizer", "momentum", "--dtype", "mixed-bf16"]
    assert runner.invoke(app, [*args, "--max-train-memory", str(need)]).exit_code == 0
    result = runner.invoke(app, [*args, "--max-train-memory", str(need - 1), "--format", "junit"])
    assert result.exit_code == 1
    assert "train_memory" in result.stdout and "<failure" in result.stdout
    md = runner.invoke(app, [*args, "--max-train-flops", "1k", "--format", "markdown"])
    assert md.exit_code == 1 and "train_flops" in md.stdout


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(["stack", "lenet5", "resnet18"]),
    setup=st.sampled_from(SETUPS),
    extra=st.integers(min_value=0, max_value=10**13),
)
def test_fit_property(name: str, setup: Setup, extra: int) -> None:
    """Any memory at least batch 1's: fit's batch b has mem(b) <= M < mem(b + 1)."""
    report = _report(name)
    limit = mem(report, setup, 1) + extra
    f = fit(report, setup, limit)
    assert mem(report, setup, f.batch) <= limit < mem(report, setup, f.batch + 1)


@functools.cache
def _report(name: str) -> Report:
    return cnncalc.analyze(ROOT / "examples" / f"{name}.yaml")


def test_explain_train_teaches() -> None:
    """The three lessons, with the network's own numbers: a conv's backward is twice its
    forward (both gradients), ReLU keeps its output, Adam's moments double the weights again."""
    r18 = str(ROOT / "examples" / "resnet18.yaml")
    out = runner.invoke(app, ["explain", r18, "--train", "-l", "layer1.0"],
                        env={"COLUMNS": "200"}).stdout  # fmt: skip
    fwd = 64 * 56 * 56 * 64 * 3 * 3  # layer1.0.conv1: 115,605,504 MACs
    assert f"gradient of the input {fwd:,} + gradient of the weight {fwd:,}" in out
    assert f"Backward MACs        {2 * fwd:,}" in out
    assert "its output: where it is positive is where the gradient passes" in out
    whole = runner.invoke(app, ["explain", STACK, "--train"], env={"COLUMNS": "200"}).stdout
    w = 75_648 * 4  # the stack's float32 weights
    assert "Adam's memory" in whole and "3 × the weights" in whole
    # weights + exp_avg + exp_avg_sq = 3 × the weights (296 KiB + 591 KiB = 886 KiB)
    assert f"weights {size(w)} + moments {size(2 * w)} = {size(3 * w)}" in whole
    first = runner.invoke(app, ["explain", STACK, "--train", "-l", "conv1"]).stdout
    assert "gradient of the weight only" in first  # the input needs no gradient
