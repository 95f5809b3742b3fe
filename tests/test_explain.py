"""Explanations: the teaching text's numbers for `examples/stack.yaml`, every note on what an op
does to channels, the receptive-field step, and `cnncalc explain` / `cnncalc layer` sharing them.
Golden files in tests/golden_explain/ are rewritten by `pytest --update-goldens`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import cnncalc
from cnncalc.analysis.explain import Step, channel_path, explain, explain_report, overview
from cnncalc.cli import app
from tests.conftest import EXAMPLES, ROOT

runner = CliRunner()
STACK = str(ROOT / "examples" / "stack.yaml")
GOLDEN = Path(__file__).resolve().parent / "golden_explain"
TERMS = ("输入通道数", "输出通道数", "卷积核形状", "参数数量", "输出尺寸", "感受野")


def steps_of(source: str, layer: str, lang: str = "en") -> dict[str, Step]:
    report = cnncalc.analyze(source)
    (section,) = explain_report(report, layer, lang)
    return {s.label: s for s in section.steps}


def net(layers: str, shape: str = "3x32x32") -> str:
    return f"input: {shape}\nlayers:\n" + layers


# --- the teaching text's numbers --------------------------------------------------------------


def test_stack_first_conv_is_the_teaching_example() -> None:
    """nn.Conv2d(3, 64, kernel_size=3): kernels 3x3x3, 3×3×3 + 1 = 28 per kernel, 64 × 28."""
    s = steps_of(STACK, "conv1")
    assert s["Input channels"].value == "3"
    assert "each kernel is 3 deep" in s["Input channels"].working
    assert s["Output channels"].value == "64"
    assert s["Output channels"].working == "64 kernels, one per output channel"
    assert s["Kernel shape"].value == "64×3×3×3"
    assert s["Kernel shape"].working.startswith("64 kernels of 3×3×3")
    assert s["Params per kernel"].value == f"{3 * 3 * 3 + 1}"  # 28
    assert s["Params per kernel"].working == "3×3×3 + 1 = 28 (weights + bias)"
    assert s["Total params"].value == f"{64 * 28:,}"  # 1,792
    assert s["Total params"].working == "64 × 28 = 1,792"
    assert s["Output size H"].working == "⌊(32 + 2·0 − 1·(3−1) − 1)/1⌋ + 1 = 30"
    assert s["Output shape"].value == "64×30×30"
    assert s["MACs"].value == f"{64 * 27 * 30 * 30:,}"  # 1,555,200
    assert s["FLOPs"].value == f"{2 * 64 * 27 * 30 * 30:,}"
    assert s["Receptive field"].value == "3×3"
    assert s["Receptive field"].working.startswith("1 + (3−1)·1 = 3; jump 1·1 = 1")


def test_stack_second_conv_64_to_128() -> None:
    """nn.Conv2d(64, 128, kernel_size=3): kernels 3x3x64, 3×3×64 + 1 = 577, 128 × 577 = 73,856."""
    s = steps_of(STACK, "conv2")
    assert "each kernel is 64 deep" in s["Input channels"].working
    assert s["Kernel shape"].value == "128×64×3×3"
    assert s["Params per kernel"].working == f"3×3×64 + 1 = {3 * 3 * 64 + 1} (weights + bias)"
    assert s["Total params"].value == f"{128 * (3 * 3 * 64 + 1):,}"  # 73,856
    assert s["Total params"].working == "128 × 577 = 73,856"
    assert s["MACs"].value == f"{128 * 64 * 9 * 28 * 28:,}"  # 57,802,752
    assert s["Receptive field"].working.startswith("3 + (3−1)·1 = 5")  # grows by k−1 per conv


def test_stack_overview() -> None:
    report = cnncalc.analyze(STACK)
    s = {x.label: x for x in overview(report)}
    assert s["Input"].working == "3 channels: a colour image (red, green, blue)"
    assert s["Channel path"].value == "3 → 64 → 128"
    assert s["Total params"].working == f"1,792 + 73,856 = {1792 + 73856:,}"  # 75,648
    assert s["MACs"].value == f"{1_555_200 + 57_802_752:,}"  # docs/counting.md: 59,357,952
    assert channel_path(report) == [3, 64, 128]


def test_stack_in_chinese_uses_the_teaching_terms() -> None:
    s = steps_of(STACK, "conv1", "zh")
    assert s["每个卷积核的参数"].working == "3×3×3（输入通道）+ 1（偏置）= 28"  # the text's wording
    assert s["参数数量"].working == "64（输出通道）× 28 = 1,792"
    result = runner.invoke(app, ["explain", STACK, "--lang", "zh"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    for term in TERMS:
        assert term in result.stdout, term


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_stack_golden(lang: str, update_goldens: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # locations in the output are relative, as a user types them
    args = ["explain", "examples/stack.yaml", "--lang", lang]
    result = runner.invoke(app, args, env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    text = "\n".join(line.rstrip() for line in result.stdout.splitlines()) + "\n"
    path = GOLDEN / f"stack.{lang}.txt"
    if update_goldens:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"missing golden {path.name}: run pytest --update-goldens"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs"


# --- what each op does to channels (the teaching text's table) --------------------------------


def test_pointwise_conv_changes_channels_freely() -> None:
    s = steps_of(net("  - conv: {out: 128, k: 1}\n", "64x8x8"), "conv1")
    assert s["1×1 conv"].working == (
        "mixes channels only: changes the channel count freely (64 → 128)"
    )
    assert s["Params per kernel"].working == f"1×1×64 + 1 = {64 + 1} (weights + bias)"


def test_pooling_keeps_channels() -> None:
    s = steps_of(net("  - maxpool: 2\n", "64x8x8"), "maxpool1")
    assert s["Channels"].value == "64 → 64"
    assert "pooling keeps the channel count" in s["Channels"].working
    assert s["Params"].value == "0"
    assert s["Output size H"].working == "⌊(8 + 2·0 − 1·(2−1) − 1)/2⌋ + 1 = 4"
    assert s["Receptive field"].working.startswith("1 + (2−1)·1 = 2; jump 1·2 = 2")


def test_groups_must_divide_both() -> None:
    s = steps_of(net("  - conv: {out: 128, k: 3, g: 4}\n", "64x8x8"), "conv1")
    assert s["Groups"].working == (
        "groups=4 must divide both channel counts (64 and 128); each group maps 16 → 32 channels"
    )
    assert s["Input channels"].working == "each kernel is 16 deep: 64 input channels / 4 groups"
    assert s["Params per kernel"].working == f"3×3×16 + 1 = {9 * 16 + 1} (weights + bias)"
    assert s["Total params"].value == f"{128 * (9 * 16 + 1):,}"


def test_transposed_conv_reads_in_over_groups_channels() -> None:
    """Weight (in, out/groups, k): each output channel reads in/groups input channels."""
    s = steps_of(net("  - convT: {out: 32, k: 4, s: 2, p: 1, g: 2}\n", "64x8x8"), "convT1")
    assert (
        s["Input channels"].working
        == f"each kernel is {64 // 2} deep: 64 input channels / 2 groups"
    )
    assert s["Kernel shape"].value == "64×16×4×4"
    assert s["Total params"].value == f"{64 * (4 * 4 * 32 // 2) + 32:,}"
    s = steps_of(net("  - convT: {out: 32, k: 4}\n", "64x8x8"), "convT1")
    assert s["Input channels"].working.startswith("each kernel is 64 deep")


def test_depthwise_one_filter_per_channel() -> None:
    s = steps_of(net("  - dwconv: {k: 3, p: 1}\n", "32x8x8"), "dwconv1")
    assert s["Groups"].working.startswith("depthwise: groups = input channels = 32, one 3×3 filter")
    assert s["Kernel shape"].value == "32×1×3×3"
    assert s["Total params"].value == f"{32 * (9 + 1)}"
    s = steps_of(net("  - dwconv: {k: 3, mult: 2}\n", "32x8x8"), "dwconv1")
    assert "2 3×3 filters per channel" in s["Groups"].working


def test_concat_adds_channels_and_add_keeps_them() -> None:
    source = net(
        "  - conv: {out: 8, k: 1}\n"
        "    name: a\n"
        "  - conv: {out: 8, k: 1}\n"
        "    name: b\n"
        "    from: input\n"
        "  - concat: [a, b]\n"
        "  - add: [a, b]\n"
        "    name: s\n"
    )
    s = steps_of(source, "concat1")
    assert s["Channels"].working == "8 + 8 = 16: concatenation stacks the channels"
    s = steps_of(source, "s")
    assert s["Channels"].value == "8"
    assert s["Receptive field"].working == "the widest of the inputs: 1×1"


def test_linear_norm_flatten_dropout() -> None:
    source = net("  - bn\n  - dropout: 0.2\n  - flatten\n  - linear: 10\n", "4x2x2")
    assert steps_of(source, "bn1")["Params"].working == "2 × 4 = 8 (scale γ and shift β)"
    assert "0.2" in steps_of(source, "dropout1")["Params"].working
    assert steps_of(source, "flatten1")["Features"].working == "4×2×2 = 16 values in one vector"
    s = steps_of(source, "linear1")
    assert s["Params per output"].working == f"16 + 1 = {16 + 1} (weights + bias)"
    assert s["Total params"].working == f"10 × 17 = {10 * 17}"
    assert s["MACs"].working.startswith(f"16 × 10 = {16 * 10}")


def test_batch_multiplies_macs() -> None:
    s = steps_of("input: 3x8x8\nbatch: 4\nchannels: 3→8\n", "conv1")
    per_sample = 8 * 27 * 6 * 6
    assert s["MACs"].value == f"{4 * per_sample:,}"
    assert f"× batch 4 = {4 * per_sample:,}" in s["MACs"].working


def test_without_size_stops_at_params() -> None:
    report = cnncalc.analyze(STACK)
    labels = [s.label for s in explain(report.layers[0], with_size=False)]
    assert labels[-1] == "Total params"
    assert not any(label.startswith("Output size") for label in labels)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_layer_of_every_example_explains(example: Path, lang: str) -> None:
    report = cnncalc.analyze(example)
    sections = explain_report(report, None, lang)
    assert [s.row.name for s in sections] == [r.name for r in report.layers]
    for section in sections:
        assert section.steps, section.row.name
        labels = [s.label for s in section.steps]
        assert labels[-1] == ("Receptive field" if lang == "en" else "感受野") or not section.row.rf


# --- the commands --------------------------------------------------------------------------


def test_explain_one_layer() -> None:
    result = runner.invoke(app, ["explain", STACK, "--layer", "conv2"])
    assert result.exit_code == 0, result.output
    assert "conv2  ·  conv  ·  64×30×30 → 128×28×28" in result.stdout
    assert "conv1  ·" not in result.stdout
    assert "the whole network" not in result.stdout


def test_explain_unknown_layer_exits_2() -> None:
    result = runner.invoke(app, ["explain", STACK, "--layer", "conv3"])
    assert result.exit_code == 2
    assert "error[E0701]: no layer named 'conv3' in this network" in result.stderr
    assert "did you mean 'conv1'?" in result.stderr or "did you mean 'conv2'?" in result.stderr
    zh = runner.invoke(app, ["explain", STACK, "--layer", "conv3", "--lang", "zh"])
    assert "错误[E0701]：网络中没有名为 'conv3' 的层" in zh.stderr


def test_layer_command_shares_the_explanation() -> None:
    result = runner.invoke(app, ["layer", "--in", "64", "--out", "128", "-k", "3", "--size", "30"])
    assert result.exit_code == 0, result.output
    assert "128 × 577 = 73,856" in result.stdout
    zh = runner.invoke(app, ["layer", "--in", "3", "--out", "64", "-k", "3", "--lang", "zh"])
    assert zh.exit_code == 0, zh.output
    assert "3×3×3（输入通道）+ 1（偏置）= 28" in zh.stdout
    assert "64（输出通道）× 28 = 1,792" in zh.stdout
    for term in ("输入通道数", "输出通道数", "卷积核形状", "参数数量"):
        assert term in zh.stdout


# --- shifted windows: the zero-cost moves inside window attention ---------------------------

WINDOWS = "input: 32x7x20\nlayers:\n  - permute: [0, 2, 3, 1]\n"


@pytest.mark.parametrize(
    ("shift", "window", "value", "words"),
    [
        (3, 4, "3", "torch.roll by −3 on both axes"),  # 8×20 padded, both axes rolled
        (3, 7, "3", "torch.roll by −3 along W only"),  # w = 7 covers H = 7: torchvision's rule
        (3, 21, "0", "the shift of 3 is not applied"),  # one window covers the 7×21 map
        (0, 7, "0", "the windows are cut where they lie"),
    ],
)
def test_window_attention_shows_its_shift(shift: int, window: int, value: str, words: str) -> None:
    item = f"  - window_attention: {{heads: 4, window: {window}, shift: {shift}}}\n    name: a\n"
    s = steps_of(WINDOWS + item, "a")
    assert s["Shift"].value == value
    assert words in s["Shift"].working
    assert ("no MACs" in s["Shift"].working) == (value != "0")


def test_window_partition_is_a_step_with_its_shape() -> None:
    """A 7×20 map, w = 7: padded to 7×21, ⌈7/7⌉·⌈20/7⌉ = 3 windows of 7² = 49 tokens of 32."""
    s = steps_of(WINDOWS + "  - window_attention: {heads: 4, window: 7}\n    name: a\n", "a")
    assert s["Window partition"].value == "3×49×32"
    assert "7×20×32 padded to 7×21×32, cut into 3 windows of 49 tokens" in (
        s["Window partition"].working
    )
    zh = steps_of(WINDOWS + "  - window_attention: {heads: 4, window: 7}\n    name: a\n", "a", "zh")
    assert zh["窗口划分"].value == "3×49×32" and zh["移位"].value == "0"


def test_swin_t_last_stage_does_not_shift() -> None:
    """examples/swin_t.yaml: stage 4 runs on 7×7 with 7×7 windows, so its 'shift: 3' block is not
    shifted (torchvision sets the shift to 0), while stage 1's is (56×56)."""
    report = ROOT / "examples" / "swin_t.yaml"
    assert steps_of(str(report), "features.1.1.attn")["Shift"].value == "3"
    assert steps_of(str(report), "features.7.1.attn")["Shift"].value == "0"
    assert steps_of(str(report), "features.1.1.attn")["Window partition"].value == "64×49×96"
