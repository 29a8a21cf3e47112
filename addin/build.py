"""Reproducible build of the 绩效自评 Excel add-ins (one ``.xlam`` per ribbon button).

``python -m addin.build -o DIR [--config conf.json] [--set KEY=VALUE ...]`` writes, for every
:data:`addin.ribbon.BUTTONS` entry, ``DIR/<stem>.xlam`` and ``DIR/<stem>.py``, plus ``DIR/README.txt``.

Each ``.xlam`` is xlwings' own ``quickstart_addin_ribbon.xlam`` (read from the installed xlwings
package, never committed) with three parts rewritten by raw ``zipfile`` (openpyxl can't open xlam):

* ``customUI/customUI.xml``: the shared tab/group and this add-in's one button;
* ``xl/workbook.xml``: the inactive config sheet ``_myaddin.conf`` renamed to ``myaddin.conf``;
* that sheet's XML: its ``<sheetData>`` replaced by inline-string rows key → value.

Every other member, ``xl/vbaProject.bin`` included, is copied byte for byte with the template's
member order, names, dates and compression, so two builds give byte-identical files.

The VBA facts this relies on (checked by ``olevba`` in ``tests/test_addin_build.py``):
``RibbonMyAddin.RunMain`` runs ``import <file stem>; <file stem>.main()``; the ``xlwings`` module has
``PROJECT_NAME = "myaddin"`` and ``GetConfigFromSheet`` reads sheet ``PROJECT_NAME & ".conf"`` from
A1 down to the first empty A cell, keys compared upper-cased, values env-expanded.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import re
import sys
import zipfile
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from defusedxml import ElementTree

from addin.ribbon import BUTTONS, ON_ACTION, Button, customui_xml

TEMPLATE_NAME = "quickstart_addin_ribbon.xlam"
PROJECT_NAME = "myaddin"
"""``Public Const PROJECT_NAME`` in the template's VBA module ``xlwings``."""
TEMPLATE_CONF_SHEET = f"_{PROJECT_NAME}.conf"
CONF_SHEET = f"{PROJECT_NAME}.conf"

CUSTOMUI_PART = "customUI/customUI.xml"
WORKBOOK_PART = "xl/workbook.xml"
WORKBOOK_RELS_PART = "xl/_rels/workbook.xml.rels"
PACKAGE_RELS_PART = "_rels/.rels"
UI_RELATIONSHIP = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL_ATTR = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

DEFAULT_CONF: dict[str, str] = {
    "Interpreter_Win": r"%LOCALAPPDATA%\perfeval\.venv\Scripts\pythonw.exe",
    "Interpreter_Mac": "$HOME/perfeval/.venv/bin/python",
    "PYTHONPATH": r"%LOCALAPPDATA%\perfeval\addin",
    "UDF Modules": "udfs",
    "Show Console": "False",
    "Use UDF Server": "False",
}
"""Rows of the ``myaddin.conf`` sheet, in sheet order. ``PYTHONPATH`` is the folder that holds the
``.xlam`` files and the generated ``pe_*.py`` modules."""

CONF_STYLE_INDEX = "1"
"""Cell style the template uses on its config sheet (``s="1"``), kept for the new rows."""


class BuildError(RuntimeError):
    """The xlwings template does not look the way this build expects (e.g. after an xlwings upgrade)."""


# --------------------------------------------------------------------------- configuration


def merge_conf(overrides: Mapping[str, object] | None = None) -> dict[str, str]:
    """``DEFAULT_CONF`` updated with ``overrides``.

    Keys match case-insensitively (VBA upper-cases them), so ``{"pythonpath": ...}`` replaces the
    default ``PYTHONPATH`` row in place; new keys are appended in the given order. A ``None`` value
    drops the row; ``True``/``False`` become ``"True"``/``"False"``.
    """
    merged: dict[str, str] = dict(DEFAULT_CONF)
    for key, value in (overrides or {}).items():
        if not isinstance(key, str) or not key.strip():
            raise ValueError(f"config key must be a non-empty string, got {key!r}")
        if key != key.strip():
            raise ValueError(f"config key {key!r} has leading/trailing spaces")
        existing = next((k for k in merged if k.upper() == key.upper()), None)
        if value is None:
            if existing is not None:
                del merged[existing]
            continue
        if isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise ValueError(f"config value for {key!r} must be a string, got {value!r}")
        merged[existing if existing is not None else key] = value
    return merged


