"""Ultralytics YOLO model files: read as Ultralytics' `parse_model` builds them, every number
equal to the installed Ultralytics (the pinned release) and torch's FlopCounterMode."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cnncalc.analysis.ultralytics import figures as ultralytics_figures
from cnncalc.analysis.ultralytics import fused_params
from cnncalc.cli import app
from cnncalc.engine import analyze_network
from cnncalc.errors import Source
from cnncalc.loader import load_source
from cnncalc.loader.ultralytics import YoloOptions, make_divisible, scale_from_name
from tests.conftest import ROOT
from tests.ultralytics_oracle import check, torch_figures, ultralytics_models

EXAMPLE = ROOT / "examples" / "ultralytics" / "pcb_defects.yaml"
ENV = {"NO_COLOR": "1", "GITHUB_ACTIONS": "", "CNNCALC_LANG": "", "COLUMNS": "100"}
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=ENV)
    return result.exit_code, result.stdout, result.stderr


# --- the rules, without Ultralytics ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "scale"),
    [("yolov8n.yaml", "n"), ("yolo11x.yaml", "x"), ("yolov5s-p6.yaml", "s"),
     ("yolov8.yaml", ""), ("dir/yolo26m.yaml", "m"), ("pcb_defects.yaml", "")],
)  # fmt: skip
def test_the_scale_comes_from_the_file_name_as_ultralytics_reads_it(name: str, scale: str) -> None:
    assert scale_from_name(name) == scale


@pytest.mark.parametrize(("x", "out"), [(16.0, 16), (16.01, 24), (1024 * 0.25, 256), (20.0, 24)])
def test_channels_round_up_to_a_multiple_of_8(x: float, out: int) -> None:
    assert make_divisible(x) == out


def net_of(text: str, name: str = "m.yaml", **opts: Any) -> Any:
    return analyze_network(load_source(Source(name, text), YoloOptions(**opts)))


def test_the_example_at_scale_s_counts_every_layer_by_formula() -> None:
    report = net_of(EXAMPLE.read_text(encoding="utf-8"), "pcb_defects.yaml", scale="s")
    # row 0: Conv(3 -> ceil(64 * 0.25 / 8) * 8 = 16, k3 s2): 16·3·9 weights + BN 2·16
    row0 = [r for r in report.layers if r.name.startswith("model.0.")]
    assert [r.name for r in row0] == ["model.0.conv", "model.0.bn", "model.0.act"]
    assert sum(r.params for r in row0) == 16 * 3 * 9 + 2 * 16
    assert row0[0].macs == 16 * 320 * 320 * 3 * 9
    # DFL: 16 frozen weights, reg_max·4·anchors MACs; 8400 anchors at 640 (80² + 40² + 20²)
    dfl = report.layer("model.23.dfl.conv")
    assert (dfl.params, dfl.frozen, dfl.macs) == (16, True, 16 * 4 * 8400)
    assert report.output_shape == (4 + 6, 8400)
    assert report.totals.frozen_params == 16


def test_repeats_follow_the_depth_and_c3k_is_forced_at_m() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    small = net_of(text, "x.yaml", scale="s")  # depth 0.33: 4 -> round(1.32) = 1
    names = {r.name.split(".")[3] for r in small.layers if r.name.startswith("model.4.m.")}
    assert names == {"0"}
    mid = net_of(text, "x.yaml", scale="m")  # depth 0.67: 4 -> 3; C3k2 takes c3k at m
    names = {r.name.split(".")[3] for r in mid.layers if r.name.startswith("model.4.m.")}
    assert names == {"0", "1", "2"}
    assert any(r.name.startswith("model.6.m.0.cv3.") for r in mid.layers)  # a C3k inside


def test_nc_and_a_non_square_image_change_the_head() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    report = net_of(text, "x.yaml", scale="t", nc=3, imgsz=(384, 640))
    anchors = 48 * 80 + 24 * 40 + 12 * 20
    assert report.output_shape == (7, anchors)
    assert report.network.input_shape == (3, 384, 640)


def test_params_reads_an_ultralytics_file_with_its_options() -> None:
    code, out, err = invoke("params", str(EXAMPLE), "--scale", "t", "--nc", "2", "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["output_shape"] == [6, 8400]
    assert data["name"] == "pcb_defects"
    assert data["layers"][0]["name"] == "model.0.conv"
    assert any(b["name"] == "model.10" for b in data["blocks"])


def test_the_totals_have_the_fused_params_and_both_info_gflops() -> None:
    report = net_of(EXAMPLE.read_text(encoding="utf-8"), "x.yaml", scale="s")
    bn = [r for r in report.layers if r.op == "bn"]
    fused = report.totals.params - sum(r.params for r in bn) // 2  # 2·C each, C stay as biases
    # thop: 2 ops per element entering a BatchNorm, doubled for the affine part, doubled again
    unfused = report.totals.flops + 8 * sum(math.prod(r.in_shape) for r in bn)
    assert fused_params(report) == fused
    totals = json_totals(str(EXAMPLE), "--scale", "s")
    assert (totals["fused_params"], totals["info_flops"], totals["info_flops_fused"]) == (
        fused,
        unfused,
        report.totals.flops,
    )
    code, out, err = invoke("params", str(EXAMPLE), "--scale", "s", "--depth", "0")
    assert code == 0, err
    assert f"Fused        {fused:,} params  (Ultralytics' model.fuse()" in out
    assert f"info()       {unfused:,} FLOPs unfused, {report.totals.flops:,} fused" in out
    assert f"{unfused / 1e9:.3f} / {report.totals.flops / 1e9:.3f} GFLOPs" in out
    _, md, _ = invoke("params", str(EXAMPLE), "--scale", "s", "-f", "markdown")
    assert f"- Fused: {fused:,} params" in md


def test_a_cnncalc_network_has_no_ultralytics_figures() -> None:
    stack = str(ROOT / "examples" / "stack.yaml")
    assert "fused_params" not in json_totals(stack)
    _, out, _ = invoke("params", stack)
    assert "Fused" not in out and "info()" not in out


def test_an_end_to_end_head_fuses_to_its_one_to_one_branches(tmp_path: Path) -> None:
    text = "end2end: True\n" + BASE
    report = net_of(text, "m.yaml", scale="n")
    many = [r for r in report.layers if r.name.startswith(("model.2.cv2.", "model.2.cv3."))]
    assert many and any(".one2one_cv2." in r.name for r in report.layers)
    bn = sum(r.params for r in report.layers if r.op == "bn" and r not in many)
    totals = json_totals(write(tmp_path, text), "--scale", "n")
    assert totals["fused_params"] == (report.totals.params - sum(r.params for r in many) - bn // 2)
    assert totals["info_flops_fused"] == report.totals.flops - sum(r.flops for r in many)


@pytest.mark.parametrize(
    ("imgsz", "used", "stride"),
    [("650", (672, 672), 32), ("100x200", (128, 224), 32), ("1", (32, 32), 32),
     ("384x640", (384, 640), 32)],
)  # fmt: skip
def test_an_image_size_off_the_stride_is_rounded_up_as_check_imgsz_does(
    imgsz: str, used: tuple[int, int], stride: int
) -> None:
    code, out, err = invoke("params", str(EXAMPLE), "--scale", "t", "--imgsz", imgsz, "-f", "json")
    assert code == 0, err
    assert json.loads(out)["input"] == [3, *used]
    size = imgsz if "x" in imgsz else f"{imgsz}x{imgsz}"
    note = f"--imgsz {size} is not a multiple of the max stride {stride}: using {used[0]}x{used[1]}"
    assert (note in err) == (tuple(used) != tuple(int(v) for v in size.split("x")))
    assert json.loads(out)["totals"] == json_totals(
        str(EXAMPLE), "--scale", "t", "--imgsz", f"{used[0]}x{used[1]}"
    )


def test_the_max_stride_of_a_p6_model_is_64(tmp_path: Path) -> None:
    p6 = BASE.replace("head:", "  - [-1, 1, Conv, [128, 3, 2]]\n" * 4 + "head:").replace(
        "[[0, 1]", "[[1, 5]"
    )  # rows 2..5 halve the map down to stride 64
    code, out, err = invoke("params", write(tmp_path, p6), "--scale", "n", "--imgsz", "96x640",
                            "-f", "json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["input"] == [3, 128, 640]
    assert "max stride 64: using 128x640" in err


def test_depth_1_lists_the_rows_of_the_file_with_their_modules() -> None:
    code, out, err = invoke("params", str(EXAMPLE), "--scale", "s", "--depth", "1", "-f",
                            "markdown")  # fmt: skip
    assert code == 0, err
    table = [line for line in out.splitlines() if line.startswith("| ")][1:]
    names = [line.split("|")[1].strip() for line in table]
    assert names == [f"**model.{i}**" if i not in (11, 12, 14, 15, 18, 21) else f"model.{i}"
                     for i in range(24)]  # fmt: skip
    ops = [line.split("|")[2].strip() for line in table]
    assert ops[:4] == ["Conv", "Conv", "C2f", "Conv"] and ops[10] == "C2PSA"
    assert ops[11:13] == ["upsample", "concat"] and ops[-1] == "Detect"
    report = net_of(EXAMPLE.read_text(encoding="utf-8"), "x.yaml", scale="s")
    params = [int(line.split("|")[5].replace(",", "")) for line in table]
    assert sum(params) == report.totals.params
    code, out, _ = invoke("params", str(EXAMPLE), "--scale", "s", "--depth", "2", "-f",
                          "markdown")  # fmt: skip
    # one level down: each row's modules, as PyTorch names them
    assert "| **&nbsp;&nbsp;model.2.cv1** | block |" in out
    assert "| &nbsp;&nbsp;model.0.conv | conv |" in out and "&nbsp;" * 4 not in out


def test_without_a_scale_the_first_is_taken_with_a_warning() -> None:
    code, _, err = invoke("params", str(EXAMPLE), "-f", "json")
    assert code == 0
    assert "warning[W0390]" in err and "'t'" in err


def json_totals(*args: str) -> dict[str, int]:
    code, out, err = invoke("params", *args, "-f", "json")
    assert code == 0, err
    return json.loads(out)["totals"]


def totals(*args: str) -> dict[str, int]:
    code, out, err = invoke("params", *args, "-f", "json")
    assert code == 0, err
    return json.loads(out)["totals"]


def test_a_scaled_name_reads_the_unscaled_file_at_that_scale(tmp_path: Path) -> None:
    (tmp_path / "yolov99.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    asked = str(tmp_path / "yolov99s.yaml")
    code, out, err = invoke("params", asked, "-f", "json")
    assert code == 0, err
    assert f"note: {asked} does not exist: reading {tmp_path / 'yolov99.yaml'} at scale s" in err
    assert json.loads(out)["totals"] == totals(str(EXAMPLE), "--scale", "s")


def test_input_builds_an_ultralytics_file_for_that_image() -> None:
    given = totals(str(EXAMPLE), "--scale", "t", "--input", "1x384x640")
    assert given == totals(str(EXAMPLE), "--scale", "t", "--imgsz", "384x640", "--ch", "1")
    assert given != totals(str(EXAMPLE), "--scale", "t")


def test_the_files_ch_is_the_input_channels_unless_ch_is_given(tmp_path: Path) -> None:
    path = write(tmp_path, "ch: 1\n" + EXAMPLE.read_text(encoding="utf-8"))
    code, out, err = invoke("params", path, "--scale", "t", "-f", "json")
    assert code == 0, err
    assert json.loads(out)["input"] == [1, 640, 640]
    code, out, err = invoke("params", path, "--scale", "t", "--ch", "4", "-f", "json")
    assert json.loads(out)["input"] == [4, 640, 640]


def test_diff_compares_two_scales_of_one_file(tmp_path: Path) -> None:
    (tmp_path / "yolov99.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    old, new = str(tmp_path / "yolov99s.yaml"), str(tmp_path / "yolov99m.yaml")
    code, out, err = invoke("diff", old, new, "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    small, mid = totals(str(EXAMPLE), "--scale", "s"), totals(str(EXAMPLE), "--scale", "m")
    assert data["totals"]["params"] == {
        "old": small["params"],
        "new": mid["params"],
        "delta": mid["params"] - small["params"],
        "pct": data["totals"]["params"]["pct"],
    }
    assert small["params"] < mid["params"]


@pytest.mark.parametrize(
    "command",
    [("explain",), ("flow",), ("lint",), ("check", "--max-params", "10M")],
)
def test_every_command_takes_the_ultralytics_options(command: tuple[str, ...]) -> None:
    code, _, err = invoke(*command, str(EXAMPLE), "--scale", "t", "--nc", "2", "--imgsz", "320")
    assert code == 0, err
    assert "Traceback" not in err and "W0390" not in err


def test_the_detect_head_draws_no_design_advice() -> None:
    code, out, err = invoke("lint", str(EXAMPLE), "--scale", "s", "-f", "json")
    assert code == 0, err
    assert "model.23." not in out


BASE = """nc: 4
scales:
  n: [0.33, 0.25, 1024]
