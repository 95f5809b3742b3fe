"""The message catalogues: in step with each other, the teaching text's terms, and translated
errors (the English `err.*` templates matched, the Chinese ones filled in)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cnncalc
from cnncalc import messages as i18n
from cnncalc.cli import app
from cnncalc.cli.common import choose
from cnncalc.errors import CnnCalcError
from tests.conftest import ROOT

EN, ZH = i18n.CATALOGUES["en"], i18n.CATALOGUES["zh"]
runner = CliRunner()
TERMS = ("输入通道数", "输出通道数", "卷积核形状", "参数数量", "输出尺寸", "感受野")
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_catalogues_have_the_same_keys() -> None:
    assert sorted(set(EN) - set(ZH)) == [], "keys missing from zh"
    assert sorted(set(ZH) - set(EN)) == [], "keys missing from en"


@pytest.mark.parametrize("key", sorted(EN))
def test_placeholders_match(key: str) -> None:
    assert i18n.placeholders(EN[key]) == i18n.placeholders(ZH[key]), key


def test_zh_is_translated() -> None:
    """Every Chinese entry whose English has words in it (placeholders aside) has Chinese in it."""
    untranslated = [
        k
        for k, v in ZH.items()
        if re.search(r"[A-Za-z]{3}", re.sub(r"\{[^}]*\}", "", EN[k])) and not CJK.search(v)
    ]
    assert untranslated == []


def test_teaching_terms_are_in_the_zh_catalogue() -> None:
    values = "\n".join(ZH.values())
    for term in TERMS:
        assert term in values, term


def test_t_formats_and_falls_back_to_english() -> None:
    assert i18n.t("explain.w.total_conv", "en", cout="64", per="28", total="1,792") == (
        "64 × 28 = 1,792"
    )
    assert i18n.t("explain.w.total_conv", "zh", cout="64", per="28", total="1,792") == (
        "64（输出通道）× 28 = 1,792"
    )
    assert i18n.t("col.params", "xx") == "Params"
    assert "{conv: {bias: false}}" in i18n.t("lint.CNN105.why", "en")  # braces unescaped


@pytest.mark.parametrize(
    ("option", "env", "expected"),
    [
        (None, None, "en"),
        (None, "zh", "zh"),
        (None, "zh_CN.UTF-8", "zh"),
        ("en", "zh", "en"),
        ("ZH", None, "zh"),
        ("zh-TW", None, "zh"),
        ("", "", "en"),
    ],
)
def test_choose(option: str | None, env: str | None, expected: str) -> None:
    assert choose(option, env) == expected


def test_choose_rejects_unknown() -> None:
    with pytest.raises(CnnCalcError, match="unknown language 'fr' \\(from CNNCALC_LANG\\)") as info:
        choose(None, "fr")
    assert info.value.code == "E0006"
    assert info.value.hint == "choose one of en, zh"


def test_the_in_channels_error_reads_in_chinese() -> None:
    """The engine's wrong-`in` error, with its layer prefix and source, is one coded message
    whose parts are rendered in the same language."""
    text = "input: 3x8x8\nlayers:\n  - conv: {out: 8, k: 3}\n  - conv: {in: 4, out: 8, k: 3}\n"
    with pytest.raises(CnnCalcError) as info:
        cnncalc.analyze(text)
    err = info.value
    assert err.text("en") == (
        "conv 'conv2': 'in' is 4 but 8 input channels arrive (from 'conv1', line 3)"
    )
    assert err.text("zh") == (
        "conv 'conv2'：'in' 为 4，但实际到达的输入通道数为 8（来源：'conv1'，第 3 行）"
    )


def test_render_english_is_the_default() -> None:
    with pytest.raises(CnnCalcError) as info:
        cnncalc.analyze("input: 3x8x8\nlayers:\n  - conv: {out: 8, k: 3, g: 2}\n")
    assert info.value.render("en") == info.value.render() == str(info.value)


def test_render_chinese_framing_and_messages() -> None:
    with pytest.raises(CnnCalcError) as info:
        cnncalc.analyze("input: 3x8x8\nlayers:\n  - conv: {out: 8, k: 3, g: 2}\n")
    text = info.value.render("zh")
    assert "错误[E0410]：conv 'conv1'：groups=2 必须同时整除输入通道数（3）和输出通道数（8）" in (
        text
    )
    assert "提示：输入 3 % 2 = 1，输出 8 % 2 = 0" in text
    assert "  - conv: {out: 8, k: 3, g: 2}" in text  # the quoted line and caret stay
    assert "^" in text


def test_cli_errors_in_chinese(tmp_path: Path) -> None:
    bad = tmp_path / "net.yaml"
    bad.write_text("input: 3x32x32\nlayers:\n  - conv: {out: 8, kernal: 3}\n")
    result = runner.invoke(app, ["params", str(bad)], env={"CNNCALC_LANG": "zh"})
    assert result.exit_code == 2
    assert f"{bad}:3:20: 错误[E0314]：'conv' 没有参数 'kernal'" in result.stderr
    assert "提示：是不是想写 'kernel'？" in result.stderr  # the shared H0001
    result = runner.invoke(app, ["params", str(bad), "--lang", "zh"])
    assert re.search(r"错误(\[[EW]\d{4}\])?：", result.stderr)
    result = runner.invoke(app, ["params", str(bad)], env={"CNNCALC_LANG": ""})
    assert "error[E0314]: 'conv' has no argument 'kernal'" in result.stderr


def test_cli_unknown_language_exits_2() -> None:
    result = runner.invoke(app, ["params", str(ROOT / "examples" / "stack.yaml"), "--lang", "fr"])
    assert result.exit_code == 2
    assert "unknown language 'fr'" in result.stderr
    assert result.stdout == ""


def test_params_table_in_chinese() -> None:
    stack = str(ROOT / "examples" / "stack.yaml")
    result = runner.invoke(app, ["params", stack, "--lang", "zh"])
    assert result.exit_code == 0, result.output
    for header in ("层", "输出尺寸", "卷积核形状", "参数数量", "感受野", "合计"):
        assert header in result.stdout
    assert f"{64 * 28 + 128 * (64 * 9 + 1):,}" in result.stdout  # 75,648
    assert "计数约定" in result.stdout
    english = runner.invoke(app, ["params", stack])
    assert "Layer" in english.stdout and "层" not in english.stdout


def test_teaching_modules_import_light() -> None:
    code = (
        "import sys, cnncalc.messages, cnncalc.analysis.lint, cnncalc.analysis.flow, "
        "cnncalc.analysis.explain; "
        "print(sorted(m for m in ('rich', 'typer', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("input: 3x8x8\nlayers:\n  - conv: {out: 8, k: 3}\n  - add: [input, prev]\n", "needs"),
        ("input: 3:8:8\nlayers: [relu]\n", "base-60"),
        ("input: 3x8x8\nlayers:\n  - conv: {out: 8, k: 3, bias: yes}\n", "must be true or false"),
        ("input: 3x8x8\nlayers:\n  - {relu: , name: a}\n  - {relu: , name: a}\n", "duplicate"),
        ("input: 3x8x8\nlayers:\n  - conv: {out: 8, kernal: 3}\n", "has no argument"),
        ("input: 3x8x8\nlayers:\n  - conv: {out: 8, k: 3, g: 2}\n", "must divide"),
    ],
)
def test_common_errors_read_in_chinese(text: str, english: str) -> None:
    with pytest.raises(cnncalc.CnnCalcError) as info:
        cnncalc.analyze(text)
    zh = info.value.render("zh")
    assert re.search(r"错误\[E[0-9]{4}\]：", zh)
    assert english not in zh
