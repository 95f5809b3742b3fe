"""Design advice as code: rules that read a `Report` and return located `Finding`s.

Pure: a report in, findings out; the rules print nothing and read no files. Each rule has a
code (`CNN101`), a slug (`channel-jump`) and an entry in `docs/lint.md`; its message and its
one-line why live in the message catalogue (`cnncalc.messages`), so they exist in every language.
`ignore_from_network` resolves the file's own `lint: {ignore: [...]}` (the loader reads the
words into `Network.lint_ignore`).
"""

from __future__ import annotations

import difflib
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from cnncalc.engine import INPUT, LayerReport, Network, Report
from cnncalc.errors import CnnCalcError, Msg, Pos, SpecError, columns
from cnncalc.layers import (
    ELEMENTWISE,
    BatchNorm,
    Concat,
    Conv,
    ConvTranspose,
    Dropout,
    DwConv,
    Linear,
    Merge,
    MultiheadAttention,
    Pool,
    axis_names,
    effective_kernel,
    fmt_shape,
)
from cnncalc.messages import has, t
from cnncalc.messages.numbers import rf_text

#: channels may grow up to this factor in one conv (the teaching text: 64 → 128 → 256 → 512)
MAX_JUMP = 4
#: a conv "shrinks" when it at least halves its channels (AlexNet's 384 → 256 is a taper)
SHRINK = 2
#: a layer is "disproportionate" above this share of the total, and above `FAIR_SHARE`× 1/n
HEAVY_SHARE = 0.5
FAIR_SHARE = 3
#: the first conv's usual output channels (the teaching text: "输出通道数适中（如64）")
FIRST_MIN, FIRST_MAX = 16, 128


@dataclass(frozen=True)
class Finding:
    """One warning: which rule, where, and the numbers its message is written with."""

    code: str
    layer: str
    pos: Pos | None
    args: Mapping[str, object] = field(default_factory=dict)
    variant: str = "msg"

    def message(self, lang: str = "en") -> str:
        return t(f"lint.{self.code}.{self.variant}", lang, layer=self.layer, **self.args)

    def why(self, lang: str = "en") -> str:
        return t(f"lint.{self.code}.why", lang)

    @property
    def link(self) -> str:
        """Where the rule is documented for anyone who installed the package: the command that
        prints its documentation (`rule_text`), which needs no network and no docs/ folder."""
        return explain_command(self.code)

    def sort_key(self) -> tuple[int, int, str]:
        return (self.pos.line, self.pos.col, self.code) if self.pos else (0, 0, self.code)


# --- the graph around a layer ----------------------------------------------------------------


@dataclass(frozen=True)
class Graph:
    """Rows by name and who consumes each one."""

    report: Report
    by_name: Mapping[str, LayerReport]
    consumers: Mapping[str, tuple[LayerReport, ...]]

    @staticmethod
    def of(report: Report) -> Graph:
        cons: dict[str, list[LayerReport]] = {}
        for row in report.layers:
            for name in dict.fromkeys(row.inputs):
                cons.setdefault(name, []).append(row)
        return Graph(
            report,
            {r.name: r for r in report.layers},
            {k: tuple(v) for k, v in cons.items()},
        )

    def after(self, row: LayerReport) -> tuple[LayerReport, ...]:
        return self.consumers.get(row.name, ())


CONVS = (Conv, ConvTranspose)


def _passes(row: LayerReport) -> bool:
    """Element-wise layers that keep the shape: advice looks through them."""
    return isinstance(row.node.layer, ELEMENTWISE)


def _is_conv(row: LayerReport) -> bool:
    return isinstance(row.node.layer, CONVS)


def _previous_conv(g: Graph, row: LayerReport) -> LayerReport | None:
    """The conv (or linear) whose output channels reach `row` through element-wise layers and
    pooling only; None when they come from the network input or a merge."""
    name = row.inputs[0]
    while name != INPUT:
        prev = g.by_name[name]
        layer = prev.node.layer
        if isinstance(layer, (*CONVS, Linear)):
            return prev
        if isinstance(layer, Merge) or not (_passes(prev) or isinstance(layer, Pool)):
            return None
        name = prev.inputs[0]
    return None


