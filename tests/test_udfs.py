"""The worksheet functions of ``udfs`` (the add-ins' ``UDF Modules``).

Three layers:

* plain Python calls (here xlwings' decorators are no-ops, research §1.5) — the numbers and the
  "never raise" contract;
* the Office.js mode: a subprocess with ``XLWINGS_ON_SERVER=true`` + the noncommercial licence key (xlwings
  picks its decorators at import time, so this cannot run in the pytest process) calls
  ``xlwings.server.custom_functions_call`` with Office.js-shaped bodies (research §3.5) and dumps
  ``custom_functions_meta`` — marked ``xlwings_remote``;
* the classic Windows mode, simulated: a subprocess stubs the three pywin32 modules that
  ``xlwings/udfs.py`` imports, decorates ``udfs`` with xlwings' own classic ``xlfunc``/``xlarg`` and runs
  xlwings' own ``generate_vba_wrapper`` (what ``ImportPythonUDFsToAddin`` writes into the add-in). No COM,
  no Excel: it checks the metadata and the VBA text only.
"""

from __future__ import annotations

import inspect
import json
import keyword
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import udfs
from udfs import (
    FAILED,
    INVALID,
    NA,
    PE_CHANGE_RATE,
    PE_CHECK_RATE,
    PE_CHECK_SUM,
    PE_CONTROL_RATE,
    PE_EXEC_RATE,
    PE_EXEC_SCORE,
    PE_GRADE,
    PE_INDICATOR_NOTE,
    PE_INDICATOR_SCORE,
    PE_INDICATOR_TYPE,
)

