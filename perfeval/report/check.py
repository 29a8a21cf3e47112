"""Checking a 自评报告 against a workbook's tables: running the report rules, and the 报告核对 sheet's rows.

Shared by ``perfeval validate --report``, ``perfeval export --report`` and the add-in's 校验 (which finds the
report beside the workbook: :func:`find_beside`). The Excel layers only write the rows planned here.

Report findings are ordinary :class:`~perfeval.findings.Finding` objects with a ``quote`` (the report's
sentence); they are listed with the table findings (console, JSON) but flagged nowhere in the official sheets:
they go to the 报告核对 sheet, one row each, whose 表中的值 links to the table cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from perfeval.compute import Computed
from perfeval.config import Config
from perfeval.findings import SEVERITY_LABELS, SEVERITY_ORDER, Finding, FindingReport, Severity, cell_order
from perfeval.flagging import cell_link
from perfeval.layout import Layout
from perfeval.report.rules import CONTEXT_KEY
from perfeval.report.text import ReportDocument
from perfeval.rules.base import Context

REPORT_HEADER = ("序号", "代码", "级别", "报告原文（句子）", "报告中的值", "表中的值", "问题说明", "说明")
REPORT_WIDTHS = (5, 8, 6, 48, 14, 16, 44, 24)
REPORT_FIRST_ROW = 3  # title row, header row, then findings
EXPLANATION_COL = REPORT_HEADER.index("说明")
#: the add-in checks a report beside the workbook whose file name contains this (see :func:`find_beside`)
REPORT_NAME_MARK = "自评报告"


def is_report_finding(f: Finding) -> bool:
    return f.quote is not None


def check_report(report: Any, layout: Layout, computed: Computed, config: Config, doc: ReportDocument,
                 read_issues: Iterable[Any] = ()) -> list[Finding]:
    """The findings of the form's report rules on ``doc``. A cell the workbook reader could not read (an
    error-severity read issue) is not blamed: its value was read as blank and the read issue says why."""
    from perfeval import forms

    ctx = Context(report=report, layout=layout, computed=computed, config=config, extra={CONTEXT_KEY: doc})
    unreadable = {(i.sheet, i.address) for i in read_issues
                  if Severity(getattr(i, "severity", Severity.ERROR)) == Severity.ERROR}
    found = [f for r in forms.get(layout.form).report_rules() for f in r.check(ctx)
             if (f.sheet, f.cell) not in unreadable]
    return sorted(found, key=lambda f: (SEVERITY_ORDER[f.severity], f.sheet, f.code, cell_order(f.cell)))


def merged(table: FindingReport, report_findings: Sequence[Finding]) -> FindingReport:
    """Table and report findings in one list (what ``validate`` prints and its JSON holds)."""
    return FindingReport(findings=[*table.findings, *report_findings]).sorted()


def split(findings: FindingReport) -> tuple[FindingReport, list[Finding]]:
    return (FindingReport(findings=[f for f in findings.findings if not is_report_finding(f)]),
            [f for f in findings.findings if is_report_finding(f)])


def summary_text(findings: Sequence[Finding]) -> str:
    counts = {s: sum(1 for f in findings if f.severity == s) for s in Severity}
    return (f"错误 {counts[Severity.ERROR]} 项，警告 {counts[Severity.WARNING]} 项，"
            f"提示 {counts[Severity.INFO]} 项")


def _link(sheet: str, cell: str, text: str) -> str:
    """A HYPERLINK formula showing ``text`` (the table's value) and jumping to the cell."""
    base = cell_link(sheet, cell)  # =HYPERLINK("#'sheet'!A1","A1")
    shown = (text or cell).replace('"', '""')[:250]
    return base[: base.rindex(',"') ] + f',"{shown}")'


def report_rows(findings: Sequence[Finding], doc_name: str, sheet_names: dict[str, str] | None = None,
                explanations: dict[tuple[str, str], str] | None = None) -> list[list[object]]:
    """The 报告核对 sheet from the title row down: one row per report finding; the 说明 typed in the previous
    sheet stays with its (code, sentence)."""
    names = sheet_names or {}
    typed = explanations or {}
    title = (f"报告核对：{doc_name} 与表格对照，{summary_text(findings)}。“表中的值”可点击跳转到单元格；"
             "报告中的问题请改报告，确属表格有误时改表格。")
    rows: list[list[object]] = [[title], list(REPORT_HEADER)]
    for n, f in enumerate(findings, start=1):
        sheet = names.get(f.sheet, f.sheet)
        rows.append([n, f.code, SEVERITY_LABELS[f.severity], f.quote or "", f.stated or "",
                     _link(sheet, f.cell, f.computed or ""), f.message, typed.get((f.code, f.quote or ""), "")])
    if not findings:
        rows.append(["", "", "", "", "", "", "未发现报告与表格不一致之处。", ""])
    return rows


def read_report_explanations(rows: Iterable[Sequence[object]]) -> dict[tuple[str, str], str]:
    """The 说明 typed into a previous 报告核对 sheet, keyed by (code, sentence)."""
    out: dict[tuple[str, str], str] = {}
    for i, row in enumerate(rows):
        if i < REPORT_FIRST_ROW - 1:
            continue
        row = [*row, *([None] * len(REPORT_HEADER))]
        code, sentence, text = row[1], row[3], row[EXPLANATION_COL]
        if code and sentence and text is not None and str(text).strip():
            out[(str(code), str(sentence))] = str(text).strip()
    return out


def find_beside(workbook: Path, unit: str = "") -> Path | None:
    """The add-in's report: a ``.docx`` in the workbook's folder whose name contains 自评报告 (Word's lock files
    ``~$…`` left out); of several, the one whose name contains the unit's name, else the newest."""
    try:
        found = [p for p in workbook.parent.iterdir()
                 if p.suffix.lower() == ".docx" and REPORT_NAME_MARK in p.name and not p.name.startswith("~$")
                 and p.is_file()]
    except OSError:
        return None
    if not found:
        return None
    named = [p for p in found if unit and unit.strip() and unit.strip() in p.name]
    pool = named or found
    return max(pool, key=lambda p: (p.stat().st_mtime, p.name))


__all__ = ["REPORT_FIRST_ROW", "REPORT_HEADER", "REPORT_NAME_MARK", "REPORT_WIDTHS", "check_report", "find_beside",
           "is_report_finding", "merged", "read_report_explanations", "report_rows", "split", "summary_text"]
