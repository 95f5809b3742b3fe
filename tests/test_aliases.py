"""PyTorch's class names as ops, PyTorch's count-neutral arguments (validated as torch validates
them), and the hints an unknown op gets (`suggest_op`)."""

from __future__ import annotations

import inspect
import re

import pytest

import cnncalc
from cnncalc.engine import analyze_network
from cnncalc.errors import Msg
from cnncalc.layers import KINDS
from cnncalc.layers.registry import PYTORCH_NAMES, suggest_op
from cnncalc.loader import load_text
from tests.conftest import ROOT

NET = "input: 3x32x32\nlayers:\n"
SMALL = "input: 3x4x4\nlayers:\n"


def code_of(text: str) -> str:
    with pytest.raises(cnncalc.CnnCalcError) as info:
        cnncalc.analyze(text)
    return info.value.code


# --- PyTorch class names ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PYTORCH_NAMES))
def test_each_pytorch_name_takes_its_modules_arguments(name: str) -> None:
    """Every constructor argument of `torch.nn.<name>` (but device and dtype) is an argument
    of the alias, by PyTorch's own name, and the alias is the op's class."""
    nn = pytest.importorskip("torch.nn")
    kind, base = KINDS[name], KINDS[PYTORCH_NAMES[name]]
    assert kind.cls is base.cls
    params = inspect.signature(getattr(nn, name).__init__).parameters.values()
    wanted = {
        p.name
        for p in params
        if p.name not in ("self", "device", "dtype") and p.kind is p.POSITIONAL_OR_KEYWORD
    }
    assert sorted(wanted - set(kind.arg_by_name)) == [], name


def test_a_resnet_stem_in_pytorch_names() -> None:
    r = cnncalc.analyze(
        NET + "  - Conv2d: {in_channels: 3, out_channels: 64, kernel_size: 7, stride: 2, "
        "padding: 3, bias: false}\n"
        "  - BatchNorm2d: {num_features: 64}\n"
        "  - ReLU: {inplace: true}\n"
        "  - MaxPool2d: {kernel_size: 3, stride: 2, padding: 1}\n"
        "  - AdaptiveAvgPool2d: {output_size: [1, 1]}\n"
        "  - Flatten\n"
        "  - Dropout: {p: 0.2, inplace: true}\n"
        "  - Linear: {in_features: 64, out_features: 10}\n"
    )
    assert [row.out_shape for row in r.layers] == [
        (64, 16, 16),  # ⌊(32 + 6 − 7)/2⌋ + 1
        (64, 16, 16),
        (64, 16, 16),
        (64, 8, 8),
        (64, 1, 1),
        (64,),
        (64,),
        (10,),
    ]
    assert r.totals.params == 64 * 3 * 7 * 7 + 2 * 64 + (64 * 10 + 10)  # 9408 + 128 + 650
    assert [row.op for row in r.layers][:3] == ["Conv2d", "BatchNorm2d", "ReLU"]


@pytest.mark.parametrize(
    ("op", "shape"),
    [("Conv2d: {out_channels: 4, kernel_size: 1}", "[3, 8]"), ("BatchNorm2d", "[3, 8]"),
     ("MaxPool2d: 2", "[3, 8]"), ("MaxPool1d: 2", "3x8x8"), ("AvgPool3d: 2", "3x8x8"),
     ("AdaptiveAvgPool2d: 1", "[3, 8]"), ("InstanceNorm2d", "[3, 8]"),
     ("ConvTranspose2d: {out_channels: 2, kernel_size: 2}", "[3, 8]"),
     ("ReflectionPad2d: 1", "[3, 8]")],
)  # fmt: skip
def test_a_suffixed_name_asserts_the_rank(op: str, shape: str) -> None:
    text = f"input: {shape}\nlayers:\n  - {op}\n"
    with pytest.raises(cnncalc.CnnCalcError) as info:
        cnncalc.analyze(text)
    assert info.value.code == "E0405"
    assert info.value.message.startswith(op.split(":")[0])  # names the class, as written


def test_a_pytorch_pad_reads_its_padding_last_axis_first() -> None:
    r = cnncalc.analyze(NET + "  - ZeroPad2d: [1, 2, 3, 4]\n")  # left, right, top, bottom
    assert r.layers[0].out_shape == (3, 32 + 3 + 4, 32 + 1 + 2)
    r = cnncalc.analyze(NET + "  - pad: [[3, 4], [1, 2]]\n")  # cnncalc's: first axis first
    assert r.layers[0].out_shape == (3, 39, 35)
    assert code_of(NET + "  - ZeroPad2d: [1, 2]\n") == "E0434"  # torch: 4 values or one
    with pytest.raises(cnncalc.CnnCalcError, match="value"):
        cnncalc.analyze(NET + "  - ConstantPad2d: 1\n")  # needs its value, as torch


