"""The department pack's rule catalogue: BD-* (附件1-1), ZP-001…003 (附件1-2 only), X-* (the two tables against
each other), plus every shared 自评表 rule (:mod:`perfeval.rules.table`) run on 附件1-2."""

from __future__ import annotations

from perfeval.findings import Severity
from perfeval.forms.department.rules import basic, cross, selfeval
from perfeval.rules import table
from perfeval.rules.base import Rule, RuleInfo, code_key

RULES: tuple[Rule, ...] = tuple(sorted((*basic.RULES, *cross.RULES, *selfeval.RULES, *table.RULES),
                                       key=lambda r: code_key(r.code)))

#: Codes the department reader reports (they arrive as read issues).
READER_RULES: tuple[RuleInfo, ...] = (
    RuleInfo(code="BD-014", severity=Severity.ERROR, source="reader",
             title="表头年度应与评价年度一致（上年决算数、本年预算数、本年决算数）",
             template="表头“{actual}”与评价年度{year}年不符，应为“{expected}”",
             description="Detected by the department reader while checking the template labels."),
)
