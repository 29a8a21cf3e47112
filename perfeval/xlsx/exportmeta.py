"""What a 定稿 records about itself (the export sheet and the custom document properties), readable without
openpyxl: :mod:`perfeval.xlsx.export` writes it, :mod:`perfeval.xlsx.verify` and ``collect`` read it."""

from __future__ import annotations

from collections.abc import Sequence

from perfeval.fingerprint import CanonicalCell

EXPORT_FORMAT = "perfeval-export-1"
#: key of the metadata row after which the canonical cell list follows (its value: the number of cells)
CELLS_KEY = "canonical_cells"
CUSTOM_PROP_PREFIX = "perfeval_"
CUSTOM_PROP_KEYS = ("export_format", "template_id", "template_version", "unit", "year", "exported_at",
                    "perfeval_version", "ruleset_version", "fingerprint_version", "fingerprint", "forced_reason",
                    "profile")
#: header row of the findings table in a 定稿's 校验摘要 (``collect`` reads the unit's 说明 from its last column)
SUMMARY_HEADER = ("序号", "代码", "级别", "工作表", "单元格", "问题说明", "填报值", "计算值", "说明 / 理由")


def parse_export_meta(rows: Sequence[Sequence[object]]) -> tuple[dict[str, str], list[CanonicalCell]]:
    """The metadata and canonical cell list written by :func:`perfeval.xlsx.export.export_file`, from the
    export sheet's rows (three columns, as openpyxl gives them)."""
    rows = [tuple(row) + (None,) * (3 - len(row)) for row in rows]
    meta: dict[str, str] = {}
    cells: list[CanonicalCell] = []
    for i, (key, value, _) in enumerate(rows):
        if key == CELLS_KEY:
            count = int(str(value))
            body = rows[i + 1:i + 1 + count]
            if len(body) != count:
                raise ValueError("单元格清单不完整")
            for sheet, address, text in body:
                if not sheet or not address or text is None:
                    raise ValueError("单元格清单有空行")
                cells.append((str(sheet), str(address), str(text)))
            return meta, cells
        if key is not None:
            meta[str(key)] = "" if value is None else str(value)
    raise ValueError("缺少单元格清单")


def known_templates() -> frozenset[tuple[str, str]]:
    """(template id, template version) of every form this version of perfeval can verify."""
    from perfeval import forms

    return frozenset((pack.template_id, pack.template_version) for pack in forms.all_forms())


__all__ = ["CELLS_KEY", "CUSTOM_PROP_KEYS", "CUSTOM_PROP_PREFIX", "EXPORT_FORMAT", "SUMMARY_HEADER", "known_templates",
           "parse_export_meta"]
