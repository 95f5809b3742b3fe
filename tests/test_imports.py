"""The import rule: every import inside `cnncalc/`, read from the source
(module level, function bodies and `TYPE_CHECKING` blocks alike), is an allowed edge.

    messages <- errors <- layers <- engine <- loader
                                   engine <- analysis          (analysis never imports loader)
               messages, analysis <- render <- cli             (nothing imports cli)
    yaml: loader/ only · rich: render/ and cli/ only · typer: cli/ only · torch: never
    onnx, numpy: cnncalc/loader/onnx.py only, inside functions (never at import)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "cnncalc"

#: what each part of cnncalc may import from cnncalc (besides itself); `records` is for anyone
BELOW: dict[str, frozenset[str]] = {
    "messages": frozenset(),
    "records": frozenset(),
    "errors": frozenset({"messages"}),
    "layers": frozenset({"errors", "messages"}),
    "quantities": frozenset({"errors", "messages"}),
    "engine": frozenset({"layers", "errors", "messages"}),
}
BELOW["loader"] = BELOW["engine"] | {"engine", "quantities"}
BELOW["analysis"] = BELOW["engine"] | {"engine", "quantities"}
BELOW["render"] = BELOW["analysis"] | {"analysis"}
BELOW["cli"] = BELOW["render"] | {"render", "loader", "cnncalc"}
BELOW["cnncalc"] = BELOW["loader"] | {"loader"}  # the public API: load(), analyze()
BELOW["__main__"] = frozenset({"cli"})

#: third-party packages and the parts of cnncalc that may import them
THIRD_PARTY: dict[str, frozenset[str]] = {
    "yaml": frozenset({"loader"}),
    "rich": frozenset({"render", "cli"}),
    "typer": frozenset({"cli"}),
    "click": frozenset({"cli"}),
    "torch": frozenset(),
    "onnx": frozenset({"loader"}),
    "numpy": frozenset({"loader"}),
    "google": frozenset(),  # protobuf: onnx's, never cnncalc's own
}
#: the modules that read ONNX files, and the packages only they import, only in functions
ONNX_MODULES = ("cnncalc/loader/onnx.py", "cnncalc/loader/onnx_graph.py")
ONNX_ONLY = ("onnx", "numpy")

#: edges allowed as exceptions to the rule (none today); the second test fails as soon as one
#: is gone, so that this list only ever shrinks
KNOWN: frozenset[tuple[str, str]] = frozenset()


def part(path: Path) -> str:
    """`cnncalc/loader/spec.py` -> `loader`; `cnncalc/engine.py` -> `engine`."""
    rel = path.relative_to(PACKAGE)
    if len(rel.parts) > 1:
        return rel.parts[0]
    return "cnncalc" if rel.stem == "__init__" else rel.stem


def imported(tree: ast.AST) -> Iterator[str]:
    """Every module name an `import` or `from … import` statement names, anywhere."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


def target(name: str) -> str:
    """The part of cnncalc, or the third-party package, a module name belongs to."""
    parts = name.split(".")
    if parts[0] != "cnncalc":
        return parts[0]
    return parts[1] if len(parts) > 1 else "cnncalc"


def edges() -> Iterator[tuple[str, str, str]]:
    """(file, its part, what it imports) for every import of every module."""
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for name in imported(ast.parse(path.read_text(encoding="utf-8"))):
            yield rel, part(path), target(name)


def allowed(src: str, dst: str) -> bool:
    if dst in THIRD_PARTY:
        return src in THIRD_PARTY[dst]
    if dst not in BELOW:
        return True  # the standard library
    return dst in (src, "records") or dst in BELOW[src]


def test_every_import_is_an_allowed_edge() -> None:
    bad = sorted(
        f"{file} imports {dst}"
        for file, src, dst in edges()
        if not allowed(src, dst) and (file, dst) not in KNOWN
    )
    assert bad == []


def test_onnx_and_numpy_only_in_the_onnx_loader_and_never_at_import() -> None:
    elsewhere = sorted(f"{f} imports {d}" for f, _, d in edges()
                       if d in ONNX_ONLY and f not in ONNX_MODULES)  # fmt: skip
    assert elsewhere == []
    names: set[str] = set()
    for rel in ONNX_MODULES:
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        top = []
        for node in tree.body:  # module level, `if TYPE_CHECKING:` blocks included
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                continue
            top.extend(target(n) for sub in ast.walk(node) for n in imported(sub))
        assert not set(top) & set(ONNX_ONLY), (rel, top)
        names |= {target(n) for n in imported(tree)}
    assert set(ONNX_ONLY) <= names  # the test would pass vacuously if the loader moved


def test_known_exceptions_still_exist() -> None:
    present = {(file, dst) for file, _, dst in edges()}
    gone = sorted(KNOWN - present)
    assert gone == [], f"fixed: remove {gone} from KNOWN"


@pytest.mark.parametrize("name", ["cnncalc.loader.spec", "cnncalc.analysis.budget"])
def test_target_names_the_part(name: str) -> None:
    assert target(name) == name.split(".")[1]