backbone:
  - [-1, 1, Conv, [64, 3, 2]]
  - [-1, 1, Conv, [128, 3, 2]]
head:
  - [[0, 1], 1, Detect, [nc]]
"""


CLS = BASE.replace("  - [[0, 1], 1, Detect, [nc]]", "  - [-1, 1, Classify, [nc]]")


def write(tmp_path: Path, text: str, name: str = "m.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("text", "args", "code", "where"),
    [
        (BASE.replace("Conv, [128", "HGBlock, [128"), (), "E0390", ":6:13:"),
        (BASE, ("--scale", "x"), "E0392", ":2:1:"),
        (BASE.replace("[64, 3, 2]", "[wide, 3, 2]"), (), "E0393", ":5:19:"),
        (BASE.replace("nc: 4\n", ""), (), "E0394", ":7:25:"),
        ("activation: nn.Mish()\n" + BASE, (), "E0395", ":1:13:"),
        (BASE.replace("scales:\n  n: [0.33, 0.25, 1024]\n", ""), ("--scale", "n"), "E0396", ""),
        (BASE.replace("[[0, 1]", "[[0, 5]"), (), "E0397", ":8:6:"),
        (CLS.replace("nc: 4\n", ""), (), "E0394", ":7:23:"),
        (CLS.replace("[-1, 1, Classify", "[[0, 1], 1, Classify"), (), "E0393", ":8:27:"),
        (BASE.replace("[64, 3, 2]", "[-64, 3, 2]"), (), "E0207", ":5:13:"),
        (BASE.replace("[64, 3, 2]", "[64, 0, 2]"), (), "E0207", ":5:13:"),
        (BASE.replace("[64, 3, 2]", "[64, 3, -2]"), (), "E0207", ":5:13:"),
        (BASE.replace("[64, 3, 2]", "[64, 3, 2, -5]"), (), "E0207", ":5:13:"),
        (BASE.replace("[-1, 1, Conv, [128, 3, 2]]", "[-1, 1, Conv]"), (), "E0817", ":6:5:"),
        (BASE.replace("[-1, 1, Conv, [128, 3, 2]]", "Conv"), (), "E0817", ":6:5:"),
        ("backbone: []\nhead: []\n", (), "E0818", ":1:11:"),
        (BASE, ("--imgsz", "0x640"), "E0014", ""),
        (BASE, ("--imgsz", "big"), "E0014", ""),
    ],
)
def test_bad_ultralytics_files_fail_located_with_a_code_and_a_hint(
    tmp_path: Path, text: str, args: tuple[str, ...], code: str, where: str
) -> None:
    path = write(tmp_path, text)
    status, _, err = (
        invoke("params", path, "--scale", "n", *args)
        if "--scale" not in args
        else invoke("params", path, *args)
    )
    assert status == 2, err
    assert f"error[{code}]" in err
    assert "hint: " in err
    assert "Traceback" not in err
    if where:
        assert f"m.yaml{where}" in err


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ("[-64, 3, 2]", "out_channels must be at least 1, got -16"),  # ceil(-64 · 0.25 / 8) · 8
        ("[64, 0, 2]", "kernel_size must be at least 1, got 0"),
        ("[64, 3, 2, -5]", "padding must be at least 0, got -5"),
    ],
)
def test_a_size_below_its_least_is_refused_on_its_row(tmp_path: Path, args: str, said: str) -> None:
    path = write(tmp_path, BASE.replace("[64, 3, 2]", args))
    status, out, err = invoke("params", path, "--scale", "n")
    assert (status, out) == (2, "")
    assert f"model.0.conv: {said}" in err


def test_check_reads_a_scaled_name_as_the_other_commands_do(tmp_path: Path) -> None:
    write(tmp_path, BASE, "yolov99.yaml")
    scaled = str(tmp_path / "yolov99n.yaml")  # does not exist: yolov99.yaml at scale n
    code, data = check_json(scaled, "--max-params", "10M")
    assert code == 0 and data["passed"]
    assert data["files"][0]["budgets"][0]["used"] == json_totals(scaled)["params"]


def test_a_module_not_read_yet_is_not_offered_a_near_name(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("Conv, [128", "A2C2f, [128"))
    _, _, err = invoke("params", path, "--scale", "n")
    assert "module 'A2C2f'" in err and "did you mean" not in err
    assert "supported: Conv" in err
    typo = write(tmp_path, BASE.replace("Conv, [128", "C2ff, [128"), "typo.yaml")
    assert "did you mean 'C2f'" in invoke("params", typo, "--scale", "n")[2]


def test_an_unknown_module_names_the_supported_ones(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("Conv, [128", "C2F, [128"))
    _, _, err = invoke("params", path, "--scale", "n")
    assert "module 'C2F'" in err
    assert "C2f" in err and "SPPF" in err and "Detect" in err


def test_a_classifier_counts_its_head_by_formula_and_keeps_torchs_batchnorm() -> None:
    """Classify: Conv 1×1 to 1280 (+ BatchNorm), global pool, Linear to nc; a
    classification model's BatchNorms keep PyTorch's eps and momentum; model.info() adds
    thop's pool count (an add per element pooled, a divide per output), doubled."""
    report = analyze_network(
        load_source(Source("m.yaml", CLS), YoloOptions(scale="n", imgsz=(64, 96)))
    )
    rows = {r.name: r for r in report.layers}
    c1 = 32  # Conv 128 at width 0.25
    assert rows["model.2.conv.conv"].params == c1 * 1280
    assert rows["model.2.linear"].params == 1280 * 4 + 4
    assert rows["model.2.pool"].in_shape == (1280, 16, 24)
    assert report.output_shapes == ((4,),)
    assert {r.layer.eps for r in report.network.nodes if r.op == "bn"} == {1e-5}
    f = ultralytics_figures(report)
    bn = 16 * 32 * 48 + 32 * 16 * 24 + 1280 * 16 * 24
    assert f.info_flops == report.totals.flops + 8 * bn + 2 * (1280 * 16 * 24 + 1280)
    assert f.fused_params == report.totals.params - 16 - 32 - 1280


