"""perfeval — 绩效自评助手.

The engine for the 部门整体支出绩效自评 tables (附件1-1 基础数据表, 附件1-2 自评表): report model,
template layout as data, derived quantities, scoring, rule catalogue and findings.
This package imports neither xlwings nor openpyxl; the file layer lives in ``perfeval.xlsx``.
"""

__version__ = "0.1.0"
TEMPLATE_ID = "perfeval-zhengti-2023"
TEMPLATE_VERSION = "1"