def _feeds_concat(g: Graph, row: LayerReport) -> bool:
    """Whether the output reaches a concatenation through element-wise layers."""
    todo = list(g.after(row))
    while todo:
        nxt = todo.pop()
        if isinstance(nxt.node.layer, Concat):
            return True
        if _passes(nxt):
            todo += g.after(nxt)
    return False


def _kernel(row: LayerReport) -> tuple[int, ...]:
    """Effective kernel `d·(k−1)+1` per axis of a conv or pool."""
    layer = row.node.layer
    assert isinstance(layer, (Conv, Pool))
    k, _, d, _ = layer.geometry(row.in_shape)
    return tuple(effective_kernel(kk, dd) for kk, dd in zip(k, d))


# --- the rules --------------------------------------------------------------------------------

Check = Callable[[Graph], Iterator[Finding]]


def channel_jump(g: Graph) -> Iterator[Finding]:
    """CNN101: channels jump more than 4×, or shrink without downsampling, in one spatial conv."""
    for row in g.report.layers:
        layer = row.node.layer
        if not isinstance(layer, Conv) or isinstance(layer, DwConv) or layer.groups != 1:
            continue
        if all(k == 1 for k in _kernel(row)):
            continue  # a 1×1 conv changes channels freely: that is its job
        prev = _previous_conv(g, row)
        if prev is None:
            continue
        cin, cout = row.in_shape[0], row.out_shape[0]
        if cout > MAX_JUMP * cin:
            ratio = f"{cout / cin:.3g}"
            args = {"cin": cin, "cout": cout, "ratio": ratio}
            yield Finding("CNN101", row.name, row.node.pos, args, "jump")
        elif (
            SHRINK * cout <= cin
            and prev.out_shape[1:] == row.out_shape[1:]
            and not _feeds_concat(g, row)
        ):
            yield Finding("CNN101", row.name, row.node.pos, {"cin": cin, "cout": cout}, "shrink")


def heavy_layer(g: Graph) -> Iterator[Finding]:
    """CNN102: one layer holds a disproportionate share of the params or the MACs."""
    for metric in ("params", "macs"):
        rows = [r for r in g.report.layers if getattr(r, metric)]
        total = sum(getattr(r, metric) for r in rows)
        if len(rows) < 2 or not total:
            continue
        limit = max(HEAVY_SHARE, FAIR_SHARE / len(rows))
        for row in rows:
            part = getattr(row, metric)
            if part / total > limit:
                args = {
                    "op": row.op,
                    "share": part / total,
                    "part": f"{part:,}",
                    "total": f"{total:,}",
                    "count": len(rows),
                }
                yield Finding("CNN102", row.name, row.node.pos, args, metric)


def _skipped(row: LayerReport) -> tuple[int, int] | None:
    """(stride, effective kernel) of the first axis where a conv or pool's stride exceeds its
    kernel, so that some input pixels are never read; None when every pixel is read."""
    layer = row.node.layer
    if not isinstance(layer, (Conv, Pool)) or len(row.in_shape) < 2:
        return None
    _, s, _, _ = layer.geometry(row.in_shape)
    return next(((ss, kk) for kk, ss in zip(_kernel(row), s) if ss > kk), None)


def stride_over_kernel(g: Graph) -> Iterator[Finding]:
    """CNN103: a stride larger than the (effective) kernel skips input pixels, unless another
    path reads every pixel of the same input (ResNet's strided 1×1 projection shortcut, beside a
    body that reads them all)."""
    for row in g.report.layers:
        skip = _skipped(row)
        if skip is None:
            continue
        siblings = [r for r in g.consumers.get(row.inputs[0], ()) if r is not row]
        if any(_skipped(r) is None for r in siblings):
            continue
        ss, kk = skip
        yield Finding("CNN103", row.name, row.node.pos, {"op": row.op, "s": ss, "k": kk,
                                                         "skip": ss - kk})  # fmt: skip


def even_same(g: Graph) -> Iterator[Finding]:
    """CNN104: `same` padding around an even kernel pads one side more than the other."""
    for row in g.report.layers:
        layer = row.node.layer
        if not isinstance(layer, Conv) or not isinstance(layer.padding, str):
            continue
        _, _, _, pads = layer.geometry(row.in_shape)
        for axis, kk, (pl, pr) in zip(axis_names(len(pads)), _kernel(row), pads):
            if pl != pr:
                args = {"mode": layer.padding, "k": kk, "pl": pl, "pr": pr, "axis": axis}
                yield Finding("CNN104", row.name, row.node.pos, args)
                break


