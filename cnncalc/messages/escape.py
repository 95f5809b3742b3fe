"""Making user text safe to show, one function per sink: control characters written visibly,
long lines cut, and each output format's own syntax escaped.

Standard library only, below `errors`, so that every diagnostic (its arguments, its file name and
its quoted source line) and every render sink share the one step. A control character from a
file or an option never reaches a terminal, a Markdown page, an XML report or a CI log raw:
`\\x1b` is shown as the four characters `\\x1b`, a line break inside a name as `\\n`. On top
of that, each sink escapes what its format reads: Markdown (`markdown`, `markdown_code`), XML
(`xml_attr`, `xml_text`), GitHub workflow commands (`workflow_data`, `workflow_property`), CSV
(`csv_cell`), JSON (`json_safe`), and the graphs' Mermaid (`mermaid_text`) and Graphviz DOT
(`dot_text`). Rich reads no markup at all (its console is built with markup off), and the
terminal gets `visible_lines`.
"""

from __future__ import annotations

import re

#: what never reaches an output raw: C0 and C1 controls and DEL; the bidirectional overrides,
#: isolates and marks (which reorder what a terminal or a web page shows: "Trojan Source");
#: line separators; invisible format characters (zero-width spaces and joiners, the soft hyphen,
#: a BOM, invisible operators, tag characters that smuggle hidden text); and what XML 1.0 and
#: UTF-8 cannot carry (lone surrogates, the noncharacters U+FFFE, U+FFFF)
_UNSAFE = (
    "\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"
    "\ud800-\udfff\ufdd0-\ufdef\ufeff\ufff9-\ufffb\ufffe\uffff\U000e0000-\U000e007f"
)
_CONTROL = re.compile(f"[\x00-\x1f{_UNSAFE}]")
#: the same, but keeping line breaks and tabs (whole outputs, where lines are meant)
_CONTROL_IN_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f{_UNSAFE}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _show(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: str) -> str:
    """One value (a name, a path, an argument) with every control character written visibly:
    `"a\\x1b[31mb"` -> `a\\x1b[31mb` with a literal backslash; a line break becomes `\\n`."""
    return _CONTROL.sub(_show, text) if _CONTROL.search(text) else text


def visible_lines(text: str) -> str:
    """A whole output: line breaks and tabs kept, every other control character visible."""
    return _CONTROL_IN_TEXT.sub(_show, text) if _CONTROL_IN_TEXT.search(text) else text


def has_control(text: str) -> int:
    """The index of the first control character in `text`, or -1."""
    m = _CONTROL.search(text)
    return -1 if m is None else m.start()


#: columns of a quoted source line shown around the caret
QUOTE_WIDTH = 200


