"""The catalogue as a document: `docs/errors.md` is `errors_markdown()`, kept current by a test."""

from __future__ import annotations

import re

from cnncalc.messages import en, zh

_CODE = re.compile(r"^[EW][0-9]{4}$")
_SECTIONS = (
    ("E00", "Reading files and options"),
    ("E01", "The file's text and its YAML"),
    ("E02", "Values and expressions"),
    ("E03", "The document: keys, blocks, names and references"),
    ("E04", "Layer arguments and sizes"),
    ("E05", "The graph"),
    ("E06", "Budgets, check and diff"),
    ("E07", "explain, lint and flow"),
    ("E08", "The `layer` command's options"),
    (
        "E039 W039 " + " ".join(f"{k}081{i}" for k in "EW" for i in range(1, 10)),
        "Ultralytics files",
    ),
    ("E09", "Export and import"),
    ("E10", "Training: backward FLOPs, saved activations, memory and fit"),
    ("W", "Warnings"),
)


def _section(code: str) -> str:
    """The title of the section a code is listed in: the one with the longest prefix of it."""
    found = [(p, t) for ps, t in _SECTIONS for p in ps.split() if code.startswith(p)]
    return max(found, key=lambda pt: len(pt[0]))[1]


def codes() -> list[str]:
    """Every error and warning code, in order."""
    return sorted(k for k in en.MESSAGES if _CODE.match(k))


def _cell(text: str) -> str:
    """A Markdown table cell: pipes escaped, placeholders shown as code, and a brace the
    message writes doubled (`{{`, as `str.format` wants it) shown once, as the terminal does."""
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    tokens = {"{{": "{", "}}": "}"}
    return re.sub(r"\{\{|\}\}|\{([a-z_]+)\}", lambda m: tokens.get(m[0]) or f"`{{{m[1]}}}`", text)


def errors_markdown() -> str:
    """Every error and warning code with its English and Chinese text and hint."""
    out = [
        "# Errors and warnings",
        "",
        "Every diagnostic cnncalc prints carries a stable code: `error[E0101]: …` on the terminal,",
        '`"code"` in JSON, the annotation title under GitHub Actions, the failure type in JUnit.',
        "Lint findings have codes of their own (`CNN101` …, see [lint.md](lint.md)). `{name}`",
        "stands for a value filled in from your file. This page is generated from the message",
        "catalogue (`cnncalc/messages/`); `pytest --update-goldens` rewrites it.",
    ]
    all_codes = codes()
    for _, title in _SECTIONS:
        section = [c for c in all_codes if _section(c) == title]
        if not section:
            continue
        out += ["", f"## {title}", "", "| code | message | hint | 中文 |", "|---|---|---|---|"]
        for code in section:
            hint = en.MESSAGES.get(code + ".hint", "")
            zh_text = zh.MESSAGES[code]
            if code + ".hint" in zh.MESSAGES:
                zh_text += "（" + zh.MESSAGES[code + ".hint"] + "）"
            out.append(
                f"| `{code}` | {_cell(en.MESSAGES[code])} | {_cell(hint)} | {_cell(zh_text)} |"
            )
    return "\n".join(out) + "\n"