def test_only_an_end_to_end_head_is_said_to_lose_its_one_to_many_branches(tmp_path: Path) -> None:
    """A classifier's pool makes info()'s fused FLOPs differ from cnncalc's, yet it has no
    one-to-many head to remove; YOLO26's Detect has."""
    base, _ = ultralytics_models()
    cls = invoke("params", write(tmp_path, CLS), "--scale", "n")
    e2e = invoke("params", str(base / "26" / "yolo26.yaml"), "--scale", "n")
    assert cls[0] == e2e[0] == 0
    assert "folded into its conv)" in cls[1].replace("\n", " ") and "one-to-many" not in cls[1]
    assert "the one-to-many head removed" in e2e[1].replace("\n", " ")


def test_a_model_with_a_module_not_read_fails_naming_it() -> None:
    base, _ = ultralytics_models()
    status, _, err = invoke("params", str(base / "v8" / "yolov8-cls-resnet50.yaml"))
    assert status == 2 and "error[E0390]" in err and "module 'ResNetLayer'" in err
    assert "Classify" in err


# --- parity with the installed Ultralytics --------------------------------------------------


CASES = [
    ("v8/yolov8.yaml", "n", 80, (640, 640)),
    ("v8/yolov8.yaml", "s", 80, (640, 640)),
    ("v8/yolov8.yaml", "m", 3, (384, 640)),
    ("11/yolo11.yaml", "n", 80, (640, 640)),
    ("11/yolo11.yaml", "s", 80, (640, 640)),
    ("11/yolo11.yaml", "m", 1, (640, 384)),
    ("v8/yolov8-p2.yaml", "n", 80, (320, 320)),
    ("v8/yolov8-p6.yaml", "n", 80, (640, 640)),
    ("v5/yolov5.yaml", "n", 80, (640, 640)),
    ("v5/yolov5-p6.yaml", "n", 20, (640, 640)),
    ("v3/yolov3-tiny.yaml", "", 80, (416, 416)),
    ("v6/yolov6.yaml", "n", 80, (640, 640)),
    ("26/yolo26.yaml", "n", 80, (640, 640)),
    ("26/yolo26.yaml", "s", 10, (384, 640)),
]