def bias_before_bn(g: Graph) -> Iterator[Finding]:
    """CNN105: a conv's bias is cancelled by the batch norm right after it."""
    for row in g.report.layers:
        layer = row.node.layer
        if not isinstance(layer, CONVS) or not layer.bias:
            continue
        after = g.after(row)
        if len(after) == 1 and isinstance(after[0].node.layer, BatchNorm):
            args = {"op": row.op, "bn": after[0].name, "bias": f"{row.out_shape[0]:,}"}
            yield Finding("CNN105", row.name, row.node.pos, args)


def early_collapse(g: Graph) -> Iterator[Finding]:
    """CNN106: the spatial size reaches 1×1 while convs with wider kernels still follow."""
    late = [
        r
        for r in g.report.layers
        if isinstance(r.node.layer, Conv)
        and len(r.in_shape) > 1
        and all(v == 1 for v in r.in_shape[1:])
        and any(k > 1 for k in _kernel(r))
    ]
    if not late:
        return
    first = late[0]
    collapse: LayerReport = first
    name = first.inputs[0]
    while name != INPUT:  # walk back to the layer that made the 1×1 map
        prev = g.by_name[name]
        collapse = prev
        if len(prev.in_shape) < 2 or not all(v == 1 for v in prev.in_shape[1:]):
            break
        name = prev.inputs[0]
    args = {"count": len(late), "first": first.name, "k": fmt_shape(_kernel(first))}
    yield Finding("CNN106", collapse.name, collapse.node.pos, args)


def small_rf(g: Graph) -> Iterator[Finding]:
    """CNN107: an output position sees less than the whole input."""
    net = g.report.network
    outputs = g.report.output_names
    extent = net.input_shape[1:]
    for name in outputs:
        row = g.by_name.get(name)
        if row is None or not row.rf or len(row.rf) != len(extent):
            continue
        if any(a.size < e for a, e in zip(row.rf, extent)):
            rf = "×".join(rf_text(a.size) for a in row.rf)
            args = {"rf": rf, "input": fmt_shape(extent)}
            yield Finding("CNN107", row.name, row.node.pos, args)


def _patchify(row: LayerReport) -> bool:
    """A conv over non-overlapping patches: kernel = stride > 1 on every axis, no padding."""
    layer = row.node.layer
    if not isinstance(layer, Conv):
        return False
    k, s, _, pad = layer.geometry(row.in_shape)
    return k == s and min(k) > 1 and all(p == (0, 0) for p in pad)


def first_channels(g: Graph) -> Iterator[Finding]:
    """CNN108: the first conv makes an unusual number of channels."""
    first = next((r for r in g.report.layers if isinstance(r.node.layer, (*CONVS, Linear))), None)
    if first is None or not _is_conv(first):
        return  # a network that starts with a linear layer has no "first conv"
    cout = first.out_shape[0]
    if cout > FIRST_MAX and _patchify(first):
        return  # a patch embedding (ViT, ConvNeXt): each patch becomes one wide token
    if not FIRST_MIN <= cout <= FIRST_MAX:
        variant = "few" if cout < FIRST_MIN else "many"
        args = {"op": first.op, "cin": first.in_shape[0], "cout": cout}
        yield Finding("CNN108", first.name, first.node.pos, args, variant)


def quadratic_attention(g: Graph) -> Iterator[Finding]:
    """CNN110: global attention whose L² products outweigh its projections (L ≥ 2E)."""
    for row in g.report.layers:
        layer = row.node.layer
        if not isinstance(layer, MultiheadAttention):
            continue
        length, e = row.in_shape
        products, proj = layer.products(row.in_shape), 4 * length * e * e
        if products >= proj:
            args = {
                "l": f"{length:,}",
                "e": f"{e:,}",
                "products": f"{products:,}",
                "proj": f"{proj:,}",
                "scores": f"{layer.scratch(row.in_shape):,}",
            }
            yield Finding("CNN110", row.name, row.node.pos, args)


