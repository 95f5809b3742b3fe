"""Composing YAML into nodes in one pass over the parser's events, closing YAML's traps as the
nodes are built, and every YAML failure as a located diagnostic."""

from __future__ import annotations

import re
from typing import Any

import yaml

from cnncalc.errors import Msg, Pos, Source, SpecError
from cnncalc.loader.source import MAX_NODES, MAX_YAML_DEPTH, char_name, check_text
from cnncalc.messages.escape import has_control

try:  # libyaml is 7-8x faster; its marks carry no snippet, so snippets come from the text
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader

SNode = yaml.Node
STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


def mark_pos(src: Source, mark: Any) -> Pos:
    """The position of a YAML mark (0-based line and column)."""
    return Pos(src, mark.line + 1, mark.column + 1)


class Composer:
    """Builds the node tree from the parser's events and checks it on the way (cnncalc types
    every scalar itself, so PyYAML's implicit YAML 1.1 tag resolution is skipped): explicit
    tags, undefined, duplicate and self-referencing anchors, alias bombs (every alias counts the
    values it stands for), duplicate keys, more than one document, and nesting deeper than
    `MAX_YAML_DEPTH`. Mixed into a parser class (`_Loader`), which supplies the events."""

    source: Source
    get_event: Any
    check_event: Any

    def get_single_node(self) -> SNode | None:
        """The document's root node, or None for an empty stream."""
        self._anchors: dict[str, tuple[SNode, int, Any]] = {}  # name -> node, values, mark
        self._open: set[str] = set()  # anchors whose value is still being composed
        self.get_event()  # stream start
        root = None
        if not self.check_event(yaml.StreamEndEvent):
            self.get_event()  # document start
            root = self._node(0)[0]
            self.get_event()  # document end
            if self.check_event(yaml.DocumentStartEvent):
                raise self._err(self.get_event().start_mark, "E0123")
        self.get_event()  # stream end
        return root

    def _err(self, mark: Any, code: str, **args: object) -> SpecError:
        return SpecError(code, mark_pos(self.source, mark), hint=None, **args)

    def _node(self, depth: int) -> tuple[SNode, int, Any, bool]:
        """(node, the values it stands for, the mark its size is reported at, from an alias)."""
        ev: Any = self.get_event()
        start: Any = ev.start_mark
        if isinstance(ev, yaml.AliasEvent):
            name = ev.anchor
            if name in self._open:
                raise self._err(start, "E0124", name=name)
            if name not in self._anchors:
                raise self._err(start, "E0125", name=name)
            target, size, _ = self._anchors[name]
            return target, size, start, True
        if ev.tag is not None:
            raise self._err(start, "E0126", tag=ev.tag.replace("tag:yaml.org,2002:", "!!"))
        anchor = ev.anchor
        if anchor is not None and anchor in self._anchors:
            line = self._anchors[anchor][2].line + 1
            raise self._err(start, "E0127", name=anchor, line=line)
        if anchor is not None and anchor in self._open:
            raise self._err(start, "E0128", name=anchor)
        if isinstance(ev, yaml.ScalarEvent):
            bad = has_control(ev.value)
            if bad >= 0:  # from an escape (`"\e"`, `"\n"`): raw ones are refused before parsing
                char = char_name(ev.value[bad])
                raise SpecError("E0157", mark_pos(self.source, start), char=char)
            end: Any = ev.end_mark
            scalar = yaml.ScalarNode(STR, ev.value, start, end, ev.style)
            if anchor is not None:
                self._anchors[anchor] = (scalar, 1, start)
            return scalar, 1, start, False
        if depth >= MAX_YAML_DEPTH:
            raise self._err(start, "E0129", depth=MAX_YAML_DEPTH)
        if anchor is not None:
            self._open.add(anchor)
        is_map = isinstance(ev, yaml.MappingStartEvent)
        node = (yaml.MappingNode if is_map else yaml.SequenceNode)(
            _MAP if is_map else _SEQ, [], start, None, ev.flow_style
        )
        size = self._children(node, is_map, depth + 1)
        end = self.get_event()
        node.end_mark = end.end_mark
        if anchor is not None:
            self._open.discard(anchor)
            self._anchors[anchor] = (node, size, end.start_mark)
        return node, size, end.start_mark, False

    def _children(self, node: SNode, is_map: bool, depth: int) -> int:
        """Compose a collection's entries into `node`; returns the values it stands for.
        (libyaml's `check_event` matches exact event classes, not `CollectionEndEvent`.)"""
        size = 1
        keys: dict[str, Any] = {}  # key -> the mark of its first occurrence
        items: list[Any] = node.value
        while not self.check_event(yaml.MappingEndEvent, yaml.SequenceEndEvent):
            child, n, mark, alias = self._node(depth)
            size += n
            if size > MAX_NODES:
                raise self._err(mark, "E0120" if alias else "E0121", limit=f"{MAX_NODES:,}")
            if not is_map:
                items.append(child)
                continue
            if type(child) is yaml.ScalarNode:  # a key written through an alias: at the alias
                if child.value in keys:
                    line = keys[child.value].line + 1
                    raise self._err(mark, "E0122", key=child.value, line=line)
                keys[child.value] = mark
            value, n, mark, alias = self._node(depth)
            size += n
            if size > MAX_NODES:
                raise self._err(mark, "E0120" if alias else "E0121", limit=f"{MAX_NODES:,}")
            items.append((child, value))
        return size