@pytest.mark.parametrize(("path", "scale", "nc", "imgsz"), CASES)
def test_equals_ultralytics_and_flop_counter(
    path: str, scale: str, nc: int, imgsz: tuple[int, int]
) -> None:
    base, _ = ultralytics_models()
    check((base / path).read_text(encoding="utf-8"), Path(path).name, scale, nc, imgsz)


@pytest.mark.parametrize("scale", ["t", "s", "m"])
def test_the_example_equals_ultralytics(scale: str) -> None:
    ultralytics_models()
    check(EXAMPLE.read_text(encoding="utf-8"), EXAMPLE.name, scale, 6, (640, 640))


def test_the_reference_figures_of_the_pinned_release() -> None:
    """docs/ultralytics.md's table: params, fused params, FLOPs, model.info()'s GFLOPs."""
    base, ultralytics = ultralytics_models()
    assert ultralytics.__version__ == "8.4.190"
    figures = {("v8/yolov8.yaml", "n"): (3_157_200, 3_151_904, 8_743_987_200, "8.855"),
               ("v8/yolov8.yaml", "s"): (11_166_560, 11_156_544, 28_602_624_000, "28.812"),
               ("11/yolo11.yaml", "n"): (2_624_080, 2_616_248, 6_542_502_400, "6.673"),
               ("11/yolo11.yaml", "s"): (9_458_752, 9_443_760, 21_589_760_000,
                                         "21.836")}  # fmt: skip
    doc = (ROOT / "docs" / "ultralytics.md").read_text(encoding="utf-8")
    for (path, scale), want in figures.items():
        report = net_of((base / path).read_text(encoding="utf-8"), f"x{scale}.yaml", scale=scale)
        f = ultralytics_figures(report)
        got = (report.totals.params, f.fused_params, report.totals.flops,
               f"{f.info_flops / 1e9:.3f}")  # fmt: skip
        assert got == want
        assert f.info_flops_fused == report.totals.flops
        name = Path(path).stem + scale
        row = (f"| {name} | {want[0]:,} | {want[1]:,} | {want[2]:,} | {want[3]} / "
               f"{want[2] / 1e9:.3f} |")  # fmt: skip
        assert row in doc


