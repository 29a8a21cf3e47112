"""Command line ``perfeval`` (the headless twin of the add-in; also the WPS / no-Excel path).

Exit codes (documented in README):
  0  success (validate: no error-severity finding; verify: intact)
  1  the check did its job and found a blocking problem (validate: errors; export: blocked;
     verify: not intact / not a perfeval export)
  2  input cannot be used: missing/corrupt file, structure differs from the template, bad JSON, bad option
  3  unexpected internal error (the message says so; ``--debug`` shows the traceback)

Heavy modules (pydantic models, openpyxl) are imported inside the command handlers so that
``perfeval --help`` starts fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
DEFAULT_EXAMPLE = "huaihua-2023.json"


class UserError(Exception):
    """A problem with the user's input; ``str()`` is a Chinese message."""


def _examples_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "examples"


def _load_report(path: Path) -> Any:
    from pydantic import ValidationError

    from perfeval.model import Report

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UserError(f"找不到数据文件：{path}") from exc
    except UnicodeDecodeError as exc:
        raise UserError(f"数据文件不是 UTF-8 编码的 JSON：{path}") from exc
    try:
        return Report.model_validate_json(text)
    except ValidationError as exc:
        lines = [f"  - {'.'.join(str(p) for p in e['loc'])}：{e['msg']}" for e in exc.errors()[:15]]
        raise UserError(f"数据文件 {path.name} 不符合报表结构（见 perfeval schema）：\n" + "\n".join(lines)) from exc


def _write_text_atomic(path: Path, text: str) -> None:
    from perfeval.xlsx.io import atomic_write_bytes

    atomic_write_bytes(path, text.encode("utf-8"))


def _print_pairs(report: Any, layout: Any, computed: Any, config: Any) -> int:
    from perfeval.compare import display, stated_vs_computed

    pairs = stated_vs_computed(report, layout, computed, config)
    print(f"{'表格/单元格':<24}{'项目':<30}{'填报值':>12}{'计算值':>12}  ")
    mismatches = 0
    for p in pairs:
        mark = "" if p.agrees else "  ✗ 不一致"
        mismatches += 0 if p.agrees else 1
        stated = "（公式）" if p.stated is None else display(p.stated, p.cell.vtype, config)
        print(f"{p.cell.sheet + '!' + p.cell.address:<24}{p.cell.caption:<30}{stated:>12}"
              f"{display(p.computed, p.cell.vtype, config):>12}{mark}")
    return mismatches


def cmd_demo(args: argparse.Namespace) -> int:
    from perfeval.compare import display
    from perfeval.config import load_config
    from perfeval.layout import VType
    from perfeval.xlsx.workflow import build_templates, fill

    config = load_config(args.config)
    example = Path(args.example) if args.example else _examples_dir() / DEFAULT_EXAMPLE
    report = _load_report(example)
    out_dir = Path(args.out)
    template = build_templates(out_dir)
    workbook = out_dir / f"{example.stem}.xlsx"
    result = fill(report, workbook, config)
    print(f"示例数据：{example}")
    print(f"空白模板：{template}")
    print(f"示例工作簿（按原表填报值，含原表错误）：{workbook}\n")
    print("派生数据：填报值与计算值对照")
    mismatches = _print_pairs(report, result.layout, result.computed, config)
    print("\n计算结果（补充指标）")
    c = result.computed
    for key, label, vtype in (
        ("calc.staff_over", "超编人数", VType.COUNT),
        ("calc.three_public_control", "“三公”经费控制率", VType.RATE),
        ("calc.three_public_change", "“三公”经费变动率（决算口径）", VType.RATE),
        ("calc.public_funds_control", "公用经费控制率", VType.RATE),
        ("calc.procurement_rate", "政府采购执行率", VType.RATE),
        ("calc.basic_adjustment_rate", "基本支出预算调整率", VType.RATE),
        ("calc.budget_adjustment_rate", "部门预算调整率", VType.RATE),
        ("calc.total_score", "总分", VType.SCORE),
        ("calc.grade", "等级", VType.TEXT),
        ("calc.renormalised_total", "按适用指标折算的总分", VType.SCORE),
    ):
        print(f"  {label:<28}{display(c.get(key), vtype, config):>12}")
    print("\n三级指标建议得分")
    for i1, i2, i3, _l1, l2, row in report.self_eval.rows():
        key = f"calc.indicators[{i1}].secondaries[{i2}].rows[{i3}]"
        suggested = display(c.get(f"{key}.suggested"), VType.SCORE, config)
        stated = display(row.score, VType.SCORE, config)
        print(f"  {l2.name}/{row.name[:16]:<18} 填报 {stated:>6}  建议 {suggested:>6}  {c.get(f'{key}.explanation')}")
    print(f"\n共 {mismatches} 处填报值与计算值不一致。运行 perfeval validate {workbook} 查看完整校验。")
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from perfeval.xlsx.workflow import write_new

    out = Path(args.output or f"{args.unit or '新建'}_{args.year}年部门整体支出绩效自评表.xlsx")
    if out.exists() and not args.overwrite:
        raise UserError(f"文件已存在：{out}（如需覆盖请加 --overwrite）")
    write_new(out, year=args.year, unit_name=args.unit or "", n_projects=args.projects)
    print(f"已新建：{out}")
    return EXIT_OK


