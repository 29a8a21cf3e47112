"""The rule catalogue (校验): rules.md §4, for whichever form a workbook holds.

Each form pack owns its rules (:meth:`~perfeval.forms.base.FormPack.rules`); the rules every 自评表 shares are
:mod:`perfeval.rules.table`, the machinery :mod:`perfeval.rules.base`. Here:

* :func:`run_rules` — run a form's rules on a report, plus the workbook reader's issues, into a :class:`FindingReport`;
* :func:`list_rules` — what ``perfeval rules`` prints: every form's codes once, and the reader-detected codes
  (``source="reader"``).

The report-text rules (TX-*, the text halves of X-001…X-011) are each form's ``report_rules()``
(:mod:`perfeval.report.rules`), run with ``context={"report_text": doc}``; a code shared with a table rule is
listed once, under the table rule. Out of scope: ZP-020 (no grade cell in the tables; X-010 checks the report's
grade). See each module's docstring.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from perfeval.compute import Computed
from perfeval.config import DEFAULT_CONFIG, Config
from perfeval.findings import Finding, FindingReport, Severity
from perfeval.layout import Layout
from perfeval.rules.base import Context, Rule, RuleInfo, code_key, rule

if TYPE_CHECKING:
    from perfeval.forms.base import FormPack

#: bumped whenever a rule is added or changes what it reports (recorded in every 定稿); 2026.1: the project form
RULESET_VERSION = "2026.1"


#: Codes the core workbook reader reports for every form (they arrive as ``read_issues``); listed, never run.
READER_RULES: tuple[RuleInfo, ...] = (
    RuleInfo(code="RD-001", severity=Severity.ERROR, source="reader",
             title="单元格内容无法识别（如数值单元格中的文字、逻辑值、日期、错误值，或大得不合理的数值）",
             template="{caption}：{message}",
             description="Any cell the workbook reader could not interpret (also a number with |x| >= 1e12); "
                         "the value is read as blank."),
    RuleInfo(code="RD-002", severity=Severity.WARNING, source="reader",
             title="数值单元格中填的是文字形式的数字：本工具能读出，但 Excel 公式按 0 计算",
             template="{caption}填写为文字“{raw}”，按 {value} 读取；但 Excel 公式把文字当作 0 计算，合计会少算。"
                      "请运行“计算”转换为数值，或直接改填数字。",
             description="A number stored as text in a numeric cell (input or typed-over derived cell). The engine "
                         "reads the number; the template's N()/SUM count it as 0. 计算 converts input cells into "
                         "numbers (keeping the number format) and restores the formula of derived cells; the "
                         "定稿 never keeps such a text."),
    RuleInfo(code="RD-003", severity=Severity.WARNING, source="reader",
             title="派生单元格的公式与模板公式不同",
             template="{caption}的公式“{formula}”与模板公式“{template}”不同，表中显示为“{cached}”",
             description="Formulas are compared as text without spaces, '$', case and the leading '='. The cached "
                         "value, where the file has one, is read as a stated value, so the stated-vs-computed "
                         "rules (BD-001 …) check it. 计算 restores the template formula."),
    RuleInfo(code="RD-004", severity=Severity.WARNING, source="reader",
             title="金额应保留两位小数（合计按四舍五入到分后的金额计算）",
             template="{caption}金额应保留两位小数：填写 {value}，按 {printed} 计",
             description="An amount with more than two decimals. Every sum compares amounts rounded half up to "
                         "0.01 (rules.md §4), so the total is not blamed for the hidden decimals."),
    RuleInfo(code="RD-005", severity=Severity.WARNING, source="reader",
             title="官方工作表被改名、移动位置或隐藏",
             template="官方工作表“{official}”应为工作簿的第{position}个工作表、名称不变且可见",
             description="Reported at A1 of the sheet. 附件1-1 must be the first sheet and 附件1-2 the second, "
                         "visible, under their official names. The 定稿 restores names, order and visibility."),
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


def all_rules(packs: Iterable[FormPack] | None = None) -> tuple[Rule, ...]:
    """Every model rule of the given packs (default: every form), each code once, ordered by code."""
    from perfeval import forms

    seen: dict[str, Rule] = {}
    for pack in (forms.all_forms() if packs is None else packs):
        for r in (*pack.rules(), *pack.cross_rules(), *pack.report_rules()):
            seen.setdefault(r.code, r)
    return tuple(sorted(seen.values(), key=lambda r: code_key(r.code)))


def list_rules(packs: Iterable[FormPack] | None = None) -> list[RuleInfo]:
    """Every code of the catalogue exactly once, ordered by code (model rules, then the readers' codes)."""
    from perfeval import forms

    packs = list(forms.all_forms() if packs is None else packs)
    infos = {r.code: r.info() for r in all_rules(packs)}
    for info in (*READER_RULES, *(i for pack in packs for i in pack.reader_rules())):
        infos.setdefault(info.code, info)
    return sorted(infos.values(), key=lambda i: code_key(i.code))


def _issue_severity(issue: ReadIssueLike) -> Severity:
    return Severity(getattr(issue, "severity", Severity.ERROR))


def _issue_finding(issue: ReadIssueLike) -> Finding:
    code = getattr(issue, "code", None) or "RD-001"
    return Finding(code=code, severity=_issue_severity(issue), sheet=issue.sheet, cell=issue.address,
                   message=issue.message, stated=issue.raw)


def _issue_cells(issues: Iterable[ReadIssueLike]) -> set[tuple[str, str]]:
    """(official sheet, address) of every cell read as blank because of an error-severity read issue (the
    reader reports official sheet names). A warning (RD-002 …) leaves the value read: its cell is checked."""
    return {(issue.sheet, issue.address) for issue in issues if _issue_severity(issue) == Severity.ERROR}


def run_rules(report: Any, layout: Layout | None = None, computed: Computed | None = None,
              config: Config = DEFAULT_CONFIG, read_issues: Iterable[ReadIssueLike] = (),
              extra: Iterable[Rule] = (), context: dict[str, Any] | None = None) -> FindingReport:
    """Run the catalogue of ``report``'s form. Read issues come first (code ``issue.code`` or RD-001; severity
    ``issue.severity``, error when absent); a model finding at a cell the reader could not read (an error-severity
    issue) is dropped (the cell was read as blank, the read issue says why). Each finding is reported once.
    ``extra`` rules (a form's cross-form rules) run after the form's own, with ``context`` in ``ctx.extra``."""
    from perfeval import forms

    pack = forms.get(layout.form) if layout is not None else forms.for_report(report)
    layout = layout if layout is not None else pack.layout_for(report)
    computed = computed if computed is not None else pack.compute(report, config)
    issues = list(read_issues)
    ctx = Context(report=report, layout=layout, computed=computed, config=config, extra=context or {})
    unreadable = _issue_cells(issues)
    findings: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    for f in [_issue_finding(i) for i in issues]:
        if f.key not in seen:  # one finding per (code, sheet, cell): explanations are keyed by it
            seen.add(f.key)
            findings.append(f)
    for r in (*pack.rules(), *extra):
        findings.extend(f for f in r.check(ctx) if (f.sheet, f.cell) not in unreadable)
    return FindingReport(findings=findings)



__all__ = ["READER_RULES", "RULESET_VERSION", "Context", "Rule", "RuleInfo", "all_rules", "list_rules", "rule",
           "run_rules"]