@pytest.mark.parametrize(
    ("options", "named"),
    [(("--imgsz", "64"), "--imgsz"), (("--scale", "s", "--nc", "3"), "--scale, --nc")],
)
def test_ultralytics_options_on_a_cnncalc_network_are_noted_not_silently_ignored(
    options: tuple[str, ...], named: str
) -> None:
    stack = str(ROOT / "examples" / "stack.yaml")
    code, out, err = invoke("params", stack, *options, "-f", "json")
    assert code == 0
    assert json.loads(out)["totals"]["macs"] == 1_555_200 + 57_802_752  # the file's 3×32×32
    assert f"note: {named}: for Ultralytics model files only, ignored for {stack}" in err
    code, _, err = invoke("params", stack, "-f", "json")
    assert code == 0 and "note:" not in err


@pytest.mark.parametrize("path", ["v8/yolov8.yaml", "26/yolo26.yaml"])
def test_the_meta_device_oracle_measures_what_a_real_model_measures(path: str) -> None:
    """The oracle builds on the meta device (shapes, no arithmetic): a real model on the CPU
    gives the same figures (an end-to-end head and attention included)."""
    import yaml

    base, _ = ultralytics_models()
    d = yaml.safe_load((base / path).read_text(encoding="utf-8"))
    d["scale"] = "n"
    real = torch_figures(dict(d), 3, (64, 96), device="cpu")
    assert torch_figures(dict(d), 3, (64, 96)) == real
    assert real.params > 0 and real.info_flops > real.flops > 0


