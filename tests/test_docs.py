"""docs/format.md stays complete and its examples stay true.

Completeness is checked against the registries the loader itself reads (`KINDS`, `TOP_KEYS`,
`META_KEYS`, `BUDGETS`, `DTYPE_BYTES`), so a new op, argument spelling or key fails here until it
is documented. Fenced examples are executed:

- a ```yaml block whose first line (after blank lines and comments) is `input:`, or whose fence
  reads ```yaml network, must load and analyse;
- a ```yaml error block must be rejected with a `CnnCalcError`;
- a ```yaml excerpt FILE block must be a verbatim run of lines of FILE (e.g. an example).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pytest

import cnncalc
from cnncalc.engine import DTYPE_BYTES
from cnncalc.layers import KINDS, PAD_MODES
from cnncalc.loader import META_KEYS, STRUCTURES, TOP_KEYS
from cnncalc.quantities import BUDGETS
from tests.conftest import ROOT

DOC_PATH = ROOT / "docs" / "format.md"
DOC = DOC_PATH.read_text(encoding="utf-8")
_FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.M | re.S)
#: an op used as an item or in a flow list: `- relu`, `- conv: …`, `[conv: …, relu]`
_OP_USE = re.compile(
    r"(?:^\s*-|[\[{,])\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?=:|,|\]|\}|\s*(?:#|$))", re.M
)


@dataclass(frozen=True)
class Block:
    info: tuple[str, ...]  # the fence's info string, split: ("yaml", "error")
    text: str
    line: int  # 1-based line of the opening fence

    @property
    def lang(self) -> str:
        return self.info[0] if self.info else ""

    def first_line(self) -> str:
        for line in self.text.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                return line
        return ""

    def __str__(self) -> str:
        return f"docs/format.md:{self.line} ({' '.join(self.info)})"


def _blocks() -> list[Block]:
    return [
        Block(tuple(m.group(1).split()), m.group(2), DOC.count("\n", 0, m.start()) + 1)
        for m in _FENCE.finditer(DOC)
    ]


BLOCKS = _blocks()
YAML = [b for b in BLOCKS if b.lang == "yaml"]
ERRORS = [b for b in YAML if "error" in b.info[1:]]
EXCERPTS = [b for b in YAML if "excerpt" in b.info[1:]]
NETWORKS = [
    b
    for b in YAML
    if b not in ERRORS
    and b not in EXCERPTS
    and ("network" in b.info[1:] or b.first_line().startswith("input:"))
]


def _code(word: str) -> str:
    """How a name is written in the document: as inline code."""
    return f"`{word}`"


def _missing(words: Iterable[str]) -> list[str]:
    return sorted({w for w in words if _code(w) not in DOC})


# --- completeness ----------------------------------------------------------------------------


def test_every_op_is_documented() -> None:
    assert _missing(KINDS) == []


def test_every_argument_spelling_is_documented() -> None:
    names = {n for kind in KINDS.values() for arg in kind.args for n in arg.names}
    assert _missing(names) == []


def test_every_argument_is_in_its_ops_section() -> None:
    """Each op's argument spellings appear in a section that lists the op in a table's first
    column, so that an argument is documented where its op is, not just somewhere."""
    sections = re.split(r"^#{2,3} ", DOC, flags=re.M)
    gaps = []
    for op, kind in KINDS.items():
        row = re.compile(rf"^\|[^|\n]*{re.escape(_code(op))}", re.M)
        mine = [s for s in sections if row.search(s)]
        assert mine, f"no table row starts with {_code(op)}"
        text = "\n".join(mine)
        gaps += [f"{op}: {n}" for arg in kind.args for n in arg.names if _code(n) not in text]
    assert gaps == []


def test_every_choice_is_documented() -> None:
    choices = {c for kind in KINDS.values() for arg in kind.args for c in arg.choices}
    assert _missing(choices | set(PAD_MODES)) == []


def test_every_top_level_key_is_documented() -> None:
    assert _missing(TOP_KEYS) == []
    table = DOC.split("## Top-level keys", 1)[1].split("\n## ", 1)[0]
    assert [k for k in TOP_KEYS if f"| {_code(k)} |" not in table] == []


def test_meta_keys_structures_budgets_and_dtypes_are_documented() -> None:
    assert _missing([*META_KEYS, *STRUCTURES, *BUDGETS, *DTYPE_BYTES]) == []


# --- the examples ----------------------------------------------------------------------------


def test_the_document_has_examples_of_each_kind() -> None:
    assert len(NETWORKS) >= 15
    assert len(ERRORS) >= 5
    assert len(EXCERPTS) >= 3


def test_every_op_appears_in_a_loaded_example() -> None:
    """Every op is used by at least one example that is executed (or quoted from examples/)."""
    used = set()
    for block in [*NETWORKS, *EXCERPTS]:
        used |= set(re.findall(_OP_USE, block.text))
    assert sorted(set(KINDS) - used) == []


@pytest.mark.parametrize("block", NETWORKS, ids=str)
def test_network_example_loads(block: Block) -> None:
    try:
        report = cnncalc.analyze(block.text)
    except cnncalc.CnnCalcError as err:
        pytest.fail(f"{block} does not load:\n{err}")
    assert report.layers


@pytest.mark.parametrize("block", ERRORS, ids=str)
def test_error_example_is_rejected(block: Block) -> None:
    with pytest.raises(cnncalc.CnnCalcError):
        cnncalc.analyze(block.text)


@pytest.mark.parametrize("block", EXCERPTS, ids=str)
def test_excerpt_is_verbatim(block: Block) -> None:
    (source,) = (w for w in block.info[1:] if w != "excerpt")
    lines = [line.rstrip() for line in (ROOT / source).read_text(encoding="utf-8").splitlines()]
    quoted = [line.rstrip() for line in block.text.splitlines()]
    starts = [i for i in range(len(lines)) if lines[i : i + len(quoted)] == quoted]
    assert starts, f"{block} is not a run of lines of {source}"


def test_stated_numbers_match_the_stack_example() -> None:
    """The worked numbers in 'What is counted' are the ones cnncalc computes."""
    report = cnncalc.analyze(ROOT / "examples" / "stack.yaml")
    conv1, conv2 = report.layers
    assert f"{report.totals.params:,}" in DOC
    assert f"{report.totals.macs:,}" in DOC
    assert f"{report.totals.flops:,}" in DOC
    peak = report.totals.peak_activation_bytes
    assert peak == conv1.out_bytes + conv2.out_bytes
    assert f"{peak:,} B" in DOC
    assert [a.size for a in conv1.rf] == [3, 3]
    assert [a.size for a in conv2.rf] == [5, 5]


def test_nothing_cites_a_file_outside_the_repository() -> None:
    """The docs, code and examples stand alone: no path that leaves the repository."""
    # spelled in pieces so that this file does not cite them itself
    outside = re.compile("|".join(("numbers" + r"\.md", r"\.\./" + "shared", "shared" + "/")))
    files = [
        p
        for pattern in ("cnncalc/**/*.py", "tests/*.py", "docs/*.md", "examples/**/*.y*ml")
        for p in ROOT.glob(pattern)
    ]
    files.append(ROOT / "README.md")
    cited = [str(p.relative_to(ROOT)) for p in files if outside.search(p.read_text("utf-8"))]
    assert cited == []


def test_ultralytics_gflops_are_named_as_the_fused_figure() -> None:
    """cnncalc's FLOPs equal Ultralytics' GFLOPs only for a fused model (unfused, `info()` adds
    BatchNorm work): every mention of Ultralytics' GFLOPs says which."""
    for path in (ROOT / "README.md", ROOT / "docs" / "format.md", ROOT / "docs" / "counting.md"):
        text = " ".join(path.read_text(encoding="utf-8").split())
        for m in re.finditer(r"Ultralytics", text):
            around = text[max(0, m.start() - 200) : m.end() + 200]
            if "GFLOPs" in around:
                assert "fused" in around, (path.name, around)