class _Loader(Composer, _Base):  # type: ignore[misc]
    """The parser cnncalc composes with (libyaml's when PyYAML has it)."""


def compose(src: Source) -> SNode | None:
    """Parse YAML into a node tree, turning every YAML failure into a located `SpecError`."""
    check_text(src)
    loader = _Loader(src.text)  # a safe loader (CSafeLoader or SafeLoader)
    loader.source = src
    try:
        node: SNode | None = loader.get_single_node()
        return node
    except yaml.YAMLError as err:  # not only MarkedYAMLError: a ReaderError carries no mark
        raise yaml_error(src, err) from None
    finally:
        loader.dispose()


class _Marks:
    """The marks of one PyYAML or libyaml failure, read against the text."""

    def __init__(self, src: Source, err: yaml.MarkedYAMLError) -> None:
        self.src = src
        self.problem, self.context = err.problem or "", err.context or ""
        self.pm: Any = err.problem_mark
        self.cm: Any = err.context_mark
        self.end = len(src.text.rstrip())

    def pos(self, m: Any) -> Pos:
        return self.src.pos(min(m.index, self.end))  # past the last character: just after it

    def at(self, m: Any) -> dict[str, object]:
        p = self.pos(m)
        return {"line": p.line, "col": p.col}

    def char(self, m: Any) -> str:
        text = self.src.text
        return text[m.index] if m is not None and 0 <= m.index < len(text) else ""


#: (code, the mark to point at, the hint instead of the code's own, the message's arguments)
_Found = tuple[str, Any, Msg | None, dict[str, object]]


def yaml_error(src: Source, err: yaml.YAMLError) -> SpecError:
    """A PyYAML or libyaml failure as a diagnostic. The two word problems differently, so the
    usual ones get one cnncalc wording; positions come from the marks' character index (the two
    disagree on the line and column of the end of a file without a final newline)."""
    if not isinstance(err, yaml.MarkedYAMLError):  # ReaderError: check_text catches these
        return SpecError("E0140", problem=str(err))
    m = _Marks(src, err)
    mark = m.pm or m.cm
    if m.pm is not None and m.cm is not None and m.pm.index >= m.end:
        mark = m.cm  # the problem is the end of the file: point where the construct began
    found = _token_problem(m) or _structure_problem(m)
    if found is None:
        found = ("E0140", mark, None, {"problem": m.problem or m.context})
    code, at, hint, args = found
    escape = code == "E0150" and m.char(m.pm) != "\\" and m.pm.index > 0
    if escape and src.text[m.pm.index - 1] == "\\":  # point at the backslash
        return SpecError(code, src.pos(m.pm.index - 1), hint=hint, **args)
    at = at if at is not None else mark
    return SpecError(code, m.pos(at) if at is not None else None, hint=hint, **args)


