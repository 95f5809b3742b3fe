"""A cnncalc file that points at an Ultralytics model file (`ultralytics: yolov8.yaml`) and
says how to build it (`scale:`, `nc:`, `imgsz:`, `ch:`), with cnncalc's own `name:`, `batch:`,
`dtype:`, `budget:` and `lint:` — budgets for `cnncalc check` on a file Ultralytics reads as
it is.

The path is read relative to the pointing file's directory and must stay inside that
directory or the working directory (a file from a pull request must not make cnncalc read, and
quote in its messages, a file elsewhere on the machine)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping

import yaml

from cnncalc.engine import Network
from cnncalc.loader.nodes import SNode, compose, is_ultralytics
from cnncalc.loader.sizes import split_sizes
from cnncalc.loader.source import read_source
from cnncalc.loader.ultralytics import YoloOptions, load_ultralytics, scale_from_name, unscaled_name
from cnncalc.loader.values import Ctx, expect_int, expect_str, scalar

#: the keys that say how to build the model (only beside `ultralytics:`)
YOLO_KEYS = ("ultralytics", "scale", "nc", "imgsz", "ch")
#: every key such a file may have
REF_KEYS = ("cnncalc", "name", *YOLO_KEYS, "batch", "dtype", "budget", "lint")
_MAX_SIZE = 1 << 20

Entries = Mapping[str, tuple[SNode, SNode]]


def _inside(path: str, root: str) -> bool:
    return os.path.commonpath([path, root]) == root


def resolve(ctx: Ctx, node: SNode) -> tuple[str, str]:
    """The model file `ultralytics:` names, as a path to read, and the scale its name implies
    when only the unscaled file exists (`yolov8n.yaml` -> `yolov8.yaml` at n, as Ultralytics
    reads it; '' otherwise)."""
    value = expect_str(ctx, node, "ultralytics")
    where = ctx.src.name
    here = "" if where.startswith("<") else os.path.dirname(where)  # `-`, text: the cwd
    if os.path.isabs(value) or "\0" in value:
        raise ctx.err(node, "E0812", path=value, dir=here or ".")
    path = os.path.normpath(os.path.join(here, value))
    real = os.path.realpath(path)
    roots = {os.path.realpath(here or "."), os.path.realpath(".")}
    if not any(_inside(real, root) for root in roots):
        raise ctx.err(node, "E0812", path=value, dir=here or ".")
    if os.path.isfile(real):
        return path, ""
    other = unscaled_name(path)
    if other is not None and os.path.isfile(os.path.realpath(other)):
        real_other = os.path.realpath(other)
        if any(_inside(real_other, root) for root in roots):
            return other, scale_from_name(path)
    raise ctx.err(node, "E0811", path=value, dir=here or ".")


def _imgsz(ctx: Ctx, node: SNode) -> tuple[int, int]:
    if isinstance(node, yaml.SequenceNode):
        parts = tuple(expect_int(ctx, n, "imgsz") for n in node.value)
    else:
        v = scalar(ctx, node)
        text = str(node.value) if isinstance(v, (int, str)) and not isinstance(v, bool) else ""
        parts = tuple(split_sizes(text) or ())
    if len(parts) not in (1, 2) or min(parts) < 1 or max(parts) > _MAX_SIZE:
        raise ctx.err(node, "E0816", key="imgsz", value=str(node.value)[:200])
    return parts[0], parts[-1]


def _scale(ctx: Ctx, node: SNode) -> str:
    return expect_str(ctx, node, "scale")


def options(ctx: Ctx, entries: Entries, given: YoloOptions | None) -> YoloOptions:
    """The file's `scale:`, `nc:`, `imgsz:` and `ch:`, each replaced by its command-line
    option when that is given (as `--batch` replaces `batch:`)."""
    readers: dict[str, Callable[[Ctx, SNode], object]] = {
        "scale": _scale,
        "nc": lambda c, n: expect_int(c, n, "nc"),
        "imgsz": _imgsz,
        "ch": lambda c, n: expect_int(c, n, "ch"),
    }
    found = {k: read(ctx, entries[k][1]) for k, read in readers.items() if k in entries}
    opts = YoloOptions(**found)  # type: ignore[arg-type]
    if given is not None:
        changes = {f.name: getattr(given, f.name) for f in dataclasses.fields(given)}
        opts = dataclasses.replace(opts, **{k: v for k, v in changes.items() if v is not None})
    return opts


def check_keys(ctx: Ctx, entries: Entries) -> None:
    """A file with `ultralytics:` has its network there: `input:`, `layers:` and the like
    have no place beside it; and the build keys need it."""
    if "ultralytics" in entries:
        for key, (kn, _) in entries.items():
            if key not in REF_KEYS:
                raise ctx.err(kn, "E0814", key=key, keys=", ".join(REF_KEYS))
        return
    for key in YOLO_KEYS:
        if key in entries:
            raise ctx.err(entries[key][0], "E0815", key=key)


def load_reference(
    ctx: Ctx, entries: Entries, given: YoloOptions | None, rest: Callable[[Network], Network]
) -> Network:
    """The model `ultralytics:` names, built with the file's options; `rest` adds the file's
    own keys (name, batch, dtype, budget, lint)."""
    node = entries["ultralytics"][1]
    path, implied = resolve(ctx, node)
    opts = options(ctx, entries, given)
    if implied and opts.scale is None:
        opts = dataclasses.replace(opts, scale=implied)
    src = read_source(path)
    root = compose(src)
    if root is None or not is_ultralytics(root):
        raise ctx.err(node, "E0813", path=str(node.value))
    return rest(load_ultralytics(src, root, opts))
