"""Command line ``perfeval`` (the headless twin of the add-in; also the WPS / no-Excel path).

Exit codes (documented in README):
  0  success (validate: no error-severity finding; export: final workbook written; verify: intact)
  1  the check did its job and found a blocking problem (validate: errors; export: blocked by errors or
     unexplained warnings; verify: values changed or protection removed)
  2  input cannot be used: missing/corrupt file, structure differs from the template, bad JSON, bad option
     (also verify: not a perfeval export, or a template this version does not know)
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

    from perfeval.limits import read_data_file
    from perfeval.model import Report

    try:
        text = read_data_file(path)
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


def _print_findings_table(findings: Any) -> None:
    from perfeval.findings import SEVERITY_LABELS

    if not findings.findings:
        print("未发现问题。")
    for f in findings.findings:
        print(f"[{SEVERITY_LABELS[f.severity]}] {f.code} {f.sheet}!{f.cell}  {f.message}")
    s = findings.summary()
    print(f"\n合计：错误 {s['error']} 项，警告 {s['warning']} 项，提示 {s['info']} 项")


def cmd_validate(args: argparse.Namespace) -> int:
    from perfeval.config import load_config
    from perfeval.xlsx.workflow import validate_file

    out = Path(args.output) if args.output else None
    result = validate_file(Path(args.workbook), out, load_config(args.config))
    if args.format == "json":
        sys.stdout.write(json.dumps(result.findings.to_json_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        _print_findings_table(result.findings)
        if out is not None:
            print(f"已标记问题单元格并生成“校验结果”工作表：{out}")
    return EXIT_FINDINGS if result.findings.has_errors else EXIT_OK


def cmd_clear(args: argparse.Namespace) -> int:
    from perfeval.xlsx.workflow import clear_file

    n = clear_file(Path(args.workbook), Path(args.output))
    print(f"已清除 {n} 个单元格的校验标记，并删除“校验结果”工作表：{args.output}")
    return EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    from perfeval.findings import SEVERITY_LABELS
    from perfeval.rules import RULESET_VERSION, list_rules

    rules = list_rules()
    if args.format == "json":
        data = [{"code": r.code, "severity": r.severity.value, "title": r.title, "source": r.source}
                for r in rules]
        sys.stdout.write(json.dumps({"version": RULESET_VERSION, "rules": data}, ensure_ascii=False, indent=2)
                         + "\n")
        return EXIT_OK
    print(f"校验规则（版本 {RULESET_VERSION}，共 {len(rules)} 条）")
    for r in rules:
        print(f"{r.code:<8}{SEVERITY_LABELS[r.severity]:<4}{r.title}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from perfeval.config import load_config
    from perfeval.xlsx.export import ExportBlocked, export_file

    if args.force and not (args.reason and args.reason.strip()):
        raise UserError("--force 须与 --reason \"理由\" 一起使用：强制导出的理由会记录在定稿的“校验摘要”中")
    if args.reason and not args.force:
        raise UserError("--reason 只用于强制导出，请同时加 --force（或删去 --reason）")
    out = Path(args.output) if args.output else None
    try:
        result = export_file(Path(args.workbook), out, password=args.password,
                             force_reason=args.reason if args.force else None, config=load_config(args.config))
    except ExportBlocked as exc:
        print(str(exc))
        return EXIT_FINDINGS
    s = result.findings.summary()
    print(f"已导出定稿：{result.path}")
    noted = f"（均已说明{'或强制导出' if result.forced_reason else ''}）" if s["warning"] else ""
    print(f"校验：错误 0 项，警告 {s['warning']} 项{noted}，提示 {s['info']} 项；详见定稿中的“校验摘要”工作表。")
    if result.forced:
        print(f"强制导出，{len(result.forced)} 项警告未逐项说明，理由：{result.forced_reason}")
    print(f"文件指纹（SHA-256）：{result.fingerprint}")
    print("所有工作表已保护、工作簿结构已锁定。接收方可用 perfeval verify 核验文件是否被改动。")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from perfeval.xlsx.verify import STATUS_LABELS, VerifyStatus, verify_file

    result = verify_file(Path(args.workbook))
    if args.format == "json":
        sys.stdout.write(json.dumps(result.to_json_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        print(f"核验结果：{STATUS_LABELS[result.status]}（{result.status.value}）")
        if result.unit or result.year:
            print(f"单位：{result.unit or '—'}  年度：{result.year or '—'}  导出时间：{result.exported_at or '—'}  "
                  f"规则版本：{result.ruleset_version or '—'}")
        print(result.message)
    if result.status == VerifyStatus.INTACT:
        return EXIT_OK
    if result.status in (VerifyStatus.VALUES_CHANGED, VerifyStatus.PROTECTION_REMOVED):
        return EXIT_FINDINGS
    return EXIT_INPUT


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

    p = sub.add_parser("validate", help="校验：列出问题；加 -o 时在副本中就地标记并生成“校验结果”工作表")
    p.add_argument("workbook")
    p.add_argument("-o", "--output", help="标记后的副本 OUT.xlsx（原文件不变）")
    p.add_argument("--format", choices=("table", "json"), default="table")
    _add_config(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("clear", help="清除本工具添加的所有校验标记")
    p.add_argument("workbook")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_clear)

    p = sub.add_parser("rules", help="列出全部校验规则（代码、级别、说明）")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_rules)

    p = sub.add_parser("export", help="导出：校验通过后生成锁定的定稿（数值代替公式、工作表保护、文件指纹）")
    p.add_argument("workbook")
    p.add_argument("-o", "--output",
                   help="定稿 FINAL.xlsx（默认：输入文件夹下的 <单位>_<年度>年部门整体支出绩效自评表_定稿.xlsx）")
    p.add_argument("--password", help="工作表保护密码（默认取配置 export_password；保护只防误改，不是加密）")
    p.add_argument("--force", action="store_true", help="警告未逐项说明时仍导出（须同时给出 --reason；错误不能强制）")
    p.add_argument("--reason", help="强制导出的理由（记录在定稿的“校验摘要”和导出信息中）")
    _add_config(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("verify", help="核验：检查定稿是否为本工具导出、导出后是否被改动、保护是否被解除")
    p.add_argument("workbook")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_verify)

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
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        from perfeval.limits import LimitError
        from perfeval.xlsx.io import WorkbookError
        from perfeval.xlsx.reader import StructureError

        if isinstance(exc, WorkbookError | StructureError | LimitError):
            print(f"错误：{exc}", file=sys.stderr)
            return EXIT_INPUT
        if args.debug:
            raise
        print(f"程序内部错误：{type(exc).__name__}: {exc}\n请加 --debug 重新运行并把输出发给维护人员。",
              file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
