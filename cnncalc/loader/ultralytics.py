"""Ultralytics YOLO model files (`backbone:`/`head:` lists of `[from, repeats, module, args]`)
read as they are: the same `Network` out as a cnncalc file.

The rules are those `parse_model` applies in the pinned Ultralytics release (docs/ultralytics.md):
the scale's `[depth, width, max_channels]` (the scale from `--scale`, else from the file name as
Ultralytics reads it, `yolov8n.yaml` -> `n`, else the first of `scales:` with a warning), output
channels `ceil(min(c, max_channels) · width / 8) · 8`, repeats `max(round(n · depth), 1)` for
n > 1, `nc` substituted, `from` counted back when negative. The modules are lowered in
`yolo_blocks`; rows are named `model.<i>` so that the block subtotals follow the file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

import yaml

from cnncalc.engine import INPUT, BlockCall, Graph, Network
from cnncalc.errors import CnnCalcError, CnnCalcWarning, LayerArgError, Msg, Pos, Source, SpecError
from cnncalc.loader.nodes import SNode
from cnncalc.loader.values import Ctx, listed, mapping, suggest
from cnncalc.loader.yolo_blocks import MODULES, Lowering
from cnncalc.messages import Listing

_SCALE_RE = re.compile(r"yolo(e-)?[v]?\d+([nslmx])")
#: `activation:` -> cnncalc's activation
ACTIVATIONS = {
    "SiLU": "silu",
    "ReLU": "relu",
    "ReLU6": "relu6",
    "LeakyReLU": "leakyrelu",
    "Hardswish": "hardswish",
    "GELU": "gelu",
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
}
#: modules after which `Detect` uses the newer class branch (depthwise), as `parse_model` rules
_NOT_LEGACY = frozenset({"C3k2", "A2C2f", "C2fCIB"})
#: modules of Ultralytics' own files that cnncalc does not read yet (docs/ultralytics.md)
NOT_YET = frozenset({
    "ResNetLayer", "TorchVision", "Segment26", "Pose26", "OBB26", "RepNCSPELAN4", "ADown",
    "SPPELAN", "ELAN1", "AConv", "CBLinear", "CBFuse", "A2C2f", "HGStem", "HGBlock",
    "RTDETRDecoder", "RepC3", "AIFI", "WorldDetect", "C2fAttn", "ImagePoolingAttn",
    "YOLOEDetect", "YOLOESegment",
})  # fmt: skip
#: the heads whose input strides are the model's `stride`
HEADS: dict[str, tuple[object, ...]] = {
    "Detect": (80,),  # (nc,)
    "Segment": (80, 32, 256),  # (nc, nm, npr)
    "Pose": (80, (17, 3)),  # (nc, kpt_shape)
    "OBB": (80, 1),  # (nc, ne)
    "v10Detect": (80,),  # (nc,); its reg_max and end2end are its own
}
#: Ultralytics measures the strides on a 256×256 image, and rounds sizes to at least 32
PROBE, MIN_STRIDE = 256, 32


@dataclass(frozen=True)
class YoloOptions:
    """The command line's `--scale`, `--nc`, `--imgsz` (height, width) and `--ch`."""

    scale: str | None = None
    nc: int | None = None
    imgsz: tuple[int, int] | None = None  # None: 640×640
    ch: int | None = None  # None: the file's `ch`, else 3


def scale_from_name(name: str) -> str:
    """The scale letter Ultralytics reads from a file name (`yolov8n.yaml` -> `n`), or ''."""
    found = _SCALE_RE.search(PurePath(name).stem)
    return found.group(2) if found else ""


def unscaled_name(path: str) -> str | None:
    """The file Ultralytics reads for a scaled name (`yolov8n.yaml` -> `yolov8.yaml`,
    `yolov8s-p2.yaml` -> `yolov8-p2.yaml`), or None for a name without a scale letter."""
    p = PurePath(path)
    if not scale_from_name(p.name):
        return None
    stem = re.sub(r"(\d+)([nslmx])(.+)?$", r"\1\3", p.stem)
    return str(p.with_name(stem + p.suffix))