def clip(line: str, col: int, width: int = QUOTE_WIDTH) -> tuple[str, int]:
    """At most `width` characters of `line` around column `col` (1-based), with `…` where it
    was cut, and the caret's new column: a one-megabyte line is quoted as 200 columns."""
    if len(line) <= width:
        return line, col
    start = max(0, min(col - 1 - width // 2, len(line) - width))
    end = start + width
    head = "…" if start > 0 else ""
    tail = "…" if end < len(line) else ""
    return head + line[start:end] + tail, col - start + len(head)


# --- the sinks ----------------------------------------------------------------------------------

#: what Markdown (CommonMark and GitHub's extensions) reads in running text: emphasis, code,
#: links and images, HTML and entities, headings, strikethrough, math, table cells
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#!|~&$])")


def markdown(text: str) -> str:
    """Text for a Markdown page, table cell or heading: shown as written, never read as
    Markdown or HTML. Control characters visible (no line break ends a cell), and every
    character Markdown reads backslash-escaped (`a|b` -> `a\\|b`, `<b>` -> `\\<b\\>`)."""
    return _MARKDOWN.sub(r"\\\1", visible(text))


def markdown_code(text: str, cell: bool = True) -> str:
    """Text as Markdown inline code (a path): fenced by one backtick more than the longest run
    inside, padded when it starts or ends with a backtick or a space. In a table `cell`, pipes
    are escaped (GitHub reads `\\|` as a pipe even inside code); elsewhere code needs none."""
    body = visible(text)
    longest = max((len(run) for run in re.findall("`+", body)), default=0)
    fence = "`" * (longest + 1)
    if body[:1] in ("`", " ") or body[-1:] in ("`", " "):
        body = f" {body} "
    if cell:
        body = body.replace("|", "\\|")
    return f"{fence}{body}{fence}"


def xml_attr(text: str) -> str:
    """An XML attribute value before the serializer escapes `<&"`: control characters visible
    (most are illegal in XML 1.0, and a line break in an attribute is lost)."""
    return visible(text)


def xml_text(text: str) -> str:
    """XML element text before the serializer escapes `<&`: lines and tabs kept, every other
    control character (illegal in XML 1.0) visible."""
    return visible_lines(text)


def workflow_data(text: str) -> str:
    """The message of a GitHub workflow command (`::error …::message`): `%`, CR and LF escaped
    as the Actions toolkit escapes them, so no line of user text starts a command of its own;
    other control characters visible."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return visible(text)


def workflow_property(text: str) -> str:
    """A property of a workflow command (`file=…`, `title=…`): as `workflow_data`, and `:` and
    `,`, which end a property, escaped too."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")


#: what a spreadsheet reads as the start of a formula ("CSV injection")
_FORMULA_START = ("=", "+", "-", "@")


def csv_cell(text: str) -> str:
    """A text cell of CSV: control characters visible; a cell a spreadsheet would run as a
    formula (`=HYPERLINK(…)`, `+1`, `-1`, `@SUM(…)`) starts with `'`, as OWASP advises, so it
    is shown as text. Only names get this: numbers are written as numbers."""
    text = visible(text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _json_escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # a UTF-16 surrogate pair, as JSON writes characters past the BMP
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_safe(document: str) -> str:
    """A JSON document (from `json.dumps(…, ensure_ascii=False)`, which escapes only C0
    controls) with every other unsafe character written as a `\\uXXXX` escape: the same
    string to a JSON reader, nothing raw on a terminal. Outside strings JSON is ASCII, so
    every such character is inside a string (the line breaks and indentation between values
    are kept: inside strings `json.dumps` has escaped those already)."""
    if _CONTROL_IN_TEXT.search(document) is None:
        return document
    return _CONTROL_IN_TEXT.sub(_json_escape, document)


#: what Mermaid reads inside a quoted label: the quote that ends it, `#` (which starts an
#: entity code), HTML (`<`, `>`, `&`), Markdown strings (a backtick) and `%` (comments and
#: directives); each is written as Mermaid's entity code, so the label shows it as written
_MERMAID = {
    '"': "#quot;",
    "#": "#35;",
    "&": "#amp;",
    "<": "#lt;",
    ">": "#gt;",
    "`": "#96;",
    "%": "#37;",
}
_MERMAID_CHARS = re.compile("[" + re.escape("".join(_MERMAID)) + "]")


def mermaid_text(text: str) -> str:
    """Text for a quoted Mermaid label (`n1["…"]`): control characters visible (no line break
    ends the statement), and every character Mermaid, HTML or Markdown would read as syntax as
    an entity code (`"` -> `#quot;`, `<script>` -> `#lt;script#gt;`). Brackets, pipes,
    semicolons and arrows are plain text inside the quotes."""
    return _MERMAID_CHARS.sub(lambda m: _MERMAID[m.group()], visible(text))


def dot_text(text: str) -> str:
    """Text for a quoted Graphviz DOT string (an ID or a label): control characters visible
    (no raw line break), then `\\` and `"` backslash-escaped, so the string ends where the
    quotes say and no escape sequence (`\\n`, `\\N`, `\\G`) of the user's is read."""
    return visible(text).replace("\\", "\\\\").replace('"', '\\"')
