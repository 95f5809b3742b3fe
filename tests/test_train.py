"""Training parity: backward FLOPs equal FlopCounterMode's around `loss.backward()` and saved
activation bytes equal what `saved_tensors_hooks` sees (tests/train_oracle.py), per layer and
in total, for every dtype; torch is the oracle, no expected value is written for it here."""

from __future__ import annotations

import dataclasses

import pytest

torch = pytest.importorskip("torch")

import cnncalc  # noqa: E402
from cnncalc.analysis.train import training  # noqa: E402
from cnncalc.engine import Network, analyze_network  # noqa: E402
from tests.train_oracle import measure  # noqa: E402


def assert_matches(net: Network, dtype: str = "float32") -> None:
    report, got = measure(net, dtype)
    train = training(report, dtype=dtype)
    for row, ours in zip(report.layers, train.layers):
        what = f"{row.op} '{row.name}' (in {row.in_shapes}, {row.node.layer!r}, {dtype})"
        saved = got.saved.get(row.name, 0)
        assert ours.saved_bytes == saved, f"{what}: saved cnncalc {ours.saved_bytes}, torch {saved}"
        flops = got.backward_by_node.get(row.name, 0)
        assert ours.backward_flops == flops, (
            f"{what}: backward cnncalc {ours.backward_flops}, torch {flops}"
        )
    assert set(got.saved) <= {r.name for r in report.layers}, got.saved
    assert train.saved_bytes == got.saved_total
    assert train.backward_flops == got.backward_flops


SMALL = """\
input: 3x8x8
layers:
  - {conv: {out: 4, k: 3, p: 1}}
  - bn
  - relu
  - maxpool: 2
  - {conv: {out: 5, k: 3, p: 1}, frozen: true}
  - relu
  - avgpool: 2
  - flatten
  - linear: 7
  - dropout: 0.5
  - linear: 3
"""


@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "float16"])
@pytest.mark.parametrize("batch", [1, 4])
def test_small_stack_matches_torch(batch: int, dtype: str) -> None:
    net = dataclasses.replace(cnncalc.load(SMALL), batch=batch)
    assert_matches(net, dtype)


def test_small_stack_by_hand() -> None:
    """The counts written out: conv1's input needs no gradient (only its weight's: 2·N·3·4·9·64),
    frozen conv2 its input's only (its forward), the linears both (twice their forward)."""
    t = training(analyze_network(cnncalc.load(SMALL)), batch=2)
    conv1, conv2 = 2 * 2 * 3 * 4 * 9 * 64, 2 * 2 * 5 * 4 * 9 * 16
    assert t.backward_flops == conv1 + conv2 + 2 * (2 * 2 * 20 * 7) + 2 * (2 * 2 * 7 * 3)
    # conv1's input, bn's input and stats, relu's output, the pool's int64 indices, conv2's
    # input, relu's output, linear1's input (the pooled map), dropout's noise, linear2's input
    n = 2 * 4
    assert t.saved_bytes == n * (3 * 64 + 4 * 64 + 4 * 64 + 5 * 16 + 20 + 7 + 7) + 2 * 4 * 4 + (
        2 * 4 * 16 * 8 + n * 4 * 16
    )


def test_integer_dtype_is_refused() -> None:
    with pytest.raises(cnncalc.CnnCalcError) as err:
        training(analyze_network(cnncalc.load(SMALL)), dtype="int8")
    assert err.value.code == "E1001"