def make_divisible(x: float, divisor: int = 8) -> int:
    """Ultralytics' rounding of channels: the smallest multiple of `divisor` >= x."""
    return math.ceil(x / divisor) * divisor


def py_value(node: SNode) -> object:
    """A YAML value as Ultralytics' loader sees it: YAML's own types, and the strings `None`,
    `True`, `False` as those literals."""
    if isinstance(node, yaml.SequenceNode):
        return [py_value(n) for n in node.value]
    if isinstance(node, yaml.MappingNode):
        return {str(py_value(k)): py_value(v) for k, v in node.value}
    value: object = (
        node.value if getattr(node, "style", None) else yaml.safe_load(node.value or "~")
    )
    literals: dict[object, object] = {"None": None, "True": True, "False": False}
    return literals.get(value, value) if isinstance(value, str) else value


def _number(ctx: Ctx, node: SNode, what: str) -> float:
    v = py_value(node)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
        raise ctx.err(node, "E0393", what=what, value=node.value)
    return v


class YoloFile:
    """One load of one Ultralytics model file."""

    def __init__(self, src: Source, opts: YoloOptions) -> None:
        self.ctx = Ctx(src)
        self.opts = opts
        self.warnings: list[CnnCalcWarning] = []
        #: the heights of the maps the detection head reads (their strides set the image grid)
        self.head_heights: list[int] = []

    def scaling(self, keys: dict[str, tuple[SNode, SNode]]) -> tuple[str, float, float, float]:
        """The scale letter and its depth, width and max channels."""
        ctx, opts = self.ctx, self.opts
        scales = (
            {k: v for k, _, v in mapping(ctx, keys["scales"][1], "scales")}
            if "scales" in keys
            else {}
        )
        if not scales:
            if opts.scale:
                raise SpecError("E0396", None, scale=opts.scale)
            depth = (
                _number(ctx, keys["depth_multiple"][1], "depth_multiple")
                if "depth_multiple" in keys
                else 1.0
            )
            width = (
                _number(ctx, keys["width_multiple"][1], "width_multiple")
                if "width_multiple" in keys
                else 1.0
            )
            return "", depth, width, math.inf
        scale = opts.scale or scale_from_name(ctx.src.name)
        if not scale:
            scale = next(iter(scales))
            self.warnings.append(CnnCalcWarning("W0390", Pos(ctx.src, 1, 1), scale=scale))
        if scale not in scales:
            names = ", ".join(scales)
            raise SpecError(
                "E0392",
                ctx.pos(keys["scales"][0]),
                hint=listed(suggest(scale, list(scales)), Msg("H0390", names=names)),
                scale=scale,
                names=names,
            )
        node = scales[scale]
        row = py_value(node)
        if not (
            isinstance(row, list)
            and len(row) == 3
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in row)
        ):
            raise ctx.err(node, "E0393", what=f"scales.{scale}", value=str(row))
        return scale, float(row[0]), float(row[1]), float(row[2])

    def activation(self, keys: dict[str, tuple[SNode, SNode]]) -> str:
        if "activation" not in keys:
            return "silu"
        node = keys["activation"][1]
        found = re.fullmatch(r"\s*(?:torch\.)?nn\.(\w+)\(.*\)\s*", str(node.value))
        if not found or found.group(1) not in ACTIVATIONS:
            raise self.ctx.err(node, "E0395", value=str(node.value), names=", ".join(ACTIVATIONS))
        return ACTIVATIONS[found.group(1)]

    def load(self, root: SNode) -> Network:
        """The network at `--imgsz`, rounded up to the max stride as Ultralytics'
        `check_imgsz` rounds it (with a warning saying what was used)."""
        keys = {k: (kn, vn) for k, kn, vn in mapping(self.ctx, root, Msg("N0330"))}
        self.rows_valid(keys)
        size = self.opts.imgsz or (640, 640)
        if size[0] % PROBE or size[1] % PROBE:
            stride = self.max_stride(keys)
            used = (max(math.ceil(size[0] / stride), 1) * stride,
                    max(math.ceil(size[1] / stride), 1) * stride)  # fmt: skip
            if used != size:
                self.warnings.append(
                    CnnCalcWarning(
                        "W0811",
                        None,
                        size=f"{size[0]}x{size[1]}",
                        stride=stride,
                        used=f"{used[0]}x{used[1]}",
                    )
                )
                size = used
        return self.network(keys, size)

    def rows_valid(self, keys: dict[str, tuple[SNode, SNode]]) -> None:
        """Each row `[from, repeats, module, args]`, and at least one row."""
        rows = [r for part in ("backbone", "head") for r in keys[part][1].value]
        for i, row in enumerate(rows):
            if not isinstance(row, yaml.SequenceNode) or len(row.value) != 4:
                got = len(row.value) if isinstance(row, yaml.SequenceNode) else 1
                raise self.ctx.err(row, "E0817", row=i, got=got)
        if not rows:
            raise self.ctx.err(keys["backbone"][1], "E0818")

    def max_stride(self, keys: dict[str, tuple[SNode, SNode]]) -> int:
        """The grid Ultralytics rounds image sizes to: its largest Detect stride, measured as
        Ultralytics measures it (on a 256×256 image), and at least 32."""
        probe = YoloFile(self.ctx.src, self.opts)
        try:
            probe.network(keys, (PROBE, PROBE))
        except CnnCalcError:
            return MIN_STRIDE  # the build at the size asked for reports what is wrong
        return max([MIN_STRIDE, *(int(PROBE / h) for h in probe.head_heights)])

    def network(self, keys: dict[str, tuple[SNode, SNode]], size: tuple[int, int]) -> Network:
        ctx, opts = self.ctx, self.opts
        scale, depth, width, max_ch = self.scaling(keys)
        names = self.file_values(keys)
        nc, reg_max, end2end = names["nc"], int(names["reg_max"]), bool(names["end2end"])  # type: ignore[call-overload]
        h, w = size
        ch = opts.ch or (int(_number(ctx, keys["ch"][1], "ch")) if "ch" in keys else 3)
        graph = Graph((ch, h, w))
        low = Lowering(ctx, graph, self.activation(keys))
        rows = [r for part in ("backbone", "head") for r in keys[part][1].value]
        # the last row picks the model class: only a detection model sets BatchNorm's eps
        low.yolo_norms = not rows or str(rows[-1].value[2].value) != "Classify"
        outs: list[str] = []
        ops: dict[str, str] = {}
        legacy = True
        for i, row in enumerate(rows):
            f_node, n_node, m_node, a_node = row.value
            module = str(m_node.value)
            entry = MODULES.get(module)
            if entry is None or not isinstance(m_node, yaml.ScalarNode):
                # a module of a family not read yet is no misspelling of one that is (A2C2f, C2f)
                near = None if module in NOT_YET else suggest(module, list(MODULES))
                hint = listed(near, Msg("H0391", names=Listing(", ".join(MODULES))))
                raise ctx.err(m_node, "E0390", hint, module=module, row=i)
            fn, scaled, repeated = entry
            froms = self.sources(f_node, i, outs)
            n = py_value(n_node)
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise ctx.err(n_node, "E0393", what=f"model.{i} repeats", value=n_node.value)
            n = max(round(n * depth), 1) if n > 1 else n
            raw = py_value(a_node)
            if not isinstance(raw, list):
                raise ctx.err(a_node, "E0393", what=f"model.{i} args", value=str(raw))
            args: list[object] = [names.get(a, a) if isinstance(a, str) else a for a in raw]
            if module in _NOT_LEGACY:
                legacy = False
            if scaled:
                c2 = args[0] if args else None
                if isinstance(c2, bool) or not isinstance(c2, (int, float)):
                    raise ctx.err(a_node, "E0393", what=f"model.{i} {module}", value=str(raw))
                args = [
                    graph.channels(froms[0]),
                    make_divisible(min(c2, max_ch) * width),
                    *args[1:],
                ]
                if repeated:
                    args.insert(2, n)
                    n = 1
                if module == "C3k2" and scale in ("m", "l", "x"):
                    args[3:4] = [True]
            if module == "Classify" and args and args[0] is None:
                raise ctx.err(a_node, "E0394", module=module)
            if module in HEADS:
                self.head_heights = [graph.shapes[f][1] for f in froms]
                own = self.head_args(
                    module, args, a_node, nc, lambda c: make_divisible(min(c, max_ch) * width)
                )
                args = [*own, reg_max, end2end, legacy]
            low.at = m_node
            try:
                x = froms
                for path in [f"model.{i}.{j}" for j in range(n)] if n > 1 else [f"model.{i}"]:
                    low.calls.append(BlockCall(path, module))  # each copy one module
                    x = [fn(low, path, x, args)]
                out = x[0]
            except (TypeError, ValueError, IndexError, ZeroDivisionError, LayerArgError):
                raise ctx.err(a_node, "E0393", what=f"model.{i} {module}", value=str(raw)) from None
            outs.append(out)
            ops[f"model.{i}"] = module
        graph.warnings[:] = [
            w
            for w in graph.warnings
            if not (w.code == "W0501" and w.args_.get("name") in low.anchor_joins)
        ] + self.warnings
        inferred = graph.inferred()
        extra = (outs[-1], *low.extra_outputs) if low.extra_outputs else ()
        return Network(input_shape=(ch, h, w), nodes=inferred.nodes,
                       name=PurePath(ctx.src.name).stem, input_pos=Pos(ctx.src, 1, 1),
                       inferred=inferred, front="ultralytics", block_ops=ops,
                       outputs=extra, calls=tuple(low.calls))  # fmt: skip

    def file_values(self, keys: dict[str, tuple[SNode, SNode]]) -> dict[str, object]:
        """The names a row's arguments may use, as `parse_model`'s locals: `nc` (`--nc`
        first), `reg_max`, `end2end` and `kpt_shape`."""
        ctx = self.ctx
        nc = self.opts.nc
        if nc is None and "nc" in keys:
            nc = int(_number(ctx, keys["nc"][1], "nc"))
        reg_max = int(_number(ctx, keys["reg_max"][1], "reg_max")) if "reg_max" in keys else 16
        end2end = bool(py_value(keys["end2end"][1])) if "end2end" in keys else False
        names: dict[str, object] = {"nc": nc, "reg_max": reg_max, "end2end": end2end}
        if "kpt_shape" in keys:
            names["kpt_shape"] = py_value(keys["kpt_shape"][1])
        return names

    def head_args(
        self, module: str, args: list[object], node: SNode, nc: object,
        width: Callable[[int], int],
    ) -> list[object]:  # fmt: skip
        """A head's own arguments (`nc`, then `nm, npr`, `kpt_shape` or `ne`), with the
        defaults of its constructor, and Segment's `npr` scaled as a conv's channels."""
        own = [*args, *HEADS[module][len(args) :]][: len(HEADS[module])]
        own[0] = nc if not args else own[0]
        if own[0] is None:
            raise self.ctx.err(node, "E0394", module=module)
        if module == "Segment":
            own[2] = width(own[2])  # type: ignore[arg-type]
        return own

    def sources(self, node: SNode, i: int, outs: list[str]) -> list[str]:
        """`from`: an index or a list of them, negative counted back from this row (`-1` of the
        first row is the input), the others absolute."""
        value = py_value(node)
        items = value if isinstance(value, list) else [value]
        found = []
        for f in items:
            if (
                isinstance(f, bool)
                or not isinstance(f, int)
                or not -i - 1 <= f < i
                or (f < -1 and i + f < 0)
            ):
                raise self.ctx.err(node, "E0397", value=str(value), row=i)
            j = i + f if f < 0 else f
            found.append(INPUT if j < 0 else outs[j])
        return found


def load_ultralytics(src: Source, root: SNode, opts: YoloOptions | None = None) -> Network:
    """The network of an Ultralytics model file at the given (or derived) scale."""
    return YoloFile(src, opts or YoloOptions()).load(root)