def load_conf_file(path: Path) -> dict[str, object]:
    """A JSON object ``{key: value}`` (UTF-8, BOM tolerated)."""
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object of config keys")
    return data


# --------------------------------------------------------------------------- template parts


def template_bytes() -> bytes:
    """xlwings' ribbon add-in template, read from the installed xlwings package."""
    return resources.files("xlwings").joinpath(TEMPLATE_NAME).read_bytes()


def _conf_sheet_part(workbook_xml: bytes, workbook_rels_xml: bytes) -> str:
    """Zip member name of the template's ``_myaddin.conf`` worksheet."""
    sheets = ElementTree.fromstring(workbook_xml).find(f"{_NS_MAIN}sheets")
    rel_id = None
    for sheet in sheets if sheets is not None else []:
        if sheet.get("name") == TEMPLATE_CONF_SHEET:
            rel_id = sheet.get(_NS_REL_ATTR)
    if rel_id is None:
        raise BuildError(f"template has no sheet {TEMPLATE_CONF_SHEET!r}")
    for rel in ElementTree.fromstring(workbook_rels_xml).iter(f"{_NS_PKG_REL}Relationship"):
        if rel.get("Id") == rel_id:
            return "xl/" + rel.get("Target", "").lstrip("/").removeprefix("xl/")
    raise BuildError(f"no relationship {rel_id!r} for sheet {TEMPLATE_CONF_SHEET!r}")


def _check_package_rels(package_rels_xml: bytes) -> None:
    for rel in ElementTree.fromstring(package_rels_xml).iter(f"{_NS_PKG_REL}Relationship"):
        if rel.get("Type") == UI_RELATIONSHIP and rel.get("Target") == CUSTOMUI_PART:
            return
    raise BuildError(f"template's {PACKAGE_RELS_PART} does not point to {CUSTOMUI_PART}")


def _replace_once(pattern: str, replacement: str, text: str, what: str) -> str:
    new_text, count = re.subn(pattern, lambda _match: replacement, text, flags=re.DOTALL)
    if count != 1:
        raise BuildError(f"expected exactly one {what} in the template, found {count}")
    return new_text


def patch_workbook_xml(workbook_xml: str) -> str:
    """Rename the inactive ``_myaddin.conf`` sheet to ``myaddin.conf`` so VBA ``GetConfig`` sees it."""
    pattern = rf"(<sheet\b[^>]*\bname=){re.escape(quoteattr(TEMPLATE_CONF_SHEET))}"
    new_xml, count = re.subn(pattern, lambda match: match.group(1) + quoteattr(CONF_SHEET), workbook_xml)
    if count != 1:
        raise BuildError(f"expected one sheet {TEMPLATE_CONF_SHEET!r} in {WORKBOOK_PART}, found {count}")
    return new_xml


def _inline_cell(ref: str, text: str) -> str:
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" s="{CONF_STYLE_INDEX}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def conf_sheet_data(conf: Mapping[str, str]) -> str:
    """``<sheetData>`` with one row per key: A = key, B = value (B omitted when empty)."""
    rows = []
    for row, (key, value) in enumerate(conf.items(), start=1):
        cells = _inline_cell(f"A{row}", key) + (_inline_cell(f"B{row}", value) if value else "")
        rows.append(f'<row r="{row}">{cells}</row>')
    return "<sheetData>" + "".join(rows) + "</sheetData>"