def _token_problem(m: _Marks) -> _Found | None:
    """Problems with one token: a character, a ':', a bracket, a quote, an escape."""
    problem, context, pm, cm = m.problem, m.context, m.pm, m.cm
    if "cannot start any token" in problem:
        ch = m.char(pm)
        if ch == "\t":
            return "E0141", None, None, {}
        return "E0142", None, Msg("H0120") if ch in "@`" else None, {"ch": ch}
    if "mapping values are not allowed" in problem or problem == "found unexpected ':'":
        above = m.src.line(m.pos(pm).line - 1) if pm is not None else ""
        bare = re.fullmatch(r"(\s*)- +([A-Za-z_][\w.]*)\s*", above)
        # `- relu` then `  name: r1`: a bare op cannot take keys
        return "E0143", None, Msg("H0121", op=bare.group(2)) if bare else None, {}
    if cm is not None and "flow" in context and (" or '}'" in problem or " or ']'" in problem):
        bracket = m.char(cm) or ("{" if "mapping" in context else "[")
        closer = "}" if bracket == "{" else "]"
        args: dict[str, object] = {"bracket": bracket, "closer": closer, **m.at(cm)}
        if pm is None or pm.index >= m.end:
            return "E0144", cm, None, args
        p = m.pos(pm)
        expression = "$" in m.src.line(p.line)[: p.col]
        return "E0145", pm, Msg("H0122") if expression else None, args
    if "quoted scalar" in context and "end of stream" in problem and cm is not None:
        return "E0148", cm, None, m.at(cm)
    if "escape" in problem and pm is not None:
        return "E0150", pm, None, {}
    if "anchor" in context or "alias" in context:
        return "E0151", cm or pm, None, {"sign": "&" if "anchor" in context else "*"}
    return None


def _structure_problem(m: _Marks) -> _Found | None:
    """Problems with the shape of the document: indentation, tags, blocks, documents."""
    problem, context, pm, cm = m.problem, m.context, m.pm, m.cm
    if "<block end>" in problem or "'-' indicator" in problem or "expected key" in problem:
        what = Msg("N0120" if "collection" in context else "N0121")
        where: object = Msg("N0122", line=m.pos(cm).line) if cm is not None else ""
        return "E0146", pm or cm, None, {"what": what, "where": where}
    if "document start" in problem:
        return "E0147", None, None, {}
    if "tag" in context:
        mark = cm or pm
        tag = re.match(r"![^\s,\[\]{}]*", m.src.text[mark.index :])
        return "E0126", mark, None, {"tag": tag.group() if tag else "!"}
    if "block scalar" in context:
        return "E0152", cm or pm, None, {}
    if "node content" in problem:
        return "E0153", None, None, {}
    if "sequence entries are not allowed" in problem:
        return "E0154", None, None, {}
    if "could not find expected ':'" in problem:
        return "E0155", cm or pm, None, {}
    if "another document" in problem:
        return "E0123", None, None, {}
    return None


def is_ultralytics(root: SNode | None) -> bool:
    """Top-level `backbone` and `head` lists and no `input` (a row that is not 4 items is the
    loader's located error, not a reason to read the file as cnncalc's)."""
    if not isinstance(root, yaml.MappingNode):
        return False
    keys = {k.value: v for k, v in root.value if isinstance(k, yaml.ScalarNode)}
    parts = [keys.get("backbone"), keys.get("head")]
    return "input" not in keys and all(isinstance(p, yaml.SequenceNode) for p in parts)