def test_norms_take_their_channels_as_pytorch_does() -> None:
    r = cnncalc.analyze(
        NET + "  - BatchNorm2d: 3\n  - GroupNorm: {num_groups: 3, num_channels: 3}\n"
    )
    assert [row.params for row in r.layers] == [2 * 3, 2 * 3]
    assert code_of(NET + "  - BatchNorm2d: 4\n") == "E0406"
    flat = "input: [8]\nlayers:\n"
    r = cnncalc.analyze(flat + "  - LayerNorm: {normalized_shape: 8, bias: false}\n")
    assert r.layers[0].params == 8  # the scale alone


# --- count-neutral arguments, validated as torch validates them --------------------------------


def test_count_neutral_arguments_are_accepted() -> None:
    r = cnncalc.analyze(
        NET + "  - conv: {out: 8, k: 3, p: 1, padding_mode: reflect}\n"
        "  - bn: {track_running_stats: false}\n"
        "  - relu: {inplace: true}\n"
        "  - maxpool: {k: 2, return_indices: false}\n"
        "  - upsample: {scale: 2, mode: bilinear, align_corners: true, "
        "recompute_scale_factor: true}\n"
        "  - gelu: {approximate: tanh}\n"
        "  - avgpool: {k: 2, divisor_override: 3}\n"
        "  - prelu: {init: 0.1}\n"
        "  - dropout: {p: 0.1, inplace: true}\n"
        "  - flatten: {start_dim: 1, end_dim: -1}\n"
    )
    plain = cnncalc.analyze(
        NET + "  - conv: {out: 8, k: 3, p: 1}\n  - bn\n  - relu\n  - maxpool: 2\n"
        "  - upsample: {scale: 2, mode: bilinear}\n  - gelu\n  - avgpool: 2\n  - prelu\n"
        "  - dropout: 0.1\n  - flatten\n"
    )
    assert r.to_dict()["totals"] == plain.to_dict()["totals"]
    assert r.layers[-1].out_shape == (8 * 16 * 16,)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # F.pad: reflect needs padding < size, circular <= size
        ("input: 3x4x4\nlayers:\n  - conv: {out: 2, k: 5, p: 4, padding_mode: reflect}\n", "E0428"),
        ("input: 3x4x4\nlayers:\n  - conv: {out: 2, k: 5, p: 3, padding_mode: reflect}\n", None),
        (
            "input: 3x4x4\nlayers:\n  - conv: {out: 2, k: 9, p: 5, padding_mode: circular}\n",
            "E0429",
        ),
        ("input: 3x4x4\nlayers:\n  - conv: {out: 2, k: 9, p: 4, padding_mode: circular}\n", None),
        ("input: 3x4x4\nlayers:\n  - conv: {out: 2, k: 5, p: 4, padding_mode: replicate}\n", None),
        # F.interpolate: align_corners only with the interpolating modes
        (NET + "  - upsample: {scale: 2, align_corners: false}\n", "E0430"),
        (NET + "  - upsample: {size: 40, recompute_scale_factor: true}\n", "E0431"),
        (NET + "  - upsample: {size: 40, recompute_scale_factor: false}\n", None),
        (NET + "  - flatten: {start_dim: 0}\n", "E0432"),  # the batch
        (NET + "  - flatten: {start_dim: 3, end_dim: 2}\n", "E0432"),
        (NET + "  - flatten: {end_dim: 4}\n", "E0432"),
        (NET + "  - flatten: {start_dim: 1.5}\n", "E0432"),
        (NET + "  - flatten: {end_dim: 3}\n", None),  # the last axis of [N, C, H, W]
        ("input: [3, 8]\nlayers:\n  - avgpool: {k: 2, divisor_override: 2}\n", "E0433"),
    ],
)
def test_torchs_rules(text: str, code: str | None) -> None:
    if code is None:
        cnncalc.analyze(text)
    else:
        assert code_of(text) == code


@pytest.mark.parametrize(
    "text",
    [
        NET + "  - convT: {out: 2, k: 2, padding_mode: reflect}\n",  # torch: zeros only
        NET + "  - gelu: {approximate: fast}\n",
        NET + "  - sigmoid: {inplace: true}\n",  # nn.Sigmoid takes none
        NET + "  - AvgPool1d: {k: 2, divisor_override: 2}\n",
        NET + "  - relu: {inplace: 1}\n",
    ],
)
def test_what_torch_refuses_is_refused(text: str) -> None:
    with pytest.raises(cnncalc.CnnCalcError):
        cnncalc.analyze(text)


