"""`cnncalc diff`: totals and layers between two versions, from files and from git (`REV:path`)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import cnncalc
from cnncalc.analysis.diff import TOTALS, diff_reports
from cnncalc.cli import app
from cnncalc.render import ci as ci_render
from tests.conftest import ROOT

runner = CliRunner()
GOLDEN_CI = ROOT / "tests" / "golden_ci"  # Markdown reports (tests/golden is per example)
EX = ROOT / "examples"
LENET_V2 = ROOT / "tests" / "data" / "lenet5_v2.yaml"


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["diff", *args])
    return result.exit_code, result.stdout, result.stderr


def diff_of(old: Path, new: Path) -> dict[str, Any]:
    code, out, err = invoke(str(old), str(new), "--format", "json")
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def test_identical_networks() -> None:
    r = cnncalc.analyze(EX / "resnet18.yaml")
    d = diff_reports(r, r)
    assert d.identical and d.layers == () and d.unchanged == len(r.layers)
    code, out, _ = invoke(str(EX / "resnet18.yaml"), str(EX / "resnet18.yaml"))
    assert code == 0 and "No differences." in out


def test_vgg16_to_vgg16_bn_adds_13_batch_norms() -> None:
    data = diff_of(EX / "vgg16.yaml", EX / "vgg16_bn.yaml")
    assert data["schema"] == 1
    totals = data["totals"]
    assert list(totals) == list(TOTALS)
    # one bn (2 × channels) after each of the 13 convs: 64×2, 128×2, 256×3, 512×6
    bn = 2 * (64 * 2 + 128 * 2 + 256 * 3 + 512 * 6)  # 8,448
    assert totals["params"] == {
        "old": 138_357_544,
        "new": 138_357_544 + bn,
        "delta": bn,
        "pct": round(bn / 138_357_544 * 100, 4),
    }
    assert totals["macs"]["delta"] == 0  # bn costs no MACs by the counting convention
    assert totals["param_bytes"]["delta"] == 4 * bn
    layers = data["layers"]
    assert [x["change"] for x in layers] == ["added"] * 13
    assert [x["name"] for x in layers] == [f"bn{i}" for i in range(1, 14)]
    assert layers[0]["new"]["out_shape"] == [64, 224, 224]
    assert layers[0]["old"] is None
    # relu1 now reads bn1 instead of conv1: an insertion, not a change of relu1
    assert data["summary"] == {"added": 13, "removed": 0, "changed": 0, "unchanged": 40}


def test_the_table_speaks_chinese_with_lang_zh() -> None:
    bn = 2 * (64 * 2 + 128 * 2 + 256 * 3 + 512 * 6)
    code, out, err = invoke(str(EX / "vgg16.yaml"), str(EX / "vgg16_bn.yaml"), "--lang", "zh")
    assert code == 0, err
    assert "参数数量" in out and f"+{bn:,}" in out and "新增" in out
    assert "层：新增 13，删除 0，改变 0，未变 40" in out
    for english in ("Old", "Layers:", "added", "params"):
        assert english not in out
    same = invoke(str(EX / "vgg16.yaml"), str(EX / "vgg16.yaml"), "--lang", "zh")[1]
    assert "没有差异。" in same


def test_the_other_way_removes_them() -> None:
    data = diff_of(EX / "vgg16_bn.yaml", EX / "vgg16.yaml")
    layers = data["layers"]
    assert [x["change"] for x in layers] == ["removed"] * 13
    assert layers[0]["new"] is None and layers[0]["params_delta"] == -2 * 64


def test_resnet18_to_resnet50_totals() -> None:
    data = diff_of(EX / "resnet18.yaml", EX / "resnet50.yaml")
    totals = data["totals"]
    assert totals["params"]["delta"] == 25_557_032 - 11_689_512
    assert totals["macs"]["delta"] == 4_089_184_256 - 1_814_073_344
    assert totals["flops"]["delta"] == 2 * (4_089_184_256 - 1_814_073_344)
    fc = next(x for x in data["layers"] if x["name"] == "linear1")
    assert fc["change"] == "changed"
    assert fc["params_delta"] == 1000 * 2048 - 1000 * 512  # 512 → 2048 features in
    assert fc["fields"] == ["in_shape", "kernel_shape", "params", "macs"]


def test_lenet_revision_changes_adds_and_removes() -> None:
    data = diff_of(EX / "lenet5.yaml", LENET_V2)
    by_name = {x["name"]: x for x in data["layers"]}
    assert data["summary"] == {"added": 5, "removed": 7, "changed": 3, "unchanged": 2}
    conv1 = by_name["conv1"]
    assert conv1["fields"] == ["out_shape", "kernel_shape", "params", "macs"]
    assert conv1["params_delta"] == 8 * (5 * 5 + 1) - 6 * (5 * 5 + 1)
    assert conv1["macs_delta"] == (8 - 6) * 28 * 28 * 25
    assert by_name["linear3"]["change"] == "removed"
    assert by_name["relu1"]["change"] == "added"
    # removed layers sit where they were: tanh1 and avgpool1 right after conv1
    names = list(by_name)
    assert names[:3] == ["conv1", "tanh1", "avgpool1"]


def test_rewiring_between_existing_layers_is_a_change(tmp_path: Path) -> None:
    base = "input: 3x8x8\nlayers:\n  - conv: {out: 4, k: 1}\n    name: a\n"
    old = base + "  - conv: {out: 4, k: 1}\n    name: b\n  - relu\n"
    new = base + "  - conv: {out: 4, k: 1}\n    name: b\n  - relu: \n    from: a\n"
    (tmp_path / "old.yaml").write_text(old)
    (tmp_path / "new.yaml").write_text(new)
    data = diff_of(tmp_path / "old.yaml", tmp_path / "new.yaml")
    (change,) = data["layers"]
    assert (change["name"], change["fields"]) == ("relu1", ["inputs"])
    assert "from b → a" in ci_render.layer_cells(
        diff_reports(cnncalc.analyze(old), cnncalc.analyze(new)).layers[0]
    )


def test_markdown_goldens(update_goldens: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for name, old, new in (
        ("diff_lenet.md", "examples/lenet5.yaml", "tests/data/lenet5_v2.yaml"),
        ("diff_vgg.md", "examples/vgg16.yaml", "examples/vgg16_bn.yaml"),
    ):
        code, out, _ = invoke(old, new, "-f", "markdown")
        assert code == 0
        golden = GOLDEN_CI / name
        if update_goldens:
            golden.write_text(out)
        assert out == golden.read_text(), name


def test_markdown_folds_long_tables() -> None:
    d = diff_reports(cnncalc.analyze(EX / "resnet18.yaml"), cnncalc.analyze(EX / "resnet50.yaml"))
    assert len(d.layers) > ci_render.FOLD_AFTER
    md = ci_render.diff_markdown(d)
    assert f"<details><summary>{len(d.layers)} layers differ</summary>" in md
    rows = [line for line in md.splitlines() if line.startswith("| `")]
    assert len(rows) == len(d.layers)


def test_table_format() -> None:
    code, out, _ = invoke(str(EX / "lenet5.yaml"), str(LENET_V2))
    assert code == 0
    assert "Layers: 5 added, 7 removed, 3 changed, 2 unchanged" in out
    assert f"{61_706 - 8_952:,}" in out  # new params


# --- REV:path from git --------------------------------------------------------------------------


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with models/net.yaml committed as LeNet-5, then edited to the revision."""
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(var, raising=False)
    _git(tmp_path, "init", "-q")
    (tmp_path / "models").mkdir()
    net = tmp_path / "models" / "net.yaml"
    net.write_text((EX / "lenet5.yaml").read_text())
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "lenet5")
    net.write_text(LENET_V2.read_text())
    return tmp_path


