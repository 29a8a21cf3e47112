"""Chinese wording for pydantic validation errors (data files and configuration files).

pydantic's own messages are English; the user reads the key path (``basic.projects[2].budget``) and a Chinese
description of what was expected and what the file holds. Errors raised by our own validators already carry
a Chinese message and are passed through.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

_EXPECTED = {
    "decimal": "数字（如 0.3）",
    "float": "数字（如 0.3）",
    "int": "整数（如 2）",
    "bool": "true 或 false",
    "string": "文本（加英文双引号）",
    "str": "文本（加英文双引号）",
    "tuple": "列表（如 [0.8, 0.6]）",
    "list": "列表（如 [1, 2]）",
    "set": "列表（如 [1, 2]）",
    "dict": "对象（如 {\"键\": 值}）",
    "model": "对象（如 {\"键\": 值}）",
    "date": "日期（如 2024-03-31）",
    "datetime": "日期时间（如 2024-03-31T09:00:00）",
    "finite": "有限的数字（不能是 NaN 或 Infinity）",
}

_BOUNDS = {
    "greater_than_equal": ("ge", "不小于"),
    "greater_than": ("gt", "大于"),
    "less_than_equal": ("le", "不大于"),
    "less_than": ("lt", "小于"),
}


def _shown(value: Any) -> str:
    if isinstance(value, Decimal):
        text = str(value)
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def key_path(loc: tuple[int | str, ...] | list[int | str]) -> str:
    """``("projects", 2, "budget")`` → ``projects[2].budget``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "（整个文件）"


def describe(error: Any, unknown_key: str = "未知的字段（拼写错误？）") -> str:
    """The Chinese text for one entry of ``ValidationError.errors()``."""
    kind: str = error["type"]
    ctx: dict[str, Any] = error.get("ctx") or {}
    got = _shown(error.get("input"))
    if kind == "extra_forbidden":
        return unknown_key
    if kind == "missing":
        return "缺少必填的值"
    if kind == "json_invalid":
        return "不是有效的 JSON（键名和文本须加英文双引号，最后一项后不能有逗号）"
    if kind in ("value_error", "assertion_error"):
        msg = str(error.get("msg", ""))
        for prefix in ("Value error, ", "Assertion failed, "):
            msg = msg.removeprefix(prefix)
        return msg if not msg.isascii() else f"取值无效（{got}）"
    if kind in _BOUNDS:
        key, word = _BOUNDS[kind]
        return f"应{word} {ctx.get(key)}，文件中是 {got}"
    if kind in ("too_short", "too_long"):
        want = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        return f"个数不对（{'至少' if kind == 'too_short' else '至多'} {want} 个），文件中是 {got}"
    if kind in ("literal_error", "enum"):
        return f"应为以下之一：{ctx.get('expected', '')}，文件中是 {got}"
    if kind.endswith(("finite_number", "_nan")) or kind == "finite_number":
        return f"应为{_EXPECTED['finite']}，文件中是 {got}"
    base = "int" if kind.startswith("int_from_float") else kind.split("_")[0]
    want = _EXPECTED.get(base)
    return f"应为{want}，文件中是 {got}" if want else f"取值无效（{got}）"


def describe_all(errors: list[Any], *, limit: int = 15, unknown_key: str = "未知的字段（拼写错误？）") -> str:
    """One ``  - key：problem`` line per error (at most ``limit``, then a count of the rest)."""
    lines = [f"  - {key_path(tuple(e['loc']))}：{describe(e, unknown_key)}" for e in errors[:limit]]
    if len(errors) > limit:
        lines.append(f"  …… 另有 {len(errors) - limit} 处")
    return "\n".join(lines)


__all__ = ["describe", "describe_all", "key_path"]
