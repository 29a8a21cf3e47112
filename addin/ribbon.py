"""The 绩效自评 ribbon, as data.

Routing (research §1.4, "second option"): the template's only ribbon callback, VBA
``RibbonMyAddin.RunMain``, ignores which control was clicked and runs
``import <stem>; <stem>.main()`` where ``<stem>`` is the add-in's own file name without extension.
So every button ships as its own small add-in ``<stem>.xlam`` (a copy of xlwings' template, VBA
untouched) next to a generated ``<stem>.py`` that calls ``addin.macros.<macro>(book)``.

Every add-in's ``customUI.xml`` declares the same *qualified* tab and group (``idQ`` in the
``urn:perfeval`` namespace), so Excel merges them into one tab 「绩效自评」 holding all buttons.

Button order: each button is appended to the shared group when its add-in loads, so the order on
the ribbon is the add-in load order. We deliberately do not use ``insertAfterQ``/``insertBeforeQ``:
they would name a control of another add-in that may not be loaded yet (or not installed), and
what Excel does then cannot be checked on Linux. The build's README.txt tells users to add the
add-ins in ``BUTTONS`` order; a wrong order only moves buttons, every button still works.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

CUSTOMUI_NAMESPACE = "http://schemas.microsoft.com/office/2006/01/customui"
"""The Office 2007 customUI schema; the template's ``_rels/.rels`` relationship type expects it."""

QUALIFIER_PREFIX = "pe"
QUALIFIER_NAMESPACE = "urn:perfeval"
TAB_IDQ = f"{QUALIFIER_PREFIX}:perfevalTab"
GROUP_IDQ = f"{QUALIFIER_PREFIX}:perfevalGroup"
TAB_LABEL = "绩效自评"
GROUP_LABEL = "绩效自评"

ON_ACTION = "RibbonMyAddin.RunMain"
"""The template's VBA callback (module ``RibbonMyAddin``); it runs ``<add-in stem>.main()``."""


def _is_ascii_identifier(name: str) -> bool:
    return name.isascii() and name.isidentifier() and not keyword.iskeyword(name)


@dataclass(frozen=True)
class Button:
    """One ribbon button = one add-in file ``<stem>.xlam`` + one module ``<stem>.py``.

    ``stem`` becomes a Python module name (VBA runs ``import <stem>``), so it must be an ASCII
    identifier. ``macro`` names a function ``addin.macros.<macro>(book: xw.Book) -> None``.
    ``tip`` is the long Chinese tooltip (``supertip``).
    """

    stem: str
    control_id: str
    label: str
    macro: str
    image_mso: str
    tip: str

    def __post_init__(self) -> None:
        for field_name in ("stem", "control_id", "macro", "image_mso"):
            value = getattr(self, field_name)
            if not _is_ascii_identifier(value):
                raise ValueError(f"Button.{field_name} must be an ASCII identifier, got {value!r}")
        if not self.label.strip() or not self.tip.strip():
            raise ValueError(f"Button {self.stem!r} needs a label and a tip")

    @property
    def screentip(self) -> str:
        """The bold first line of the tooltip."""
        return f"{TAB_LABEL}：{self.label}"

    @property
    def xlam_name(self) -> str:
        return f"{self.stem}.xlam"

    @property
    def module_name(self) -> str:
        return f"{self.stem}.py"


BUTTONS: tuple[Button, ...] = (
    Button(
        stem="pe_new",
        control_id="peNewButton",
        label="新建",
        macro="do_new",
        image_mso="FileNew",
        tip="新建一份空白的部门整体支出绩效自评表（附件1-1 基础数据表、附件1-2 自评表），按统一模板生成。",
    ),
    Button(
        stem="pe_new_projects",
        control_id="peNewProjectsButton",
        label="新建项目表",
        macro="do_new_projects",
        image_mso="TableInsert",
        tip="按当前工作簿附件1-1 的项目支出各行，为每个本年度项目新建一张项目支出绩效自评表（保存在同一文件夹）。",
    ),
    Button(
        stem="pe_compute",
        control_id="peComputeButton",
        label="计算",
        macro="do_compute",
        image_mso="CalculateNow",
        tip="根据已填写的数据计算执行率、得分、总分和评价等级，并把结果填回表中。",
    ),
    Button(
        stem="pe_validate",
        control_id="peValidateButton",
        label="校验",
        macro="do_validate",
        image_mso="ReviewAcceptChange",
        tip="按审核规则检查填报内容：有问题的单元格标色并加批注，问题清单写入「校验结果」工作表。",
    ),
    Button(
        stem="pe_clear",
        control_id="peClearButton",
        label="清除标记",
        macro="do_clear",
        image_mso="ClearAll",
        tip="清除上次校验留下的底色、批注和「校验结果」工作表，不改动已填报的数据。",
    ),
    Button(
        stem="pe_export",
        control_id="peExportButton",
        label="导出",
        macro="do_export",
        image_mso="FileSaveAs",
        tip="先保存当前工作簿，再导出一份只含数值、工作表已保护的上报文件。",
    ),
    Button(
        stem="pe_collect",
        control_id="peCollectButton",
        label="汇总",
        macro="do_collect",
        image_mso="PivotTableInsert",
        tip="收件方用：核验当前工作簿所在文件夹（含子文件夹）中收到的全部定稿，在同一文件夹生成汇总表"
            "“汇总_日期_时间.xlsx”（每次另存一份新文件，不替换以前的汇总表）；收件台账记在同一文件夹的"
            "“台账.sqlite”中，再次汇总时只读取新收到或改动过的文件。",
    ),
    Button(
        stem="pe_help",
        control_id="peHelpButton",
        label="帮助",
        macro="do_help",
        image_mso="Help",
        tip="显示绩效自评助手的使用说明、版本号和常见问题。",
    ),
)


def customui_xml(button: Button) -> str:
    """The ``customUI/customUI.xml`` of ``button``'s add-in: the shared tab/group plus this button."""
    attrs = {
        "id": button.control_id,
        "label": button.label,
        "size": "large",
        "onAction": ON_ACTION,
        "imageMso": button.image_mso,
        "screentip": button.screentip,
        "supertip": button.tip,
    }
    button_attrs = " ".join(f"{key}={quoteattr(value)}" for key, value in attrs.items())
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<customUI xmlns={quoteattr(CUSTOMUI_NAMESPACE)}"
        f" xmlns:{QUALIFIER_PREFIX}={quoteattr(QUALIFIER_NAMESPACE)}>\n"
        "  <ribbon>\n"
        "    <tabs>\n"
        f"      <tab idQ={quoteattr(TAB_IDQ)} label={quoteattr(TAB_LABEL)}>\n"
        f"        <group idQ={quoteattr(GROUP_IDQ)} label={quoteattr(GROUP_LABEL)}>\n"
        f"          <button {button_attrs} />\n"
        "        </group>\n"
        "      </tab>\n"
        "    </tabs>\n"
        "  </ribbon>\n"
        "</customUI>\n"
    )