def patch_conf_sheet_xml(sheet_xml: str, conf: Mapping[str, str]) -> str:
    """Replace the template config sheet's rows (and its ``<dimension>``) with ``conf``."""
    patched = _replace_once(
        r"<sheetData\s*/>|<sheetData>.*?</sheetData>", conf_sheet_data(conf), sheet_xml, "<sheetData>"
    )
    last_row = max(len(conf), 1)
    return _replace_once(
        r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:B{last_row}" />', patched, "<dimension>"
    )


# --------------------------------------------------------------------------- outputs


def build_xlam(button: Button, conf: Mapping[str, str], template: bytes | None = None) -> bytes:
    """The bytes of ``<button.stem>.xlam``; ``conf`` is the full sheet content (see :func:`merge_conf`)."""
    source = template if template is not None else template_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as zin:
        names = zin.namelist()
        for required in (CUSTOMUI_PART, WORKBOOK_PART, WORKBOOK_RELS_PART, PACKAGE_RELS_PART):
            if required not in names:
                raise BuildError(f"template has no {required}")
        _check_package_rels(zin.read(PACKAGE_RELS_PART))
        sheet_part = _conf_sheet_part(zin.read(WORKBOOK_PART), zin.read(WORKBOOK_RELS_PART))
        if sheet_part not in names:
            raise BuildError(f"template has no {sheet_part}")
        replacements = {
            CUSTOMUI_PART: customui_xml(button).encode("utf-8"),
            WORKBOOK_PART: patch_workbook_xml(zin.read(WORKBOOK_PART).decode("utf-8")).encode("utf-8"),
            sheet_part: patch_conf_sheet_xml(zin.read(sheet_part).decode("utf-8"), conf).encode("utf-8"),
        }
        with zipfile.ZipFile(out, "w") as zout:
            for info in zin.infolist():
                data = replacements.get(info.filename, zin.read(info))
                # A copy of the template's ZipInfo keeps name, date_time, compression, extra field
                # and attributes; writestr recomputes sizes and CRC.
                zout.writestr(copy.copy(info), data)
    return out.getvalue()


def entry_module_source(button: Button) -> str:
    """Source of ``<stem>.py``, the module VBA ``RunMain`` imports for ``button``'s add-in."""
    return f'''"""Ribbon button 「{button.label}」 of the 绩效自评 add-in {button.xlam_name}.

Generated by ``python -m addin.build``; do not edit. Excel's VBA ``{ON_ACTION}`` runs
``import {button.stem}; {button.stem}.main()`` (the module name is the add-in's file name).
"""

MACRO = "{button.macro}"


def main() -> None:
    import xlwings as xw

    from addin import macros

    macros.{button.macro}(xw.Book.caller())
'''


