"""The auxiliary sheets this tool adds to a workbook, declared once.

The official sheets belong to a form pack (:mod:`perfeval.forms`); these belong to the tool and are the same
for every form. Names a user sees are Chinese; hidden state sheets start with ``_perfeval``.
"""

from __future__ import annotations

#: engine figures beside the official tables (written by 计算, frozen by 导出)
CALC_SHEET = "计算结果"
#: the findings of 校验 (one row per finding, with a column for the unit's explanations)
RESULTS_SHEET = "校验结果"
#: the findings of checking the 自评报告 against the tables (``validate --report``; the add-in's 校验)
REPORT_SHEET = "报告核对"
#: what 导出 writes in place of 校验结果: the findings that remain, and who forced the export
SUMMARY_SHEET = "校验摘要"
#: hidden: the layout's shape and the form, so that a workbook can be read back
META_SHEET = "_perfeval"
#: hidden: each flagged cell's original fill and note, so that 清除标记 can restore them
STATE_SHEET = "_perfeval_flags"
#: hidden, in the 定稿 only: the fingerprint of the official cells
EXPORT_SHEET = "_perfeval_export"

AUXILIARY_SHEETS = (CALC_SHEET, RESULTS_SHEET, REPORT_SHEET, SUMMARY_SHEET, META_SHEET, STATE_SHEET, EXPORT_SHEET)
HIDDEN_SHEETS = (META_SHEET, STATE_SHEET, EXPORT_SHEET)