def dropout_before_bn(g: Graph) -> Iterator[Finding]:
    """CNN109: dropout straight into batch norm (the 'variance shift')."""
    for row in g.report.layers:
        if not isinstance(row.node.layer, Dropout):
            continue
        for nxt in g.after(row):
            if isinstance(nxt.node.layer, BatchNorm):
                yield Finding("CNN109", row.name, row.node.pos, {"bn": nxt.name})


@dataclass(frozen=True)
class Rule:
    code: str
    slug: str
    check: Check


def anchor(code: str) -> str:
    """The anchor of a rule's heading in docs/lint.md, as GitHub makes it from the heading
    `CNN101 `channel-jump``: `cnn101-channel-jump`."""
    return f"{code.lower()}-{RULES[code].slug}"


RULES: Mapping[str, Rule] = MappingProxyType(
    {
        r.code: r
        for r in (
            Rule("CNN101", "channel-jump", channel_jump),
            Rule("CNN102", "heavy-layer", heavy_layer),
            Rule("CNN103", "stride-over-kernel", stride_over_kernel),
            Rule("CNN104", "even-kernel-same-padding", even_same),
            Rule("CNN105", "bias-before-bn", bias_before_bn),
            Rule("CNN106", "early-collapse", early_collapse),
            Rule("CNN107", "small-receptive-field", small_rf),
            Rule("CNN108", "first-layer-channels", first_channels),
            Rule("CNN109", "dropout-before-bn", dropout_before_bn),
            Rule("CNN110", "quadratic-attention", quadratic_attention),
        )
    }
)
SLUGS: Mapping[str, str] = MappingProxyType({r.slug: r.code for r in RULES.values()})


def lint(report: Report, ignore: Iterable[str] = ()) -> list[Finding]:
    """Every rule's findings, in source order, without the ignored codes and without those on
    layers the user did not write (`Node.generated`: the 1×1 conv and bn of `shortcut: auto`)."""
    skip = set(ignore)
    g = Graph.of(report)
    found = [
        f
        for code, rule in RULES.items()
        if code not in skip
        for f in rule.check(g)
        if not g.by_name[f.layer].node.generated
    ]
    return sorted(found, key=Finding.sort_key)


def resolve_code(word: str) -> str | None:
    """`CNN105`, `cnn105` or `bias-before-bn` -> `CNN105`; None when no rule has that name."""
    up = word.strip().upper()
    if up in RULES:
        return up
    return SLUGS.get(word.strip().lower())


def closest_code(word: str) -> str | None:
    """The rule code or slug nearest to a mistyped one."""
    options = [*RULES, *SLUGS]
    close = difflib.get_close_matches(word.strip(), options, n=1, cutoff=0.5)
    close = close or difflib.get_close_matches(word.strip().upper(), options, n=1, cutoff=0.5)
    return close[0] if close else None


def parse_codes(words: Sequence[str]) -> frozenset[str]:
    """Codes from `--ignore` values (repeatable, comma-separated); unknown ones are errors."""
    return frozenset(
        rule_code(w, "--ignore") for value in words for w in value.split(",") if w.strip()
    )


def rule_code(word: str, option: str = "--explain") -> str:
    """The code of the rule `word` names (`CNN105`, `bias-before-bn`), or E0702 for `option`."""
    code = resolve_code(word)
    if code is None:
        close = closest_code(word)
        hint = Msg("H0001", name=close) if close else None
        raise CnnCalcError("E0702", option=option, name=word.strip(), hint=hint)
    return code


def ignore_from_network(net: Network) -> frozenset[str]:
    """The codes of the file's own `lint: {ignore: [CNN105, ...]}` (the words the loader read
    into `Network.lint_ignore`); a word that names no rule is an error where it was written."""
    out: set[str] = set()
    for word, pos in net.lint_ignore:
        code = resolve_code(word)
        if code is None:
            close = closest_code(word)
            hint = Msg("H0001", name=close) if close else None
            raise SpecError("E0703", pos, hint=hint, name=word)
        out.add(code)
    return frozenset(out)


def explain_command(code: str) -> str:
    """The command that prints a rule's documentation: `cnncalc lint --explain CNN102`."""
    return f"cnncalc lint --explain {code}"