def readme_text(buttons: Sequence[Button], conf: Mapping[str, str]) -> str:
    """Chinese install notes for ``DIR/README.txt``."""
    from xlwings import __version__ as xlwings_version

    pythonpath = conf.get("PYTHONPATH", DEFAULT_CONF["PYTHONPATH"])
    interpreter = conf.get("Interpreter_Win", DEFAULT_CONF["Interpreter_Win"])
    file_lines = [f"  {b.xlam_name:<18} + {b.module_name:<16} 按钮「{b.label}」" for b in buttons]
    order_lines = [f"     {i}. {b.xlam_name}（{b.label}）" for i, b in enumerate(buttons, start=1)]
    conf_lines = [f"  {key} = {value}" for key, value in conf.items()]
    lines = [
        "绩效自评助手 Excel 加载项",
        "=" * 24,
        "",
        f"由 python -m addin.build 生成（xlwings {xlwings_version}）。每个按钮是一个加载项文件 .xlam，",
        "与同名的 .py 文件配套使用：Excel 点击按钮时按 .xlam 的文件名导入同名 Python 模块。",
        "",
        "一、文件清单",
        *file_lines,
        "  README.txt         本说明",
        "",
        "二、安装步骤（Windows 版 Microsoft Excel；WPS 不支持本加载项，请改用命令行 perfeval）",
        f"  1. 准备 Python：解释器须位于 {interpreter}，",
        f"     并已安装 perfeval 及其依赖（xlwings=={xlwings_version}、pywin32、openpyxl、pydantic）。",
        f"  2. 把本文件夹中的全部文件复制到 {pythonpath}（即配置中的 PYTHONPATH）。",
        "     .xlam 与同名 .py 必须放在同一文件夹，文件名不能改。",
        "  3. 把该文件夹加入受信任位置：文件 > 选项 > 信任中心 > 信任中心设置 > 受信任位置；",
        "     如文件来自网络或邮件，先在文件属性中勾选“解除锁定”。",
        "  4. 文件 > 选项 > 加载项 > 管理“Excel 加载项” > 转到 > 浏览，按下列顺序逐个添加并勾选。",
        "     所有按钮显示在同一个选项卡「绩效自评」中，按钮顺序就是加载顺序：",
        *order_lines,
        "  5. 不要把这些文件放进 XLSTART 文件夹（Excel 会尝试打开其中的每个文件）。",
        "",
        "三、配置（写在每个 .xlam 内的 myaddin.conf 工作表中）",
        *conf_lines,
        "  %LOCALAPPDATA% 等环境变量由 Excel 在运行时展开。修改配置请重新生成：",
        "  python -m addin.build -o 输出目录 --config conf.json   或   --set 键=值",
        "",
        "四、常见问题",
        "  - 点击按钮提示 Could not find Interpreter!：Interpreter_Win 路径不对。",
        "  - 点击按钮提示 ModuleNotFoundError：.py 文件不在 .xlam 旁边，或 perfeval 未安装到该 Python。",
        "  - 选项卡不显示：检查第 3、4 步；可在 文件 > 选项 > 高级 中勾选“显示加载项用户界面错误”。",
        "",
    ]
    return "\r\n".join(lines)


def build(out_dir: Path, conf: Mapping[str, object] | None = None) -> list[Path]:
    """Write every add-in, its entry module and README.txt into ``out_dir``; return the paths written.

    ``conf`` overrides :data:`DEFAULT_CONF` (see :func:`merge_conf`).
    """
    sheet_conf = merge_conf(conf)
    template = template_bytes()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for button in BUTTONS:
        xlam_path = out_dir / button.xlam_name
        xlam_path.write_bytes(build_xlam(button, sheet_conf, template))
        module_path = out_dir / button.module_name
        module_path.write_bytes(entry_module_source(button).encode("utf-8"))
        written += [xlam_path, module_path]
    readme_path = out_dir / "README.txt"
    # BOM + CRLF: old Notepad on Chinese Windows otherwise reads UTF-8 as GBK.
    readme_path.write_bytes(readme_text(BUTTONS, sheet_conf).encode("utf-8-sig"))
    written.append(readme_path)
    return written


# --------------------------------------------------------------------------- command line


def _parse_set(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {item!r}")
    return key.strip(), value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m addin.build",
        description="Build the 绩效自评 Excel add-ins (one .xlam + .py per ribbon button) and README.txt.",
    )
    parser.add_argument("-o", "--out", type=Path, required=True, help="output directory")
    parser.add_argument("--config", type=Path, help="JSON object of myaddin.conf keys to override")
    parser.add_argument("--interpreter-win", help="Interpreter_Win (pythonw.exe on the user's PC)")
    parser.add_argument("--interpreter-mac", help="Interpreter_Mac")
    parser.add_argument("--pythonpath", help="PYTHONPATH: the folder that will hold the .xlam and .py files")
    parser.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        type=_parse_set,
        metavar="KEY=VALUE",
        help="any other myaddin.conf key (repeatable; applied last)",
    )
    args = parser.parse_args(argv)

    overrides: dict[str, object] = {}
    try:
        if args.config is not None:
            overrides.update(load_conf_file(args.config))
        named = {
            "Interpreter_Win": args.interpreter_win,
            "Interpreter_Mac": args.interpreter_mac,
            "PYTHONPATH": args.pythonpath,
        }
        overrides.update({key: value for key, value in named.items() if value is not None})
        overrides.update(dict(args.settings))
        paths = build(args.out, overrides)
    except (OSError, ValueError, BuildError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
