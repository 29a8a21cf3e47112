"""The rule catalogue (校验): rules.md §4.1–§4.3, as far as the two tables decide them.

* :data:`RULES` — every model rule, ordered by code (:mod:`.basic` BD-*, :mod:`.cross` X-*, :mod:`.selfeval` ZP-*);
* :func:`run_rules` — run them on a report, plus the workbook reader's issues, into a :class:`FindingReport`;
* :func:`list_rules` — what ``perfeval rules`` prints, including the reader-detected codes (``source="reader"``).

Out of scope: TX-* (report text), the text halves of X-001…X-004, X-005/006/007/010/011, the text half of X-008,
X-009 (implied by other rules), ZP-020 (no grade cell in the tables). See each module's docstring.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from perfeval.compute import Computed, compute
from perfeval.config import DEFAULT_CONFIG, Config
from perfeval.findings import Finding, FindingReport, Severity
from perfeval.layout import Layout, layout_for
from perfeval.model import Report
from perfeval.rules import basic, cross, selfeval
from perfeval.rules.base import Context, Rule, RuleInfo, rule

RULESET_VERSION = "2023.1"


def _code_key(code: str) -> tuple[str, int]:
    prefix, _, number = code.partition("-")
    return prefix, int(number) if number.isdigit() else 0


RULES: tuple[Rule, ...] = tuple(sorted((*basic.RULES, *cross.RULES, *selfeval.RULES), key=lambda r: _code_key(r.code)))

#: Codes the workbook reader reports (they arrive as ``read_issues``); listed, never run on the model.
READER_RULES: tuple[RuleInfo, ...] = (
    RuleInfo(code="BD-014", severity=Severity.ERROR, source="reader",
             title="表头年度应与评价年度一致（上年决算数、本年预算数、本年决算数）",
             template="表头“{actual}”与评价年度{year}年不符，应为“{expected}”",
             description="Detected by perfeval.xlsx.reader while checking the template labels."),
    RuleInfo(code="RD-001", severity=Severity.ERROR, source="reader",
             title="单元格内容无法识别（如数值单元格中的文字）",
             template="{caption}：{message}",
             description="Any cell the workbook reader could not interpret; the value is read as blank."),
)


class ReadIssueLike(Protocol):
    """:class:`perfeval.xlsx.reader.ReadIssue` (read-only attributes; an optional ``code`` is read by getattr)."""

    @property
    def sheet(self) -> str: ...
    @property
    def address(self) -> str: ...
    @property
    def caption(self) -> str: ...
    @property
    def raw(self) -> str: ...
    @property
    def message(self) -> str: ...


def list_rules() -> list[RuleInfo]:
    """Every code of the catalogue exactly once, ordered by code."""
    return sorted([r.info() for r in RULES] + list(READER_RULES), key=lambda i: _code_key(i.code))


def _issue_finding(issue: ReadIssueLike) -> Finding:
    code = getattr(issue, "code", None) or "RD-001"
    return Finding(code=code, severity=Severity.ERROR, sheet=issue.sheet, cell=issue.address,
                   message=issue.message, stated=issue.raw)


def _issue_cells(issues: Iterable[ReadIssueLike]) -> set[tuple[str, str]]:
    """(official sheet, address) of every read issue (the reader reports official sheet names)."""
    return {(issue.sheet, issue.address) for issue in issues}


def run_rules(report: Report, layout: Layout | None = None, computed: Computed | None = None,
              config: Config = DEFAULT_CONFIG, read_issues: Iterable[ReadIssueLike] = ()) -> FindingReport:
    """Run the catalogue. Read issues come first (code ``issue.code`` or RD-001, severity error); a model finding
    at a cell the reader could not read is dropped (the cell was read as blank, the read issue says why)."""
    layout = layout if layout is not None else layout_for(report)
    computed = computed if computed is not None else compute(report, config)
    issues = list(read_issues)
    ctx = Context(report=report, layout=layout, computed=computed, config=config)
    unreadable = _issue_cells(issues)
    findings = [_issue_finding(i) for i in issues]
    for r in RULES:
        findings.extend(f for f in r.check(ctx) if (f.sheet, f.cell) not in unreadable)
    return FindingReport(findings=findings)



__all__ = ["READER_RULES", "RULES", "RULESET_VERSION", "Context", "Rule", "RuleInfo", "list_rules", "rule",
           "run_rules"]
