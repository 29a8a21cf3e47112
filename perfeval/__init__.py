"""perfeval — 绩效自评助手.

The engine for the 绩效自评 tables: a shared core (numbers, indicator texts, scoring, findings, flag planning,
configuration, layout and reading machinery) and one pack per official form under :mod:`perfeval.forms`
(附件1-1 + 附件1-2 部门整体支出; 项目支出绩效自评表). This package imports neither xlwings nor openpyxl; the file
layer lives in ``perfeval.xlsx``.
"""

__version__ = "0.2.0"

import os as _os

# openpyxl switches to lxml when lxml is installed (python-docx brings it): it then writes other bytes and reads
# some parts with lxml instead of defusedxml. Keep one behaviour whatever is installed: the standard-library writer
# (the committed templates stay byte-reproducible) and defusedxml's parsers (perfeval/xlsx/guard.py's second line).
# Set before openpyxl is first imported; an explicit OPENPYXL_LXML in the environment is respected.
_os.environ.setdefault("OPENPYXL_LXML", "False")
