"""Every public JSON contract, each with its schema version: the report (`params`, `layer`),
`check`, `diff` and `lint`. Stdlib only: `--format json` never imports rich."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from cnncalc.engine import Report, rf_number
from cnncalc.messages.escape import json_safe
from cnncalc.messages.numbers import EXACT_BELOW
from cnncalc.render.text import token

if TYPE_CHECKING:
    from cnncalc.analysis.budget import BudgetResult, CheckResult
    from cnncalc.analysis.diff import NetworkDiff
    from cnncalc.analysis.lint import Finding
    from cnncalc.analysis.memory import TrainMemory
    from cnncalc.analysis.train import Training
    from cnncalc.errors import CnnCalcError

#: the version of every contract below; fields may be added, never renamed
SCHEMA = 1


def to_json(data: object, bounded: bool = False) -> str:
    """`data` as JSON: integers exact, past 10^308 in scientific form (`2.000e+4794`, still a
    JSON number: no int-to-text limit, no digits by the thousand), every character that is
    unsafe on a terminal escaped (`json_safe`). `bounded`: the caller knows no number is that
    large, and the walk that looks for them is skipped."""
    tokens: list[str] = []
    if not bounded:
        data = _bounded(data, tokens)
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if tokens:  # each placeholder string becomes its number, unquoted
        text = _PLACEHOLDER.sub(lambda m: tokens[int(m.group(1))], text)
    return json_safe(text) + "\n"


#: a huge number's place in the document while `json.dumps` writes it; NUL is in no string
#: cnncalc writes (the loader refuses it, paths cannot hold it), and JSON writes it `\u0000`
_PLACEHOLDER = re.compile(r'"\\u0000(\d+)\\u0000"')


def _bounded(value: object, tokens: list[str]) -> object:
    """`value` with every integer past `EXACT_BELOW` replaced by a placeholder for its token."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if -EXACT_BELOW < value < EXACT_BELOW:
            return value
        tokens.append(token(value))
        return f"\0{len(tokens) - 1}\0"
    if isinstance(value, dict):
        return {k: _bounded(v, tokens) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_bounded(v, tokens) for v in value]
    return value


def warning_texts(warnings: Sequence[CnnCalcError]) -> list[str]:
    """Located warnings as the JSON lists them: each as the diagnostic, code included."""
    return [w.render() for w in warnings]


def add_training(data: dict[str, object], train: Training) -> dict[str, object]:
    """The report's JSON (`Report.to_dict()`) with `--train`: `totals` gains `backward_flops`,
    `saved_activation_bytes` and `backward_transient_bytes` (batch included), a `training`
    entry names the batch and dtype they are for, and each layer gains its `backward_flops` and
    `saved_bytes`. `data` is changed in place and returned; without `--train` nothing is added."""
    totals = data["totals"]
    assert isinstance(totals, dict)
    totals["backward_flops"] = train.backward_flops
    totals["saved_activation_bytes"] = train.saved_bytes
    totals["backward_transient_bytes"] = train.transient_bytes
    data["training"] = {"batch": train.batch, "dtype": train.dtype}
    layers = data["layers"]
    assert isinstance(layers, list)
    for entry, row in zip(layers, train.layers):
        entry["backward_flops"] = row.backward_flops
        entry["saved_bytes"] = row.saved_bytes
    return data


def report_json(
    report: Report, training: Training | None = None, memory: TrainMemory | None = None
) -> str:
    """`cnncalc params --format json` and `cnncalc layer --format json` (with `training`: the
    `--train` fields, `add_training`; with `memory`, `totals.train_memory`: the optimizer, the
    precision, each component and their sum)."""
    # only a receptive field grows past 10^308 (a product of strides): look there, not at all
    # of a 100,000-layer document
    huge = any(
        not (-EXACT_BELOW < a.size < EXACT_BELOW and -EXACT_BELOW < a.jump < EXACT_BELOW)
        for r in report.layers
        for a in r.rf
    )
    data = report.to_dict()
    if report.network.front == "ultralytics":
        from cnncalc.analysis.ultralytics import figures

        data["totals"] = {**data["totals"], **figures(report).to_dict()}  # type: ignore[dict-item]
    if training is not None:
        add_training(data, training)
    if memory is not None:
        totals = data["totals"]
        assert isinstance(totals, dict)
        totals["train_memory"] = memory.to_dict()
    return to_json(data, bounded=not huge)


def budget_dict(b: BudgetResult) -> dict[str, object]:
    headroom = b.headroom
    return {
        "name": b.name,
        "used": rf_number(Fraction(b.used)),
        "limit": b.limit,
        "passed": b.passed,
        "line": None if b.pos is None else b.pos.line,
        "col": None if b.pos is None else b.pos.col,
        "source": b.source,
        "unit": b.unit,
        "minimum": b.is_minimum,
        "headroom_pct": None if headroom is None else _pct(headroom),
    }


def _pct(ratio: Fraction) -> int | float:
    """A ratio as a percentage with 4 decimals; past 2^53 (an RF budget met 10^4000 times over)
    an exact integer, which no float would hold."""
    pct = ratio * 100
    return int(pct) if abs(pct) > 2**53 else round(float(pct), 4)


def check_dict(
    result: CheckResult, warnings: Sequence[Sequence[CnnCalcError]] = ()
) -> dict[str, object]:
    """The public JSON contract of `cnncalc check`; `warnings[i]` are file i's warnings."""
    files = []
    for i, f in enumerate(result.files):
        entry: dict[str, object] = {
            "path": f.path,
            "name": f.name,
            "checked": f.checked,
            "passed": f.passed,
            "budgets": [budget_dict(b) for b in f.budgets],
        }
        if i < len(warnings) and warnings[i]:
            entry["warnings"] = warning_texts(warnings[i])
        files.append(entry)
    return {"schema": SCHEMA, "files": files, "passed": result.passed}


def check_json(result: CheckResult, warnings: Sequence[Sequence[CnnCalcError]] = ()) -> str:
    return to_json(check_dict(result, warnings))


def diff_json(d: NetworkDiff, warnings: Sequence[CnnCalcError] = ()) -> str:
    """`cnncalc diff --format json`: the comparison, and the two versions' warnings."""
    data = d.to_dict()
    if warnings:
        data["warnings"] = warning_texts(warnings)
    return to_json(data)


def lint_json(
    findings: Sequence[tuple[str, Finding]],
    files: int,
    lang: str,
    warnings: Sequence[CnnCalcError] = (),
    errors: Sequence[CnnCalcError] = (),
) -> str:
    """`cnncalc lint --format json`: every finding with its rule, place, message and why; the
    files' warnings, and the errors of files that did not load."""
    from cnncalc.analysis.lint import finding_dict

    data: dict[str, object] = {
        "schema": SCHEMA,
        "files": files,
        "findings": [finding_dict(f, lang, path) for path, f in findings],
    }
    if warnings:
        data["warnings"] = warning_texts(warnings)
    if errors:
        data["errors"] = [error_dict(e, lang) for e in errors]
    return to_json(data)


def error_dict(err: CnnCalcError, lang: str = "en") -> dict[str, object]:
    """A bad input as JSON: its code, place, message and hint."""
    pos = err.pos
    return {
        "code": err.code,
        "severity": err.severity,
        "file": None if pos is None else pos.source.name,
        "line": None if pos is None or pos.line < 1 else pos.line,
        "col": None if pos is None or pos.line < 1 else pos.col,
        "message": err.text(lang),
        "hint": err.hint_text(lang),
    }