def cmd_templates(args: argparse.Namespace) -> int:
    from perfeval.xlsx.workflow import build_templates

    path = build_templates(Path(args.out), year=args.year)
    print(f"模板已生成：{path}")
    return EXIT_OK


def cmd_fill(args: argparse.Namespace) -> int:
    from perfeval.config import load_config
    from perfeval.xlsx.workflow import fill

    report = _load_report(Path(args.data))
    fill(report, Path(args.output), load_config(args.config))
    print(f"已写入：{args.output}")
    return EXIT_OK


def _print_read_issues(result: Any) -> None:
    for issue in result.issues:
        print(f"注意：{issue.sheet}!{issue.address} {issue.message}", file=sys.stderr)


def cmd_extract(args: argparse.Namespace) -> int:
    from perfeval.xlsx.workflow import extract

    result = extract(Path(args.workbook))
    _print_read_issues(result)
    text = result.report.model_dump_json(indent=2) + "\n"
    if args.output:
        _write_text_atomic(Path(args.output), text)
        print(f"已导出数据：{args.output}")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_compute(args: argparse.Namespace) -> int:
    from perfeval.config import load_config
    from perfeval.xlsx.workflow import compute_file

    config = load_config(args.config)
    result = compute_file(Path(args.workbook), Path(args.output), config)
    _print_read_issues(result.read)
    for addr in result.restored:
        print(f"已恢复公式（原为手工填写的数值）：{addr}")
    _print_pairs(result.read.report, result.read.layout, result.computed, config)
    print(f"已计算：{args.output}")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from perfeval.model import Report

    text = json.dumps(Report.model_json_schema(mode="validation"), ensure_ascii=False, indent=2) + "\n"
    if args.output:
        _write_text_atomic(Path(args.output), text)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="CONF.json", help="阈值配置文件（JSON，覆盖默认值）")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="perfeval",
        description="绩效自评助手：部门整体支出绩效自评表（附件1-1、附件1-2）的计算、校验与导出。",
        epilog="退出码：0 成功；1 发现阻止上报的问题；2 输入文件无法使用；3 程序内部错误。",
    )
    parser.add_argument("--debug", action="store_true", help="出错时显示完整的调试信息")
    sub = parser.add_subparsers(dest="command", metavar="命令")

    p = sub.add_parser("demo", help="用内置示例（怀化市城乡建设事务中心 2023 年）生成模板和示例工作簿")
    p.add_argument("-o", "--out", default="out", help="输出目录（默认 ./out）")
    p.add_argument("--example", help="改用其他示例数据 JSON")
    _add_config(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("new", help="新建空白的官方表格")
    p.add_argument("-o", "--output", help="输出文件（默认 <单位>_<年度>年部门整体支出绩效自评表.xlsx）")
    p.add_argument("--unit", help="单位名称")
    p.add_argument("--year", type=int, default=2025, help="评价年度（默认 2025）")
    p.add_argument("--projects", type=int, default=10, help="项目支出行数（默认 10）")
    p.add_argument("--overwrite", action="store_true", help="允许覆盖已有文件")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("templates", help="重新生成 workbook_templates/ 中的官方模板")
    p.add_argument("-o", "--out", default="workbook_templates")
    p.add_argument("--year", type=int, default=2025)
    p.set_defaults(func=cmd_templates)

    p = sub.add_parser("fill", help="把数据 JSON 写入官方表格")
    p.add_argument("data", help="数据文件 DATA.json")
    p.add_argument("-o", "--output", required=True, help="输出工作簿 X.xlsx")
    _add_config(p)
    p.set_defaults(func=cmd_fill)

    p = sub.add_parser("extract", help="从已填写的工作簿读出数据 JSON")
    p.add_argument("workbook")
    p.add_argument("-o", "--output", help="输出 DATA.json（默认打印）")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("compute", help="计算：恢复派生单元格公式并填写计算结果")
    p.add_argument("workbook")
    p.add_argument("-o", "--output", required=True)
    _add_config(p)
    p.set_defaults(func=cmd_compute)

    p = sub.add_parser("schema", help="输出数据文件的 JSON Schema")
    p.add_argument("-o", "--output")
    p.set_defaults(func=cmd_schema)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_INPUT
    try:
        return int(args.func(args))
    except UserError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_INPUT
    except Exception as exc:
        from perfeval.xlsx.io import WorkbookError
        from perfeval.xlsx.reader import StructureError

        if isinstance(exc, WorkbookError | StructureError):
            print(f"错误：{exc}", file=sys.stderr)
            return EXIT_INPUT
        if args.debug:
            raise
        print(f"程序内部错误：{type(exc).__name__}: {exc}\n请加 --debug 重新运行并把输出发给维护人员。",
              file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