def test_rev_path_from_the_repository_root(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    code, out, err = invoke("HEAD:models/net.yaml", "models/net.yaml", "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["old"]["path"] == "HEAD:models/net.yaml"
    assert data["totals"]["params"] == {
        "old": 61_706,
        "new": 52_754,
        "delta": 52_754 - 61_706,
        "pct": round((52_754 - 61_706) / 61_706 * 100, 4),
    }


def test_rev_path_is_relative_to_the_current_directory(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo / "models")
    code, out, err = invoke("HEAD:net.yaml", "net.yaml", "-f", "json")
    assert code == 0, err
    assert json.loads(out)["summary"]["changed"] == 3


def test_rev_path_errors_exit_2(
    repo: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    code, out, err = invoke("NOPE:models/net.yaml", "models/net.yaml")
    assert code == 2 and out == ""
    assert "error[E0009]: cannot read 'NOPE:models/net.yaml' from git:" in err
    assert "Traceback" not in err
    code, _, err = invoke("HEAD:models/missing.yaml", "models/net.yaml")
    assert code == 2 and "cannot read 'HEAD:models/missing.yaml' from git" in err
    code, _, err = invoke("--", "--output=x:models/net.yaml", "models/net.yaml")
    assert code == 2 and "neither a file nor REV:path" in err
    assert not (repo / "x").exists()
    elsewhere = tmp_path_factory.mktemp("not_a_repo")
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(elsewhere.parent))
    code, _, err = invoke("HEAD:net.yaml", str(LENET_V2))
    assert code == 2 and "from git" in err


def test_errors_in_a_git_version_are_located(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    (repo / "models" / "net.yaml").write_text(
        "input: 1x8x8\nlayers:\n  - conv: {out: 4, kernal: 3}\n"
    )
    _git(repo, "commit", "-q", "-am", "broken")
    code, _, err = invoke("HEAD:models/net.yaml", str(LENET_V2))
    assert code == 2
    assert "HEAD:models/net.yaml:3:20: error[E0314]: 'conv' has no argument 'kernal'" in err