ROOT = Path(__file__).resolve().parent.parent
PE_FUNCTIONS = sorted(name for name in dir(udfs) if name.startswith("PE_") and callable(getattr(udfs, name)))
MISSING = -2147352572
"""What Windows Excel passes for an omitted optional argument (``xlwings/udfs.py::call_udf``)."""


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _run(script: str, env: dict[str, str], stdin: str = "") -> Any:
    """Run ``script`` with the repo on ``sys.path`` (ahead of the editable install) and parse its JSON."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
    full_env.update(env)
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    full_env["PYTHONIOENCODING"] = "utf-8"
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        input=stdin, capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=full_env, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


# --------------------------------------------------------------------------- plain calls: seed numbers


def test_function_list() -> None:
    assert PE_FUNCTIONS == sorted(
        ["PE_CHANGE_RATE", "PE_CHECK_RATE", "PE_CHECK_SUM", "PE_CONTROL_RATE", "PE_EXEC_RATE", "PE_EXEC_SCORE",
         "PE_GRADE", "PE_INDICATOR_NOTE", "PE_INDICATOR_SCORE", "PE_INDICATOR_TYPE"]
    )
    assert set(PE_FUNCTIONS) <= set(udfs.__all__)


def test_rates() -> None:
    assert PE_CONTROL_RATE(40, 38) == pytest.approx(1.0526, abs=5e-5)
    assert PE_CONTROL_RATE(40.0, 38.0) == pytest.approx(40 / 38)
    assert PE_EXEC_RATE(781.06, 781.06) == 1
    assert isinstance(PE_EXEC_RATE(781.06, 781.06), float)
    assert PE_EXEC_RATE(850000, 1000000) == 0.85
    assert PE_CHANGE_RATE(0, 0.11) == -1
    assert PE_CHANGE_RATE(110, 100) == pytest.approx(0.1)


def test_not_applicable() -> None:
    assert PE_EXEC_RATE(781.06, 0) == NA == "—"
    assert PE_EXEC_RATE(781.06, None) == NA
    assert PE_EXEC_RATE(None, 100) == NA
    assert PE_EXEC_RATE(1, "") == NA
    assert PE_EXEC_RATE(1, "—") == NA
    assert PE_CONTROL_RATE(3, 0) == NA
    assert PE_CHANGE_RATE(5, 0) == NA
    assert PE_EXEC_SCORE(1, 0) == NA
    assert PE_GRADE(None) == NA


def test_text_numbers() -> None:
    assert PE_EXEC_RATE("781.06万元", "781.06") == 1
    assert PE_EXEC_RATE("７８１．０６", 781.06) == 1
    assert PE_CONTROL_RATE("40人", "38人") == pytest.approx(40 / 38)
    assert PE_EXEC_RATE("1,234.50", 2469) == 0.5


def test_execution_score() -> None:
    assert PE_EXEC_SCORE(700, 781.06) == 8.96  # default 分值 10 (config.funds_weight)
    assert PE_EXEC_SCORE(700, 781.06, 20) == 17.92
    assert PE_EXEC_SCORE(900, 781.06, 10) == 10  # min(执行率, 100%)
    assert PE_EXEC_SCORE(700, 781.06, None) == 8.96


def test_indicator_score() -> None:
    assert PE_INDICATOR_SCORE("2次", "4次", 20) == 20
    assert PE_INDICATOR_SCORE("≥90%", "95%", 10) == 10
    assert PE_INDICATOR_SCORE("≥90%", 0.95, 10) == 10  # an Excel percent cell holds 0.95
    assert PE_INDICATOR_SCORE("≥90%", "45%", 10) == 5
    assert PE_INDICATOR_SCORE("≤10万元", "12.5万元", 10) == 8  # 反向 10/12.5 × 10
    assert PE_INDICATOR_SCORE("2次", "4次", "20分") == 20
    assert PE_INDICATOR_SCORE("2次", "4次", None) == NA  # no 分值
    # a 反向 name keyword only matters when the target has no comparator
    assert PE_INDICATOR_SCORE("10万元", "12.5万元", 10, "培训成本") == 8
    assert PE_INDICATOR_SCORE("10万元", "12.5万元", 10) == 10


def test_indicator_qualitative_and_type() -> None:
    assert PE_INDICATOR_SCORE("效果明显", "效果明显", 10) == NA
    assert PE_INDICATOR_TYPE("效果明显", "效果明显", 10) == "定性"
    assert PE_INDICATOR_TYPE("2次", "4次", 20) == "正向"
    assert PE_INDICATOR_TYPE("≤10万元", "8万元", 10) == "反向"
    assert PE_INDICATOR_TYPE("10万元", "8万元", 10, "培训成本") == "反向"
    assert PE_INDICATOR_TYPE("无", "", None) == "不适用"
    note = PE_INDICATOR_NOTE("效果明显", "效果明显", 10)
    assert isinstance(note, str) and note.startswith("定性指标")
    assert PE_INDICATOR_NOTE("2次", "4次", 20.0).startswith("正向指标：min(4/2, 1) × 20 = 20.00")


def test_grade() -> None:
    assert PE_GRADE(98) == "优"
    assert PE_GRADE(90) == "优"
    assert PE_GRADE(89.99) == "良"
    assert PE_GRADE("75分") == "中"
    assert PE_GRADE(12) == "差"
    assert PE_GRADE(-1) == NA


def test_check_rate() -> None:
    message = PE_CHECK_RATE(0.95, 40, 38)
    assert isinstance(message, str) and "105.26%" in message
    assert message == "应为105.26%"
    assert PE_CHECK_RATE(1.0526, 40, 38) == ""
    assert PE_CHECK_RATE(40 / 38, 40, 38) == ""
    assert PE_CHECK_RATE("105.26%", "40人", "38人") == ""
    assert PE_CHECK_RATE(None, 40, 38) == ""  # nothing stated: nothing to check (compare.agrees)
    assert PE_CHECK_RATE("—", 40, 0) == ""
    assert PE_CHECK_RATE(0, 40, 0) == "应为—（不适用）"  # 0/0 shown as 0% is a finding
    assert PE_CHECK_RATE("约一百", 40, 38) == "应为105.26%"  # unreadable stated text is the finding


def test_check_sum() -> None:
    assert PE_CHECK_SUM(3, [[1.0], [2.0]]) == ""
    assert PE_CHECK_SUM(4, [[1.0], [2.0]], 1) == ""  # several arguments, like SUM
    assert PE_CHECK_SUM(5, 1, 2) == "应为3.00"
    assert PE_CHECK_SUM("1,234.50万元", ((1000.25, None), ("234.25", "—"))) == ""
    assert PE_CHECK_SUM(3.004, 1, 2) == ""  # amounts compare at 0.01 万元
    assert PE_CHECK_SUM(3.02, 1, 2) == "应为3.00"
    assert PE_CHECK_SUM(0, []) == ""


def test_invalid_input_is_text_not_exception() -> None:
    result = PE_EXEC_RATE("abc", 100)
    assert isinstance(result, str) and result.startswith(INVALID) and result.startswith("#输入无效")
    assert "执行数" in result and "abc" in result
    assert PE_EXEC_RATE(1, "一百").startswith(INVALID + "预算数")
    assert PE_EXEC_RATE(True, 1) == INVALID + "执行数不能是逻辑值TRUE"
    assert PE_EXEC_RATE([1.0, 2.0], 1) == INVALID + "执行数只能引用一个单元格"
    assert PE_EXEC_RATE([[5.0]], [[10.0]]) == 0.5  # a one-cell range is fine
    assert PE_INDICATOR_SCORE("2次", "4次", -1) == INVALID + "分值不能为负数"
    assert PE_CHECK_SUM(3, 1, "x").startswith(INVALID + "被合计的单元格")
    assert PE_GRADE("优秀").startswith(INVALID + "总分")
    assert PE_EXEC_RATE(float("nan"), 1).startswith(INVALID)
    assert PE_EXEC_RATE(1e308, 1e-308) == INVALID + "结果超出 Excel 能表示的数值范围"


_cell = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.text(max_size=12),
    st.sampled_from(["781.06万元", "≥90%", "2次", "—", "无", "效果明显", "2023年12月31日前", "40人", "", " "]),
    st.lists(st.one_of(st.none(), st.floats(allow_nan=False), st.text(max_size=4)), max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(PE_FUNCTIONS), args=st.lists(_cell, min_size=4, max_size=4))
def test_never_raises(name: str, args: list[Any]) -> None:
    func = getattr(udfs, name)
    params = inspect.signature(func).parameters.values()
    has_varargs = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params)
    positional = sum(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params)
    result = func(*(args if has_varargs else args[:positional]))
    assert isinstance(result, float | str)
    if isinstance(result, str):
        assert not result.startswith(FAILED), result
    else:
        assert math.isfinite(result)


# --------------------------------------------------------------------------- registration metadata


@pytest.mark.parametrize("name", PE_FUNCTIONS)
def test_signature_is_vba_safe(name: str) -> None:
    """Names become VBA identifiers (function and parameters): ASCII, not reserved, one-line docs."""
    vba_reserved = {"name", "range", "caller", "date", "string", "type", "end", "error", "len", "val"}
    func = getattr(udfs, name)
    assert name.isascii() and name.isidentifier() and name.startswith("PE_")
    for param in inspect.signature(func).parameters:
        assert param.isascii() and param.isidentifier() and not keyword.iskeyword(param), param
        assert param.lower() not in vba_reserved, param
    doc = func.__doc__ or ""
    assert _is_cjk(doc) and "\n" not in doc and len(doc) <= 255


# --------------------------------------------------------------------------- Office.js mode (xlwings Server)

SERVER_SCRIPT = """
    import asyncio, json, sys
    import xlwings as xw
    from xlwings import server
    import udfs

    assert xw.func.__module__ == "xlwings.pro.udfs_officejs", xw.func.__module__
    assert udfs.__file__, "udfs was imported as a namespace package (stale editable install?)"
    bodies = json.load(sys.stdin)
    results = [asyncio.run(server.custom_functions_call(body, udfs)) for body in bodies]
    decorated = all(hasattr(getattr(udfs, n), "__xlfunc__") for n in dir(udfs) if n.startswith("PE_"))
    meta = server.custom_functions_meta(udfs)
    print(json.dumps({"results": results, "meta": meta, "decorated": decorated}, ensure_ascii=False))