#: the parts of a rule's documentation (`lint.CNN101.fires` …), in the order they are shown;
#: `example` is optional
DOC_PARTS = ("fires", "reason", "example", "fix")
_DOC_LABELS = {"fires": "lint.doc.fires", "reason": "lint.doc.why", "example": "lint.doc.example",
               "fix": "lint.doc.fix"}  # fmt: skip


def rule_parts(code: str, lang: str = "en") -> list[tuple[str, str]]:
    """A rule's documentation as (part, text) pairs, from the message catalogue: it ships with
    the package, in every language, so `cnncalc lint --explain` works offline."""
    return [(p, t(f"lint.{code}.{p}", lang)) for p in DOC_PARTS if has(f"lint.{code}.{p}")]


#: the punctuation that never starts a line of Chinese text
_NO_START = frozenset("，。；：、）」』！？》")


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` terminal columns: broken at spaces, and between wide
    (CJK) characters, which take two columns each and have no spaces between words."""
    lines: list[str] = []
    line, cols, cut = "", 0, -1  # `cut`: where `line` may break (after a space or a wide char)
    for ch in text:
        w = columns(ch)
        if cols + w > width and line:
            if ch in _NO_START and len(line) > 1:  # `，` never starts a line: take one char along
                lines.append(line[:-1])
                line, cols, cut = line[-1], columns(line[-1]), 1
            elif w == 2 or ch == " " or cut < 0:
                lines.append(line.rstrip())
                line, cols = ("" if ch == " " else ch), (0 if ch == " " else w)
                cut = len(line) if w == 2 else -1
                continue
            else:
                lines.append(line[:cut].rstrip())
                line = line[cut:]
                cols = columns(line)
                cut = -1
        line += ch
        cols += w
        if ch == " " or w == 2:
            cut = len(line)
    return [*lines, line.rstrip()] if line.strip() else lines


def rule_text(code: str, lang: str = "en", width: int = 88) -> str:
    """A rule's documentation as `cnncalc lint --explain CODE` prints it: the heading, then
    what fires it, why, an example and the fix, each under its label."""
    out = [f"{code} {RULES[code].slug}"]
    for part, text in rule_parts(code, lang):
        out += ["", t(_DOC_LABELS[part], lang) + t("ui.colon", lang).strip()]
        if part == "example":
            out += ["    " + line for line in text.splitlines()]
        else:
            out += ["  " + line for line in wrap(text, width - 2)]
    return "\n".join(out) + "\n"


def rules_markdown() -> str:
    """Every rule's section of docs/lint.md, generated from the English catalogue (a test keeps
    the page current): the same text `--explain` prints."""
    labels = {"fires": "**Fires when** ", "reason": "**Why.** ", "fix": "**Fix.** "}
    out: list[str] = []
    for code, rule in RULES.items():
        out += ["", f'<a id="{code.lower()}"></a>', f"## {code} `{rule.slug}`"]
        for part, text in rule_parts(code):
            if part == "example":
                out += ["", "```yaml", text.rstrip("\n"), "```"]
            else:
                out += ["", *textwrap.wrap(labels[part] + text, 100, break_on_hyphens=False)]
    return "\n".join(out[1:]) + "\n"


def format_finding(f: Finding, lang: str = "en", where: str = "") -> str:
    """`CNN101 net.yaml:12:5: message`, then the why and the link, indented."""
    loc = str(f.pos) if f.pos else where
    return (
        f"{f.code} {loc}: {f.message(lang)}\n"
        f"  {t('lint.why', lang)}{f.why(lang)}\n"
        f"  {t('lint.see', lang)}{f.link}"
    )


def finding_dict(f: Finding, lang: str = "en", where: str = "") -> dict[str, object]:
    """A finding as JSON shows it (`cnncalc lint --format json`)."""
    return {
        "code": f.code,
        "rule": RULES[f.code].slug,
        "file": f.pos.source.name if f.pos else where,
        "line": f.pos.line if f.pos else None,
        "col": f.pos.col if f.pos else None,
        "layer": f.layer,
        "message": f.message(lang),
        "why": f.why(lang),
        "docs": f.link,
    }