# --- a cnncalc file that points at an Ultralytics model file ---------------------------------

LINE = ROOT / "examples" / "ultralytics" / "pcb_line.yaml"


def check_json(*args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = invoke("check", *args, "-f", "json")
    assert code in (0, 1), err
    return code, json.loads(out)


def test_check_reads_the_budgets_of_a_file_that_points_at_a_model_file() -> None:
    code, data = check_json(str(LINE))
    assert code == 0 and data["passed"]
    used = {b["name"]: b["used"] for b in data["files"][0]["budgets"]}
    direct = json_totals(str(EXAMPLE), "--scale", "s", "--nc", "6", "--imgsz", "384x640")
    assert used["params"] == direct["params"] and used["flops"] == direct["flops"]
    assert [b["line"] for b in data["files"][0]["budgets"]] == [11, 12, 13]
    assert data["files"][0]["name"] == "pcb-line-camera"


def test_a_command_line_option_replaces_the_files_and_a_budget_fails() -> None:
    code, data = check_json(str(LINE), "--scale", "m")
    assert code == 1 and not data["passed"]
    failed = {b["name"] for b in data["files"][0]["budgets"] if not b["passed"]}
    assert failed == {"params", "flops"}
    used = {b["name"]: b["used"] for b in data["files"][0]["budgets"]}
    assert used["params"] == json_totals(str(EXAMPLE), "--scale", "m", "--nc", "6")["params"]


def test_the_path_is_read_relative_to_the_pointing_file(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "yolov99.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    ref = write(tmp_path, "ultralytics: models/yolov99s.yaml\nnc: 2\nbatch: 2\n"
                          "budget:\n  params: 1k\n", "ref.yaml")  # fmt: skip
    code, data = check_json(ref)  # the scaled name reads yolov99.yaml at s, as Ultralytics does
    assert code == 1
    assert (
        data["files"][0]["budgets"][0]["used"]
        == totals(str(EXAMPLE), "--scale", "s", "--nc", "2")["params"]
    )
    code, out, err = invoke("params", ref, "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["batch"] == 2 and data["output_shape"] == [4 * 1 + 2, 8400]
    assert data["name"] == "yolov99"


def test_every_command_reads_a_file_that_points_at_a_model_file() -> None:
    for command in ("params", "explain", "flow", "lint"):
        code, _, err = invoke(command, str(LINE))
        assert code == 0, (command, err)
        assert "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "code", "where"),
    [
        ("ultralytics: missing.yaml\n", "E0811", ":1:14:"),
        ("ultralytics: ../outside.yaml\n", "E0812", ":1:14:"),
        ("ultralytics: /etc/hostname\n", "E0812", ":1:14:"),
        ("ultralytics: plain.yaml\n", "E0813", ":1:14:"),
        ("ultralytics: m.yaml\ninput: 3x64x64\n", "E0814", ":2:1:"),
        ("input: 3x64x64\nnc: 3\nlayers:\n  - conv: 8\n", "E0815", ":2:1:"),
        ("ultralytics: m.yaml\nimgsz: 0x640\n", "E0816", ":2:8:"),
        ("ultralytics: m.yaml\nimgsz: [1, 2, 3]\n", "E0816", ":2:8:"),
    ],
)
def test_a_bad_pointer_fails_located_with_a_code_and_a_hint(
    tmp_path: Path, text: str, code: str, where: str
) -> None:
    inner = tmp_path / "inner"
    inner.mkdir()
    (tmp_path / "outside.yaml").write_text(BASE, encoding="utf-8")  # exists, but outside
    (inner / "m.yaml").write_text(BASE, encoding="utf-8")
    (inner / "plain.yaml").write_text("input: 3x8x8\nlayers:\n  - conv: 4\n", encoding="utf-8")
    path = write(inner, text, "ref.yaml")
    status, _, err = invoke("check", path, "--scale", "n")
    assert status == 2, err
    assert f"ref.yaml{where} error[{code}]" in err
    assert "hint: " in err and "Traceback" not in err
    assert "localhost" not in err  # nothing of a file outside is read or quoted


def test_the_schema_knows_a_file_that_points_at_a_model_file() -> None:
    import jsonschema  # type: ignore[import-untyped]
    import yaml

    from cnncalc.loader.schema import schema

    validator = jsonschema.Draft202012Validator(schema())
    text = LINE.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../../cnncalc/schema.json"
    assert list(validator.iter_errors(yaml.safe_load(text))) == []
    ok = {"ultralytics": "m.yaml", "imgsz": [384, 640], "nc": 3, "ch": 1, "scale": "s"}
    assert list(validator.iter_errors(ok)) == []
    assert list(validator.iter_errors({"scale": "n"}))  # neither input nor ultralytics
    assert list(validator.iter_errors({"ultralytics": "m.yaml", "imgsz": "big"}))


def test_a_long_channel_path_is_shown_by_its_ends() -> None:
    """yolov8's spine passes some twenty channel counts: the overview shows four at each end."""
    from cnncalc.analysis.explain import channel_path

    base, _ = ultralytics_models()
    path = str(base / "v8" / "yolov8.yaml")
    text = Path(path).read_text(encoding="utf-8")
    report = analyze_network(load_source(Source(path, text), YoloOptions(scale="n")))
    full = channel_path(report)
    assert len(full) > 8
    code, out, err = invoke("explain", path, "--scale", "n")
    assert code == 0, err
    more = f" → ({len(full) - 8} more) → "
    ends = " → ".join(map(str, full[:4])) + more + " → ".join(map(str, full[-4:]))
    assert ends in out