# --- hints for words that are not ops ------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "op"),
    [
        ("dense", "linear"),
        ("Dense", "linear"),
        ("fc_layer", "linear"),
        ("globalavgpool", "gap"),
        ("GlobalAveragePooling2D", "gap"),
        ("global_max_pool", "gmp"),
        ("sep_conv", "dwconv"),
        ("SeparableConv2D", "dwconv"),
        ("softmax", "identity"),
        ("Conv2DTranspose", "convT"),
    ],
)
def test_suggest_op_names_what_a_word_means(word: str, op: str) -> None:
    hint = suggest_op(word)
    assert hint is not None and hint.code == "H0401" and hint.args["name"] == op
    reason = hint.args["reason"]
    assert isinstance(reason, Msg)
    for lang in ("en", "zh"):
        text = hint.text(lang)
        assert f"'{op}'" in text and "{" not in text


def test_suggest_op_by_case_and_underscores() -> None:
    assert suggest_op("batchnorm2d") == Msg("H0001", name="BatchNorm2d")
    assert suggest_op("RELU") == Msg("H0001", name="relu")
    assert suggest_op("adaptive_avg_pool") == Msg("H0001", name="adaptiveavgpool")
    assert suggest_op("cnov") is None  # left to 'did you mean' by spelling
    assert suggest_op("conv") == Msg("H0001", name="conv")


def test_every_hint_names_an_op() -> None:
    from cnncalc.layers.pytorch import HINTS, normal_word

    assert all(op in KINDS for op, _ in HINTS.values())
    assert all(normal_word(word) == word for word in HINTS)
    assert not [w for w in HINTS if any(normal_word(op) == w for op in KINDS)]  # not an op


# --- parity: PyTorch names build the same networks --------------------------------------------


def _pytorch_name_examples() -> list[str]:
    doc = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    section = doc.split("### PyTorch names", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```yaml\n(input:.*?)```", section, re.S)


@pytest.mark.parametrize("text", _pytorch_name_examples())
def test_pytorch_name_examples_match_torch(text: str) -> None:
    pytest.importorskip("torch")
    from tests.parity import compare

    compare(load_text(text))


@pytest.mark.parametrize(
    ("word", "suggested"),
    [
        ("sep_conv", "dwconv"),
        ("globalavgpool", "gap"),
        ("dense", "linear"),
        ("batchnorm2d", "BatchNorm2d"),
    ],
)
def test_the_loader_hints_the_op_a_word_means(word: str, suggested: str) -> None:
    with pytest.raises(cnncalc.CnnCalcError) as info:
        load_text(NET + f"  - {word}\n")
    assert info.value.code == "E0333"
    assert (info.value.hint or "").startswith(f"did you mean '{suggested}'?")


def test_pytorch_names_take_the_ops_names_and_defaults() -> None:
    """`MaxPool2d` is named like `maxpool` (maxpool1) and takes `defaults.maxpool`."""
    net = load_text(
        "input: 3x32x32\ndefaults:\n  maxpool: {kernel_size: 2}\nlayers:\n"
        "  - Conv2d: {out_channels: 8, kernel_size: 3}\n  - ReLU\n  - MaxPool2d\n"
    )
    assert [n.name for n in net.nodes] == ["conv1", "relu1", "maxpool1"]
    assert analyze_network(net).layers[-1].out_shape == (8, 30 // 2, 30 // 2)


@pytest.mark.parametrize(
    "item", ["bn: {momentum: null}", "BatchNorm2d: {momentum: ~}", "inorm: {momentum: null}"]
)
def test_momentum_none_is_pytorchs_cumulative_average(item: str) -> None:
    """`nn.BatchNorm2d(C, momentum=None)` keeps a cumulative moving average: accepted as torch
    accepts it, and it changes no count."""
    r = cnncalc.analyze(NET + f"  - {item}\n")
    assert r.layers[0].node.layer.momentum is None  # type: ignore[attr-defined]
    plain = cnncalc.analyze(NET + f"  - {item.split(':')[0]}\n")
    assert r.to_dict()["totals"] == plain.to_dict()["totals"]
    nn = pytest.importorskip("torch.nn")
    assert nn.BatchNorm2d(3, momentum=None).momentum is None


def test_momentum_is_still_a_number_or_null() -> None:
    assert code_of(NET + "  - bn: {momentum: fast}\n") == "E0208"