"""


def _body(func_name: str, *args: Any) -> dict[str, Any]:
    """An Office.js custom-function request (research §3.5): every argument is a 2-D matrix."""
    return {
        "client": "Office.js", "func_name": func_name, "args": list(args),
        "caller_address": "[自评表.xlsx]附件1-2 自评表!D7", "session_id": "pytest",
        "culture_info_name": "zh-CN", "date_format": "yyyy/m/d", "version": "0.37.8", "runtime": "1.4",
    }


@pytest.fixture(scope="module")
def server_run() -> dict[str, Any]:
    bodies = [
        _body("PE_EXEC_RATE", [[781.06]], [[781.06]]),
        _body("PE_EXEC_RATE", [[781.06]], [[""]]),  # Office.js sends "" for an empty cell
        _body("PE_CONTROL_RATE", [["40人"]], [[38]]),
        _body("PE_INDICATOR_SCORE", [["2次"]], [["4次"]], [[20]], None),  # optional omitted → null
        _body("PE_INDICATOR_SCORE", [["≥90%"]], [["95%"]], [[10]]),  # optional not sent at all
        _body("PE_INDICATOR_SCORE", [["效果明显"]], [["效果明显"]], [[10]], [["群众满意度"]]),
        _body("PE_GRADE", [[98]]),
        _body("PE_CHECK_RATE", [[0.95]], [[40]], [[38]]),
        _body("PE_CHECK_SUM", [[4]], [[1], [2]], [[1]]),  # repeating parameter: two ranges
        _body("PE_EXEC_RATE", [["abc"]], [[100]]),
        _body("PE_EXEC_RATE", [[1, 2]], [[100]]),  # a two-cell range where one cell is expected
    ]
    env = {"XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
    return _run(SERVER_SCRIPT, env, stdin=json.dumps(bodies, ensure_ascii=False))


@pytest.mark.xlwings_remote
def test_server_custom_functions_call(server_run: dict[str, Any]) -> None:
    assert server_run["decorated"]
    results = server_run["results"]
    assert all(isinstance(r, list) and len(r) == 1 and len(r[0]) == 1 for r in results), results
    values = [r[0][0] for r in results]
    assert values[0] == 1
    assert values[1] == NA
    assert values[2] == pytest.approx(1.0526, abs=5e-5)
    assert values[3] == 20
    assert values[4] == 10
    assert values[5] == NA
    assert values[6] == "优"
    assert values[7] == "应为105.26%"
    assert values[8] == ""
    assert values[9].startswith("#输入无效：执行数")
    assert values[10] == "#输入无效：执行数只能引用一个单元格"


@pytest.mark.xlwings_remote
def test_server_custom_functions_meta(server_run: dict[str, Any]) -> None:
    functions = {f["id"]: f for f in server_run["meta"]["functions"]}
    assert sorted(functions) == PE_FUNCTIONS
    for name, meta in functions.items():
        assert meta["name"] == name
        assert _is_cjk(meta["description"]), name
        params = meta["parameters"]
        assert [p["name"] for p in params] == list(inspect.signature(getattr(udfs, name)).parameters)
        for param in params:
            assert _is_cjk(param["description"]), (name, param)
            assert not param["description"].startswith("Positional argument"), (name, param)
    assert [p.get("optional", False) for p in functions["PE_INDICATOR_SCORE"]["parameters"]] == [
        False, False, False, True,
    ]
    assert functions["PE_EXEC_SCORE"]["parameters"][2].get("optional") is True
    assert functions["PE_CHECK_SUM"]["parameters"][1].get("repeating") is True
    assert functions["PE_EXEC_RATE"]["parameters"][0]["description"].startswith("全年执行数")


# --------------------------------------------------------------------------- classic Windows mode, simulated

CLASSIC_SCRIPT = """
    import io, json, sys, types

    # xlwings/udfs.py imports these at module level; only generate_vba_wrapper and the decorators are used.
    for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
        sys.modules[name] = types.ModuleType(name)
    sys.modules["pythoncom"].CoInitialize = lambda: None
    sys.modules["pywintypes"].com_error = type("com_error", (Exception,), {})
    sys.modules["win32com.client"].Dispatch = lambda *args, **kwargs: None
    sys.modules["win32com"].client = sys.modules["win32com.client"]

    import xlwings as xw
    from xlwings import udfs as classic

    xw.func, xw.arg, xw.ret = classic.xlfunc, classic.xlarg, classic.xlret  # what Windows binds at import
    import udfs

    vba = io.StringIO()
    classic.generate_vba_wrapper("udfs", udfs, vba, types.SimpleNamespace(Name="pe_compute.xlam"))
    meta = {}
    for name in dir(udfs):
        info = getattr(getattr(udfs, name), "__xlfunc__", None)
        if info is not None:
            meta[name] = {
                "category": info["category"],
                "doc": info["ret"]["doc"],
                "convert": [repr(a["options"].get("convert")) for a in info["args"]] + [
                    repr(info["ret"]["options"].get("convert"))],
                "args": [{"name": a["name"], "doc": a["doc"], "optional": "optional" in a,
                          "vararg": a["vararg"]} for a in info["args"]],
            }
    print(json.dumps({"vba": vba.getvalue(), "meta": meta}, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def classic_run() -> dict[str, Any]:
    return _run(CLASSIC_SCRIPT, env={})


def test_classic_metadata(classic_run: dict[str, Any]) -> None:
    meta = classic_run["meta"]
    assert sorted(meta) == PE_FUNCTIONS
    for name, info in meta.items():
        assert info["category"] == udfs.CATEGORY
        assert len(info["doc"]) <= 255 and _is_cjk(info["doc"])  # MacroOptions Description limit
        for arg in info["args"]:
            assert _is_cjk(arg["doc"]) and len(arg["doc"]) <= 255, (name, arg)
        # every converter is the plain value converter (Any): a union hint would break the call
        assert set(info["convert"]) == {"typing.Any"}, (name, info["convert"])


def test_classic_vba_wrapper(classic_run: dict[str, Any]) -> None:
    """What ``ImportPythonUDFsToAddin`` would import as module ``xlwings_udfs`` (ASCII only)."""
    vba = classic_run["vba"]
    assert vba.isascii()
    for name in PE_FUNCTIONS:
        assert f'XLPy.CallUDF("udfs", "{name}", ' in vba
    assert "Function PE_EXEC_RATE(executed, budget)" in vba
    assert "Function PE_INDICATOR_SCORE(target, actual, weight, Optional indicator_name)" in vba
    assert "Function PE_EXEC_SCORE(executed, budget, Optional weight)" in vba
    assert "Function PE_CHECK_SUM(stated, ParamArray values())" in vba
