"""Lint rules: one network where each rule fires and one where it does not; the located output,
`--ignore`, the file's own `lint: {ignore: [...]}`, `--strict`, and every rule documented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cnncalc
from cnncalc.analysis.lint import RULES, Finding, lint
from cnncalc.cli import app
from cnncalc.messages import CATALOGUES
from tests.conftest import EXAMPLES, ROOT

runner = CliRunner()
#: where a finding's link points: the docs online, since an installed package has no docs/
EXAMPLE = {p.stem: p for p in EXAMPLES}
#: a classifier head, so that the output sees the whole input (no CNN107 in the CLI tests)
HEAD = "  - gap\n  - flatten\n  - linear: 10\n"
BIAS_BN = "input: 3x32x32\nlayers:\n  - conv: {out: 64, k: 3}\n  - bn\n" + HEAD


def codes(source: str | Path) -> list[str]:
    return [f.code for f in lint(cnncalc.analyze(source))]


def net(layers: str, shape: str = "3x32x32") -> str:
    return f"input: {shape}\nlayers:\n" + "".join(f"  - {item}\n" for item in layers.split("; "))


# (code, a network where it fires, one where it does not)
CASES = [
    (  # 32 → 256 in one 3×3 conv is 8×; doubling is fine
        "CNN101",
        net("conv: {out: 32, k: 3, p: 1}; relu; conv: {out: 256, k: 3, p: 1}"),
        net("conv: {out: 32, k: 3, p: 1}; relu; conv: {out: 64, k: 3, p: 1}"),
    ),
    (  # 64 → 32 at the same size; after a pooling it is a choice, not a loss
        "CNN101",
        net("conv: {out: 64, k: 3, p: 1}; conv: {out: 32, k: 3, p: 1}"),
        net("conv: {out: 64, k: 3, p: 1}; maxpool: 2; conv: {out: 32, k: 3, p: 1}"),
    ),
    (  # a 1×1 conv may change channels freely, even 16 → 96 (MobileNetV2's expansion)
        "CNN101",
        net("conv: {out: 16, k: 3, p: 1}; conv: {out: 256, k: 3, p: 1}", "3x8x8"),
        net("conv: {out: 16, k: 3, p: 1}; conv: {out: 96, k: 1}", "3x8x8"),
    ),
    ("CNN102", EXAMPLE["vgg16"], EXAMPLE["resnet18"]),
    (  # stride 2 with a 1×1 kernel reads one pixel in four; with 3×3 every pixel is read
        "CNN103",
        net("conv: {out: 64, k: 3, p: 1}; conv: {out: 64, k: 1, s: 2}"),
        net("conv: {out: 64, k: 3, p: 1}; conv: {out: 64, k: 3, s: 2, p: 1}"),
    ),
    (
        "CNN104",
        net("conv: {out: 64, k: 4, p: same}"),
        net("conv: {out: 64, k: 3, p: same}"),
    ),
    (  # bias then bn; without the bias, or with a relu between, nothing to say
        "CNN105",
        net("conv: {out: 64, k: 3}; bn"),
        net("conv: {out: 64, k: 3, bias: false}; bn; conv: {out: 64, k: 3}; relu; bn"),
    ),
    (  # 8 → 4 → 2 → 1, then a 3×3 conv on the 1×1 map; a squeeze-excite gate is fine
        "CNN106",
        net(
            "conv: {out: 32, k: 3, s: 2, p: 1}; conv: {out: 64, k: 3, s: 2, p: 1}; "
            "conv: {out: 64, k: 3, s: 2, p: 1}; conv: {out: 64, k: 3, p: 1}",
            "3x8x8",
        ),
        net("conv: {out: 32, k: 3, p: 1}; gap; conv: {out: 8, k: 1}; conv: {out: 32, k: 1}"),
    ),
    ("CNN107", EXAMPLE["stack"], EXAMPLE["resnet18"]),
    ("CNN108", net("conv: {out: 8, k: 3}"), net("conv: {out: 64, k: 3}")),
    ("CNN108", net("conv: {out: 512, k: 3}"), net("conv: {out: 32, k: 3}")),
    (  # 4,096 tokens of 64 features; ViT-B/16's 197 of 768 are fine
        "CNN110",
        net(
            "conv: {out: 64, k: 4, s: 4}; flatten: {start_dim: 2}; permute: [0, 2, 1]; "
            "attention: 4",
            "3x256x256",
        ),
        EXAMPLE["vit_b_16"],
    ),
    (
        "CNN109",
        net("conv: {out: 16, k: 3}; dropout: 0.2; bn"),
        net("conv: {out: 16, k: 3}; bn; dropout: 0.2"),
    ),
]


@pytest.mark.parametrize(("code", "fires", "quiet"), CASES, ids=[c[0] for c in CASES])
def test_rule_fires_and_does_not(code: str, fires: str | Path, quiet: str | Path) -> None:
    assert code in codes(fires)
    assert code not in codes(quiet)


def test_every_rule_has_a_case() -> None:
    assert {c[0] for c in CASES} == set(RULES)


def test_vgg16_first_fc_holds_74_percent() -> None:
    report = cnncalc.analyze(EXAMPLE["vgg16"])
    (finding,) = [f for f in lint(report) if f.code == "CNN102"]
    fc1 = 25088 * 4096 + 4096  # 102,764,544
    assert finding.layer == "linear1"
    assert finding.message() == (
        f"linear 'linear1' holds {100 * fc1 / 138_357_544:.1f}% of the network's params "
        f"({fc1:,} of 138,357,544)"
    )
    assert "74.3%" in finding.message()
    assert "74%" in finding.why()


def test_messages_name_the_numbers() -> None:
    found = lint(cnncalc.analyze(net("conv: {out: 64, k: 3, p: 1}; conv: {out: 64, k: 1, s: 2}")))
    (f,) = [x for x in found if x.code == "CNN103"]
    assert f.message() == (
        "conv 'conv2': stride 2 is larger than the kernel 1: 1 of every 2 input pixels along an "
        "axis are never read"
    )
    found = lint(cnncalc.analyze(net("conv: {out: 64, k: 4, p: same}")))
    (f,) = [x for x in found if x.code == "CNN104"]
    assert "asymmetric on H: 1 before, 2 after" in f.message()  # total 4−1 = 3: 1 + 2
    (f,) = [x for x in lint(cnncalc.analyze(BIAS_BN)) if x.code == "CNN105"]
    assert f.message() == (
        "conv 'conv1' has a bias but feeds straight into bn 'bn1': its 64 bias values are cancelled"
    )


def test_findings_are_in_source_order() -> None:
    report = cnncalc.analyze(EXAMPLE["vgg16_bn"])
    found = lint(report)
    keys = [(f.pos.line, f.pos.col) for f in found if f.pos]
    assert keys == sorted(keys)


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_is_documented_and_translated(code: str) -> None:
    docs = (ROOT / "docs" / "lint.md").read_text(encoding="utf-8")
    assert f'<a id="{code.lower()}"></a>' in docs
    assert f"`{RULES[code].slug}`" in docs
    for lang in ("en", "zh"):
        for part in ("why", "fires", "reason", "fix"):
            assert f"lint.{code}.{part}" in CATALOGUES[lang], (lang, part)
    assert Finding(code, "x", None).link == f"cnncalc lint --explain {code}"


# --- the command ---------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "net.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_located_warning_with_why_and_link(tmp_path: Path) -> None:
    path = write(tmp_path, BIAS_BN)
    result = runner.invoke(app, ["lint", path])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"CNN105 {path}:3:5: conv 'conv1' has a bias but feeds straight into bn 'bn1': "
        "its 64 bias values are cancelled"
    )
    assert lines[1].startswith("  why: batch norm subtracts each channel's mean")
    assert lines[2] == "  see: cnncalc lint --explain CNN105"
    assert "1 warning(s) in 1 file(s) checked: CNN105 ×1" in result.stderr


def test_strict_exits_1_on_a_warning_only(tmp_path: Path) -> None:
    warned = write(tmp_path, BIAS_BN)
    clean = write(
        tmp_path, "input: 3x32x32\nlayers:\n  - conv: {out: 64, k: 3, bias: false}\n  - bn\n"
        "  - gap\n  - flatten\n  - linear: 10\n",
        "clean.yaml",
    )  # fmt: skip
    assert runner.invoke(app, ["lint", "--strict", warned]).exit_code == 1
    result = runner.invoke(app, ["lint", "--strict", clean])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "no design warnings (1 file(s) checked)" in result.stderr


def test_ignore_by_code_or_name(tmp_path: Path) -> None:
    path = write(tmp_path, "input: 3x32x32\nlayers:\n  - conv: {out: 8, k: 3}\n  - bn\n" + HEAD)
    heads = [x[:6] for x in runner.invoke(app, ["lint", path]).stdout.splitlines() if x[0] != " "]
    assert heads == ["CNN105", "CNN108"]
    for args in (["--ignore", "CNN105,CNN108"], ["-i", "bias-before-bn", "-i", "cnn108"]):
        result = runner.invoke(app, ["lint", "--strict", path, *args])
        assert result.exit_code == 0, result.output
        assert result.stdout == ""


def test_ignore_unknown_code_exits_2(tmp_path: Path) -> None:
    path = write(tmp_path, "input: 3x32x32\nchannels: 3→64\n")
    result = runner.invoke(app, ["lint", path, "--ignore", "CNN150"])
    assert result.exit_code == 2
    assert "--ignore: no lint rule 'CNN150'" in result.stderr
    assert "error[E0702]:" in result.stderr
    assert "hint: did you mean 'CNN1" in result.stderr


def test_the_file_ignores_rules_itself(tmp_path: Path) -> None:
    text = "input: 3x32x32\nlint:\n  ignore: [CNN105, first-layer-channels]\nlayers:\n"
    path = write(tmp_path, text + "  - conv: {out: 8, k: 3}\n  - bn\n" + HEAD)
    result = runner.invoke(app, ["lint", "--strict", path])
    assert result.exit_code == 0, result.output
    one = write(tmp_path, "input: 3x32x32\nlint: {ignore: CNN105}\nchannels: 3→64\n", "one.yaml")
    assert "CNN105" not in runner.invoke(app, ["lint", one]).stdout


def test_the_file_names_an_unknown_rule(tmp_path: Path) -> None:
    path = write(tmp_path, "input: 3x32x32\nlint:\n  ignore: [CNN999]\nchannels: 3→64\n")
    result = runner.invoke(app, ["lint", path])
    assert result.exit_code == 2
    assert f"{path}:3:12: error[E0703]: no lint rule 'CNN999'" in result.stderr
    bad = write(tmp_path, "input: 3x32x32\nlint: {skip: [CNN105]}\nchannels: 3→64\n", "b.yaml")
    result = runner.invoke(app, ["lint", bad])
    assert result.exit_code == 2
    assert "unknown key 'skip' in 'lint'" in result.stderr


def test_a_broken_file_does_not_hide_the_others(tmp_path: Path) -> None:
    good = write(tmp_path, BIAS_BN)
    bad = write(tmp_path, "input: 3x32x32\nlayers:\n  - conv: {out: 8, kernal: 3}\n", "bad.yaml")
    result = runner.invoke(app, ["lint", bad, good])
    assert result.exit_code == 2
    assert "has no argument 'kernal'" in result.stderr
    assert result.stdout.startswith(f"CNN105 {good}:3:5:")


def test_json_format(tmp_path: Path) -> None:
    path = write(tmp_path, BIAS_BN)
    result = runner.invoke(app, ["lint", path, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == 1 and data["files"] == 1
    (f,) = data["findings"]
    assert f == {
        "code": "CNN105",
        "rule": "bias-before-bn",
        "file": path,
        "line": 3,
        "col": 5,
        "layer": "conv1",
        "message": "conv 'conv1' has a bias but feeds straight into bn 'bn1': "
        "its 64 bias values are cancelled",
        "why": f["why"],
        "docs": "cnncalc lint --explain CNN105",
    }


def test_chinese_messages(tmp_path: Path) -> None:
    path = write(tmp_path, BIAS_BN)
    result = runner.invoke(app, ["lint", path, "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert f"CNN105 {path}:3:5: conv 'conv1' 带偏置，但直接接入 bn 'bn1'" in result.stdout
    assert "  原因：批归一化会减去每个通道的均值" in result.stdout
    assert "  参见：cnncalc lint --explain CNN105" in result.stdout


#: every finding on the shipped examples, each decided (docs/lint.md, "The shipped examples").
#: torchvision's own designs lint clean unless a rule names a real cost.
EXPECTED_ON_EXAMPLES = {
    # the first FC holds most of the parameters: the cost VGG and AlexNet are known for
    ("alexnet", "CNN102", "linear1"),  # 9216 × 4096 + 4096 = 37,752,832 of 61,100,840
    ("vgg16", "CNN102", "linear1"),  # 25088 × 4096 + 4096 = 102,764,544 of 138,357,544
    ("vgg16_bn", "CNN102", "linear1"),
    ("lenet5", "CNN102", "linear1"),  # 400 × 120 + 120 = 48,120 of 61,706
    # LeNet-5 (1998, not torchvision) starts with 6 channels: the narrow stem the rule names
    ("lenet5", "CNN108", "conv1"),
    # the shorthand demo has no head: its output sees 5×5 of 32×32, a fact worth stating
    ("stack", "CNN107", "conv2"),
    # a segmentation output that sees 200×200 of 256×256: context from the far side is lost
    ("unet", "CNN107", "conv1"),
    # torchvision's vgg16_bn keeps a bias on each of its 13 convs, each cancelled by the bn
    # after it: 2·64 + 2·128 + 3·256 + 6·512 = 4,224 parameters that train to nothing
    *(("vgg16_bn", "CNN105", f"conv{i}") for i in range(1, 14)),
}
# and what no longer fires: CNN103 on ResNet's strided 1×1 shortcuts (generated by
# `shortcut: auto`, and read beside a body that reads every pixel), CNN101 on AlexNet's
# 384 → 256 (a taper, not a halving)


def test_lint_all_examples() -> None:
    """`cnncalc lint examples/*.yaml` finds exactly the decided set, each located."""
    found = {(path.stem, f.code, f.layer) for path in EXAMPLES for f in lint(cnncalc.analyze(path))}
    assert found == EXPECTED_ON_EXAMPLES
    result = runner.invoke(app, ["lint", *map(str, EXAMPLES)])
    assert result.exit_code == 0, result.output
    heads = [line for line in result.stdout.splitlines() if not line.startswith("  ")]
    assert len(heads) == len(EXPECTED_ON_EXAMPLES) == 20
    for line in heads:
        assert re.match(r"CNN1\d\d \S+\.yaml:\d+:\d+: ", line), line


def test_generated_layers_are_marked_and_not_linted() -> None:
    """`shortcut: auto` makes a 1×1 conv and a bn the user never wrote: marked `generated`,
    and no rule fires on them (here CNN103 would: stride 2 over a 1×1 kernel, and CNN101's
    siblings are not involved)."""
    report = cnncalc.analyze(EXAMPLE["resnet18"])
    generated = [r.name for r in report.layers if r.node.generated]
    assert generated == [f"layer{i}.0.shortcut1.{op}" for i in (2, 3, 4) for op in ("conv", "bn")]
    # the same network with the projection written out by hand as the only path: it fires
    text = net("conv: {out: 64, k: 3, p: 1}; residual: {body: [conv: {out: 8, k: 1, s: 2}]}")
    found = lint(cnncalc.analyze(text))
    assert [(f.code, f.layer) for f in found if f.code == "CNN103"] == [("CNN103", "conv2")]
    assert not any(r.node.generated for r in cnncalc.analyze(text).layers if r.name == "conv2")


def test_a_strided_1x1_beside_a_path_that_reads_every_pixel() -> None:
    """A strided 1×1 shortcut written out by hand (torchvision's `downsample`) is quiet when the
    body beside it reads every pixel; two strided 1×1 paths skip the same pixels and fire."""
    body = "[conv: {out: 16, k: 3, s: 2, p: 1}, bn]"
    quiet = net(f"conv: {{out: 8, k: 3, p: 1}}; residual: {{body: {body}, "
                "shortcut: [conv: {out: 16, k: 1, s: 2}, bn]}")  # fmt: skip
    assert "CNN103" not in codes(quiet)
    both = net("conv: {out: 8, k: 3, p: 1}; parallel: {branches: "
               "[[conv: {out: 8, k: 1, s: 2}], [conv: {out: 8, k: 1, s: 2}]]}")  # fmt: skip
    assert [f.layer for f in lint(cnncalc.analyze(both)) if f.code == "CNN103"] == [
        "branch1.conv1",
        "branch2.conv1",
    ]


def test_shrink_fires_only_when_channels_at_least_halve() -> None:
    """AlexNet's 384 → 256 at 13×13 tapers; 384 → 192 halves (2 × 192 = 384)."""
    taper = net("conv: {out: 384, k: 3, p: 1}; relu; conv: {out: 256, k: 3, p: 1}", "3x13x13")
    half = net("conv: {out: 384, k: 3, p: 1}; relu; conv: {out: 192, k: 3, p: 1}", "3x13x13")
    assert "CNN101" not in codes(taper)
    assert ("CNN101", "conv2") in [(f.code, f.layer) for f in lint(cnncalc.analyze(half))]


def test_docs_examples_fire_their_rule() -> None:
    """Each ```yaml network in docs/lint.md fires the rule of the section it sits in."""
    docs = (ROOT / "docs" / "lint.md").read_text(encoding="utf-8")
    checked = 0
    parts = re.split(r'^<a id="(cnn\d+)"></a>$', docs, flags=re.M)
    for code, body in zip(parts[1::2], parts[2::2]):
        for block in re.findall(r"^```yaml\n(.*?)^```$", body, flags=re.M | re.S):
            if block.startswith("input:"):
                assert code.upper() in codes(block), (code, block)
                checked += 1
    assert checked >= 1
