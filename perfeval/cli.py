"""Command line ``perfeval`` (the headless twin of the add-in; also the WPS / no-Excel path).

Exit codes (documented in README):
  0    success (validate: no error-severity finding; export: final workbook written; verify: no change found)
  1    the check did its job and found a blocking problem (validate: errors; export: blocked by errors or
       unexplained warnings; verify: contents differ from the recorded fingerprint, or protection removed)
  2    input cannot be used: missing/corrupt file, structure differs from the template, bad JSON, bad option or
       configuration, an output that cannot be written or already exists (also verify: not a perfeval export,
       or a template this version does not know)
  3    unexpected internal error (the message says so; ``--debug`` shows the traceback)
  130  interrupted with Ctrl-C (the message says which files, if any, were completely written)

Output files, one policy for every command that writes (new, fill, extract -o, compute, validate -o, clear,
export, schema -o, templates, demo):
  - an existing file is never replaced unless ``--overwrite`` is given — a 定稿 included: ``export`` to an
    existing file (also its default name) is refused with a message naming the file;
  - the output is never one of the inputs (workbook, data file or ``--config`` file), even with ``--overwrite``;
  - writing is atomic: a failure or Ctrl-C leaves no partial file and the previous file untouched.

Everything the user reads is Chinese: help and argument errors come from :class:`ChineseArgumentParser`,
which translates argparse's own texts; output survives a GBK console or pipe (:mod:`perfeval.console`).

Heavy modules (pydantic models, openpyxl) are imported inside the command handlers so that
``perfeval --help`` starts fast.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from perfeval.limits import MAX_PROJECT_SHEETS
from perfeval.limits import MAX_PROJECTS as MAX_PROJECT_ROWS

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
DEFAULT_EXAMPLE = "huaihua-2023.json"
#: the demo's second workbook: the same unit's project tables (constructed from the seed's 附件1-1)
PROJECT_EXAMPLE = "huaihua-2023-projects.json"
#: ``new``'s default 评价年度 (perfeval.xlsx.workflow.TEMPLATE_YEAR; a test keeps them equal)
DEFAULT_YEAR = 2025
#: the range of 评价年度 the data model accepts (perfeval.model.Report.year; a test keeps them equal)
YEAR_MIN, YEAR_MAX = 2000, 2100
#: largest number of 项目支出 rows ``new`` creates.


class UserError(Exception):
    """A problem with the user's input; ``str()`` is a Chinese message."""


# --------------------------------------------------------------------------- Chinese argparse

_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "须给出以下参数之一：%s",
    "expected one argument": "后面须跟一个值",
    "expected at most one argument": "后面最多跟一个值",
    "expected at least one argument": "后面至少跟一个值",
    "expected %s argument": "后面须跟 %s 个值",
    "expected %s arguments": "后面须跟 %s 个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "不接受值：%r",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知的命令 %(parser_name)r（可用的命令：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    "unexpected option string: %s": "意外的选项：%s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
}


def _zh_gettext(message: str) -> str:
    return _ARGPARSE_ZH.get(message, message)


def _zh_ngettext(singular: str, plural: str, n: int) -> str:
    return _zh_gettext(singular if n == 1 else plural)


@contextmanager
def _argparse_in_chinese() -> Iterator[None]:
    """argparse looks its texts up through its module globals ``_`` and ``ngettext`` at the moment it uses
    them; point those at the Chinese table while one of our parsers works, and restore them after."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _zh_gettext, _zh_ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's formatter measuring by display width (a CJK character takes two columns), so that the help
    column lines up after Chinese metavars and Chinese help text wraps at the terminal's width."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 30,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, width)

    def add_argument(self, action: argparse.Action) -> None:
        from perfeval.console import display_width

        if action.help is not argparse.SUPPRESS:
            lengths = [display_width(self._format_action_invocation(action)) + self._current_indent]
            for sub in self._iter_indented_subactions(action):  # measured at their own (deeper) indent
                lengths.append(display_width(self._format_action_invocation(sub)) + self._current_indent)
            self._action_max_length = max(self._action_max_length, *lengths)
            self._add_item(self._format_action, [action])

    def _split_lines(self, text: str, width: int) -> list[str]:
        from perfeval.console import wrap

        return wrap(text, width)

    def _format_action(self, action: argparse.Action) -> str:
        from perfeval.console import display_width, ljust

        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 11)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        indent = " " * self._current_indent
        indent_first = 0
        if not action.help:
            header = f"{indent}{header}\n"
        elif display_width(header) <= action_width:
            header = f"{indent}{ljust(header, action_width)}  "
        else:
            header = f"{indent}{header}\n"
            indent_first = help_position
        parts = [header]
        if action.help and action.help.strip():
            lines = self._split_lines(self._expand_help(action), help_width)
            parts.append(" " * indent_first + lines[0] + "\n")
            parts += [" " * help_position + line + "\n" for line in lines[1:]]
        elif not header.endswith("\n"):
            parts.append("\n")
        parts += [self._format_action(a) for a in self._iter_indented_subactions(action)]
        return self._join_parts(parts)


class ChineseArgumentParser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` whose usage, help and error texts are Chinese.

    Errors print the usage and ``错误：…`` on stderr and exit with code 2.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        with _argparse_in_chinese():
            super().__init__(*args, **kwargs)

    def parse_known_args(self, *args: Any, **kwargs: Any) -> Any:
        with _argparse_in_chinese():
            return super().parse_known_args(*args, **kwargs)

    def parse_args(self, *args: Any, **kwargs: Any) -> Any:
        with _argparse_in_chinese():
            return super().parse_args(*args, **kwargs)

    def format_usage(self) -> str:
        with _argparse_in_chinese():
            return super().format_usage()

    def format_help(self) -> str:
        with _argparse_in_chinese():
            return super().format_help()

    def error(self, message: str) -> NoReturn:
        with _argparse_in_chinese():
            usage = self.format_usage()
        self.exit(EXIT_INPUT, f"{usage}{self.prog}：错误：{message}\n（用 {self.prog} -h 查看帮助）\n")


def _int_in_range(low: int, high: int, what: str, *, limit: bool = False) -> Callable[[str], int]:
    """An argparse type: an integer in [low, high]; ``limit``: ``high`` is the supported maximum of perfeval.limits."""
    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what}须为整数，收到“{text}”") from None
        if value > high and limit:
            raise argparse.ArgumentTypeError(f"{what} {value} 超过本工具支持的上限 {high}（见 README“支持的最大规模”）")
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what}须在 {low} 到 {high} 之间，收到 {value}")
        return value

    parse.__name__ = what
    return parse


# --------------------------------------------------------------------------- helpers


def _examples_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "examples"


def _load_report(path: Path, form: str | None = None) -> Any:
    """A data file of ``form`` (or of the form whose model its top-level keys match best)."""
    from pydantic import ValidationError

    from perfeval import forms
    from perfeval.limits import read_json_text
    from perfeval.validation_zh import describe_all

    text = read_json_text(path, "数据文件", UserError)
    pack = forms.get(form) if form else _guess_form(text)
    try:
        return pack.parse_json(text)
    except ValidationError as exc:
        raise UserError(f"数据文件 {path.name} 不符合报表结构（{pack.title}；见 perfeval schema --form {pack.name}）："
                        "\n" + describe_all(exc.errors())) from exc


def _guess_form(text: str) -> Any:
    """The pack whose model's fields share the most keys with the JSON object (the default form on a tie)."""
    from perfeval import forms

    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        data = None
    keys = set(data) if isinstance(data, dict) else set()
    packs = forms.all_forms()
    return max(packs, key=lambda p: (len(keys & set(p.model.model_fields)), p.name == forms.DEFAULT_FORM))


def _inputs(args: argparse.Namespace, *paths: str | Path | None) -> list[Path]:
    """The command's input files: those given, plus the ``--config`` file and a ``--profile`` file."""
    found = [Path(p) for p in paths if p]
    if getattr(args, "config", None):
        found.append(Path(args.config))
    profile = getattr(args, "profile", None)
    if profile and profile.strip():
        from perfeval.profiles import shipped_names

        if profile.strip() not in shipped_names():  # a profile file of the user's
            found.append(Path(profile.strip()))
    return found


def _config(args: argparse.Namespace) -> Any:
    """The configuration a run asks for: the ``--profile`` (default mof-2020), then the ``--config`` file's keys;
    None when neither is given (a workbook command then uses the configuration the workbook recorded)."""
    if getattr(args, "profile", None) is None and getattr(args, "config", None) is None:
        return None
    from perfeval.profiles import config_for, load_profile

    return config_for(load_profile(getattr(args, "profile", None)), getattr(args, "config", None))


def _check_output(args: argparse.Namespace, out: Path, inputs: Sequence[Path]) -> Path:
    """The output policy (see the module docstring), checked before any work is done."""
    from perfeval.xlsx.io import OutputExistsError, ensure_distinct, write_error

    for src in inputs:
        ensure_distinct(src, out)
    try:
        if out.is_dir():
            raise UserError(f"输出路径是一个文件夹：{out}（请给出文件名，例如 {out / '结果.xlsx'}）")
        exists = out.exists()
    except OSError as exc:  # a name too long even to look up, and the like
        raise write_error(out, exc) from exc
    if exists and not getattr(args, "overwrite", False):
        raise OutputExistsError(out)
    return out


def _write_text_atomic(path: Path, text: str) -> None:
    from perfeval.xlsx.io import atomic_write_bytes

    atomic_write_bytes(path, text.encode("utf-8"))


def _write_json_stdout(text: str) -> None:
    from perfeval.console import encodable_json

    sys.stdout.write(encodable_json(text))


def _print_pairs(report: Any, layout: Any, computed: Any, config: Any) -> int:
    from perfeval.compare import display, stated_vs_computed
    from perfeval.console import table

    pairs = stated_vs_computed(report, layout, computed, config)
    rows = [["表格/单元格", "项目", "填报值", "计算值", ""]]
    mismatches = 0
    for p in pairs:
        mismatches += 0 if p.agrees else 1
        stated = "（公式）" if p.stated is None else display(p.stated, p.cell.vtype, config)
        rows.append([f"{p.cell.sheet}!{p.cell.address}", _one_line(p.cell.caption), stated,
                     display(p.computed, p.cell.vtype, config), "" if p.agrees else "× 不一致"])
    for line in table(rows, ("<", "<", ">", ">", "<"), max_widths=(None, 40, 16, 16, None)):
        print(line)
    return mismatches


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


# --------------------------------------------------------------------------- commands


def cmd_demo(args: argparse.Namespace) -> int:
    from perfeval import forms
    from perfeval.config import DEFAULT_CONFIG
    from perfeval.xlsx.workflow import TEMPLATE_YEAR, build_templates, fill

    config = _config(args)
    used = config or DEFAULT_CONFIG  # what the printed values are displayed with
    examples = [Path(args.example)] if args.example else [_examples_dir() / DEFAULT_EXAMPLE,
                                                          _examples_dir() / PROJECT_EXAMPLE]
    out_dir = Path(args.out)
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"输出目录是一个已有的文件：{out_dir}（请给出文件夹）")
    workbooks = [out_dir / f"{example.stem}.xlsx" for example in examples]
    inputs = _inputs(args, *examples)
    for out in [out_dir / p.template_filename.format(year=TEMPLATE_YEAR) for p in forms.all_forms()] + workbooks:
        _check_output(args, out, inputs)
    reports = [_load_report(example) for example in examples]
    for template in build_templates(out_dir):
        print(f"空白模板：{template}")
    mismatches = 0
    for example, workbook, report in zip(examples, workbooks, reports, strict=True):
        pack = forms.for_report(report)
        result = fill(report, workbook, config)
        print(f"\n==== {pack.title} ====")
        print(f"示例数据：{example}")
        print(f"示例工作簿（按数据文件的填报值写入，原表的错误照样保留）：{workbook}\n")
        print("派生数据：填报值与计算值对照")
        mismatches += _print_pairs(report, result.layout, result.computed, used)
        _print_summary(pack, report, result.computed, used)
    print(f"\n共 {mismatches} 处填报值与计算值不一致。运行 perfeval validate {workbooks[0]} 查看完整校验"
          + (f"；项目表与部门表交叉核对：perfeval validate {workbooks[1]} --with {workbooks[0]}"
             if len(workbooks) > 1 else "") + "。")
    return EXIT_OK


def _print_summary(pack: Any, report: Any, computed: Any, config: Any) -> None:
    """The form's 计算结果 items and each 三级 row's suggested score."""
    from perfeval.compare import display
    from perfeval.console import table
    from perfeval.layout import VType

    lines = pack.summary_lines(report, computed, config)
    if lines:
        print("\n计算结果（补充指标）")
        for line in table([list(item) for item in lines], ("<", ">")):
            print(f"  {line}")
    print("\n三级指标建议得分")
    rows = [["指标", "填报", "建议", "说明"]]
    for t in pack.indicator_tables(report):
        for i1, i2, i3, _l1, l2, row in t.table.rows():
            key = f"{t.calc_prefix}.indicators[{i1}].secondaries[{i2}].rows[{i3}]"
            where = f"{_one_line(t.label)}：" if t.label else ""
            rows.append([f"{where}{_one_line(l2.name)}/{_one_line(row.name)}", display(row.score, VType.SCORE, config),
                         display(computed.get(f"{key}.suggested"), VType.SCORE, config),
                         _one_line(computed.get(f"{key}.explanation") or "")])
    for line in table(rows, ("<", ">", ">", "<"), max_widths=(36, None, None, None)):
        print(f"  {line}")


def _default_new_name(unit: str, year: int, form: str = "department") -> Path:
    from perfeval import forms
    from perfeval.filenames import safe_filename

    return Path(safe_filename(unit, forms.get(form).new_suffix.format(year=year), fallback="新建"))


def cmd_new(args: argparse.Namespace) -> int:
    from perfeval import forms
    from perfeval.config import DEFAULT_CONFIG
    from perfeval.names import project_key
    from perfeval.xlsx.reader import read_workbook
    from perfeval.xlsx.workflow import fill, template_report

    pack = forms.get(args.form)
    projects: list[Any] = []
    unit, year = args.unit or "", args.year if args.year is not None else DEFAULT_YEAR
    source = Path(args.projects_from) if args.projects_from else None
    if source is not None:
        read = read_workbook(source)
        other = forms.get(read.layout.form)
        projects = other.listed_projects(read.report)
        if not projects:
            raise UserError(f"“{source.name}”（{other.title}）中没有填写名称的项目，无法据此新建项目表")
        unit = unit or other.unit_name(read.report)
        year = args.year if args.year is not None else other.year(read.report)
    out = Path(args.output) if args.output else _default_new_name(unit, year, pack.name)
    _check_output(args, out, _inputs(args, source))
    config = _config(args)
    report = template_report(year, unit, args.projects, form=pack.name, projects=projects,
                             config=config or DEFAULT_CONFIG)
    fill(report, out, config)
    print(f"已新建（{pack.title}）：{out}")
    if source is not None:  # what the form took from the source, and what it left out (closed projects)
        keys = {project_key(p.name) for p in pack.listed_projects(report)}
        taken = [p for p in projects if project_key(p.name) in keys]
        left = [p.name for p in projects if project_key(p.name) not in keys]
        closed = sum(1 for p in taken if not p.current)
        print(f"据“{source.name}”的 {len(taken) - closed} 个本年度项目"
              + (f"及 {closed} 个已结项项目" if closed else "") + f"新建了{pack.title}"
              + (f"；{len(left)} 个项目本年度无预算和支出（已结项），未列入：{'、'.join(left)}" if left else ""))
    return EXIT_OK


def cmd_forms(args: argparse.Namespace) -> int:
    from perfeval import forms
    from perfeval.console import table

    packs = forms.all_forms()
    if args.format == "json":
        data = [{"name": p.name, "title": p.title, "description": p.description, "template_id": p.template_id,
                 "template_version": p.template_version} for p in packs]
        _write_json_stdout(json.dumps({"forms": data}, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    rows = [["名称（--form）", "表格", "说明"]] + [[p.name, p.title, p.description] for p in packs]
    for line in table(rows, ("<", "<", "<")):
        print(line)
    return EXIT_OK


def cmd_templates(args: argparse.Namespace) -> int:
    from perfeval import forms
    from perfeval.xlsx.workflow import build_templates

    for pack in forms.all_forms():
        _check_output(args, Path(args.out) / pack.template_filename.format(year=args.year), [])
    for path in build_templates(Path(args.out), year=args.year):
        print(f"模板已生成：{path}")
    return EXIT_OK


def cmd_fill(args: argparse.Namespace) -> int:
    from perfeval.xlsx.workflow import fill

    out = _check_output(args, Path(args.output), _inputs(args, args.data))
    config = _config(args)
    report = _load_report(Path(args.data), args.form)
    fill(report, out, config)
    print(f"已写入：{out}")
    return EXIT_OK


def _print_read_issues(result: Any, resolved: frozenset[str] = frozenset()) -> None:
    """The reader's notes on stderr; ``resolved``: codes the command itself has just put right."""
    for issue in result.issues:
        if getattr(issue, "code", None) in resolved:
            continue
        print(f"注意：{issue.sheet}!{issue.address} {_one_line(issue.message)}", file=sys.stderr)


def cmd_extract(args: argparse.Namespace) -> int:
    from perfeval.xlsx.workflow import extract

    out = _check_output(args, Path(args.output), _inputs(args, args.workbook)) if args.output else None
    result = extract(Path(args.workbook))
    _print_read_issues(result)
    text = result.report.model_dump_json(indent=2) + "\n"
    if out is not None:
        _write_text_atomic(out, text)
        print(f"已导出数据：{out}")
    else:
        _write_json_stdout(text)
    return EXIT_OK


def cmd_compute(args: argparse.Namespace) -> int:
    from perfeval.compare import display
    from perfeval.layout import VType
    from perfeval.xlsx.workflow import compute_file

    out = _check_output(args, Path(args.output), _inputs(args, args.workbook))
    result = compute_file(Path(args.workbook), out, _config(args))
    config = result.config
    # 计算 itself converts text numbers (RD-002) and puts the template formulas back (RD-003): no stale notes
    _print_read_issues(result.read, frozenset({"RD-002", "RD-003"}))
    for addr in result.restored:
        print(f"已恢复公式（原为手工填写的数值）：{addr}")
    for issue in result.read.issues:
        if getattr(issue, "code", None) == "RD-003":
            print(f"已恢复模板公式（原为另一公式“{_one_line(issue.raw)}”）：{issue.sheet}!{issue.address}")
    for line in result.converted:  # a cell's text quoted in them may hold line breaks: one line each on screen
        print(f"已把文字形式的数字转换为数值：{_one_line(line)}")
    _print_pairs(result.read.report, result.read.layout, result.computed, config)
    print(f"评分口径：{result.computed.get('calc.profile')}")
    if config.total_caps:
        print(f"按执行率封顶后的总分：{display(result.computed.get('calc.capped_total'), VType.SCORE, config)}"
              f"（等级 {result.computed.get('calc.capped_grade') or '—'}）")
    print(f"已计算：{out}")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from perfeval import forms

    out = _check_output(args, Path(args.output), []) if args.output else None
    model = forms.get(args.form).model
    text = json.dumps(model.model_json_schema(mode="validation"), ensure_ascii=False, indent=2) + "\n"
    if out is not None:
        _write_text_atomic(out, text)
        print(f"已写入：{out}")
    else:
        _write_json_stdout(text)
    return EXIT_OK


def _print_findings_table(findings: Any) -> None:
    from perfeval.console import table
    from perfeval.findings import SEVERITY_LABELS

    if not findings.findings:
        print("未发现问题。")
    rows = [["级别", "规则", "位置", "说明"]] if findings.findings else []
    rows += [[SEVERITY_LABELS[f.severity], f.code, f"{f.sheet}!{f.cell}", _one_line(f.message)]
             for f in findings.findings]
    for line in table(rows, ("<", "<", "<", "<")):
        print(line)
    s = findings.summary()
    print(f"\n合计：错误 {s['error']} 项，警告 {s['warning']} 项，提示 {s['info']} 项")


def cmd_validate(args: argparse.Namespace) -> int:
    from perfeval.config import profile_label
    from perfeval.xlsx.workflow import validate_file

    companion = Path(args.against) if args.against else None
    report = Path(args.report) if args.report else None
    inputs = _inputs(args, args.workbook, companion, report)
    out = _check_output(args, Path(args.output), inputs) if args.output else None
    result = validate_file(Path(args.workbook), out, _config(args), companion=companion, report=report)
    if args.format == "json":
        data = result.findings.to_json_dict()
        if result.report is not None:
            from perfeval.findings import FindingReport

            data["report"] = {"file": result.report.name, "sha256": result.report.sha256,
                              "summary": FindingReport(findings=result.report_findings).summary()}
        _write_json_stdout(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_findings_table(result.findings)
        print(f"评分口径：{profile_label(result.config)}")
        if result.report is not None:
            from perfeval.report.check import summary_text

            print(f"自评报告：{result.report.name}（SHA-256 {result.report.sha256}）与表格核对："
                  f"{summary_text(result.report_findings)}（上表中带报告原文的各项）")
        if out is not None:
            print(f"已标记问题单元格并生成“校验结果”工作表：{out}")
            if result.report is not None:
                print("报告核对的结果（报告原文、报告中的值、表中的值）见其中的“报告核对”工作表。")
    return EXIT_FINDINGS if result.findings.has_errors else EXIT_OK


def cmd_clear(args: argparse.Namespace) -> int:
    from perfeval.xlsx.workflow import clear_file

    out = _check_output(args, Path(args.output), _inputs(args, args.workbook))
    n = clear_file(Path(args.workbook), out)
    print(f"已清除 {n} 个单元格的校验标记，并删除“校验结果”工作表：{out}")
    return EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    from perfeval import forms
    from perfeval.console import table
    from perfeval.findings import SEVERITY_LABELS
    from perfeval.rules import RULESET_VERSION, list_rules

    packs = forms.all_forms() if not args.form else [forms.get(args.form)]
    rules = list_rules(packs)
    if args.format == "json":
        data = [{"code": r.code, "severity": r.severity.value, "title": r.title, "source": r.source}
                for r in rules]
        _write_json_stdout(json.dumps({"version": RULESET_VERSION, "rules": data}, ensure_ascii=False, indent=2)
                           + "\n")
        return EXIT_OK
    print(f"校验规则（版本 {RULESET_VERSION}，共 {len(rules)} 条）")
    rows = [["规则", "级别", "说明"]] + [[r.code, SEVERITY_LABELS[r.severity], _one_line(r.title)] for r in rules]
    for line in table(rows, ("<", "<", "<")):
        print(line)
    return EXIT_OK


def cmd_profiles(args: argparse.Namespace) -> int:
    from perfeval.profiles import DEFAULT_PROFILE, list_profiles, load_profile, profile_summary

    profiles = [load_profile(args.profile)] if args.profile else list_profiles()
    if args.format == "json":
        data = [{**p.model_dump(mode="json"), "default": p.name == DEFAULT_PROFILE,
                 "summary": profile_summary(p.config())} for p in profiles]
        _write_json_stdout(json.dumps({"default": DEFAULT_PROFILE, "profiles": data}, ensure_ascii=False, indent=2)
                           + "\n")
        return EXIT_OK
    from perfeval.console import ljust, wrap

    if not args.profile:
        print(f"评分口径（共 {len(profiles)} 个；计算、校验、导出时用 --profile 名称 选用，默认 {DEFAULT_PROFILE}）")
    for n, p in enumerate(profiles):
        default = "（默认）" if p.name == DEFAULT_PROFILE and not args.profile else ""
        print(f"{'' if n == 0 and args.profile else chr(10)}{p.name}  {p.title}{default}")
        rows = list(profile_summary(p.config()).items())
        rows += [("说明", _one_line(p.description))] if p.description else []
        rows += [("来源", _one_line(p.source))] if p.source else []
        for label, text in rows:  # long texts wrap under their column, nothing is cut
            for i, line in enumerate(wrap(text, 76)):
                print(f"  {ljust(label if i == 0 else '', 12)}  {line}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from perfeval.profiles import profile_label
    from perfeval.xlsx.export import ExportBlocked, export_file
    from perfeval.xlsx.io import OutputExistsError

    if args.force and not (args.reason and args.reason.strip()):
        raise UserError("--force 须与 --reason \"理由\" 一起使用：强制导出的理由会记录在定稿的“校验摘要”中")
    if args.reason and not args.force:
        raise UserError("--reason 只用于强制导出，请同时加 --force（或删去 --reason）")
    config = _config(args)
    try:
        report = Path(args.report) if args.report else None
        out = _check_output(args, Path(args.output), _inputs(args, args.workbook, report)) if args.output else None
        result = export_file(Path(args.workbook), out, password=args.password,
                             force_reason=args.reason if args.force else None, config=config, report=report)
    except ExportBlocked as exc:
        print(str(exc))
        return EXIT_FINDINGS
    except OutputExistsError as exc:  # also the default name, found only once the unit is known
        raise UserError(f"定稿文件已存在：{exc.path}。定稿不会被静默替换：请用 -o 另选文件名，"
                        "或确认要替换后加 --overwrite。") from exc
    s = result.findings.summary()
    print(f"已导出定稿：{result.path}")
    noted = f"（均已说明{'或强制导出' if result.forced_reason else ''}）" if s["warning"] else ""
    print(f"校验：错误 0 项，警告 {s['warning']} 项{noted}，提示 {s['info']} 项；详见定稿中的“校验摘要”工作表。")
    print(f"评分口径：{profile_label(result.config)}（已记录在定稿中）")
    if result.report is not None:
        from perfeval.report.check import summary_text

        print(f"自评报告：{result.report.name}（SHA-256 {result.report.sha256}）与表格核对："
              f"{summary_text(result.report_findings)}；已记录在“校验摘要”中（报告中的问题不阻止导出）。")
    if result.forced:
        print(f"强制导出，{len(result.forced)} 项警告未逐项说明，理由：{result.forced_reason}")
    print(f"文件指纹（SHA-256）：{result.fingerprint}")
    print("所有工作表已保护、工作簿结构已锁定。接收方可用 perfeval verify 检查导出后内容是否被改动；"
          "指纹保存在文件内，不能证明文件是谁发出的——如需确认来源，请把上面的指纹另行告知接收方核对。")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from perfeval.xlsx.verify import STATUS_LABELS, VerifyStatus, verify_file

    result = verify_file(Path(args.workbook))
    if args.format == "json":
        _write_json_stdout(json.dumps(result.to_json_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        print(f"核验结果：{STATUS_LABELS[result.status]}")
        if result.unit or result.year:
            print(f"单位：{result.unit or '—'}  年度：{result.year or '—'}  导出时间：{result.exported_at or '—'}  "
                  f"规则版本：{result.ruleset_version or '—'}")
            if result.profile:
                print(f"评分口径：{result.profile}")
        print(result.message)
    if result.status == VerifyStatus.INTACT:
        return EXIT_OK
    if result.status in (VerifyStatus.VALUES_CHANGED, VerifyStatus.PROTECTION_REMOVED):
        return EXIT_FINDINGS
    return EXIT_INPUT


def _progress_bar(quiet: bool) -> Any:
    """A rich progress bar on stderr (files done, rate, ETA); None when stderr is not a terminal or ``--quiet``."""
    if quiet or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    class Rate(TextColumn):
        def __init__(self) -> None:
            super().__init__("")

        def render(self, task: Any) -> Any:
            from rich.text import Text

            speed = task.finished_speed or task.speed
            return Text(f"{speed:.0f} 个/秒" if speed else "")

    return Progress(TextColumn("汇总"), BarColumn(), MofNCompleteColumn(), Rate(), TextColumn("剩余"),
                    TimeRemainingColumn(), console=Console(stderr=True), transient=True)


def cmd_collect(args: argparse.Namespace) -> int:
    """收件: verify and read every submitted file under the inputs into a 汇总 workbook and the 台账."""
    from perfeval.ledger import LedgerError
    from perfeval.xlsx.collect import collect_into, result_lines

    inputs = [Path(p) for p in args.inputs]
    if not any(p.exists() for p in inputs):  # nothing to collect: no 汇总 and no 台账 are written
        raise UserError(f"找不到要汇总的文件或文件夹：{'、'.join(str(p) for p in inputs)}")
    out = Path(args.output) if args.output else (None if args.format == "json" else Path("汇总.xlsx"))
    if out is not None:
        if out.suffix.lower() != ".xlsx":
            raise UserError(f"汇总文件应为 .xlsx 工作簿：{out.name}")
        _check_output(args, out, [p for p in inputs if p.is_file()])
    expected = None
    if args.expect:
        from perfeval.xlsx.expected import read_expected

        expected = read_expected(Path(args.expect))
    db = None if args.no_db else Path(args.db)
    options: dict[str, Any] = {"config": _config(args), "expected": expected, "year": args.year, "form": args.form,
                               "jobs": args.jobs}
    bar = _progress_bar(args.quiet)
    try:
        with bar if bar is not None else contextlib.nullcontext():
            if bar is not None:
                task = bar.add_task("汇总", total=None)
                options["progress"] = lambda done, total: bar.update(task, completed=done, total=total)
            result = collect_into(inputs, out=out, db=db, **options)
    except LedgerError as exc:
        raise UserError(str(exc)) from exc
    if args.format == "json":
        _write_json_stdout(json.dumps(result.to_json_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        print("\n".join(result_lines(result, out, db)))
    return result.exit_code


def cmd_history(args: argparse.Namespace) -> int:
    """收件台账: every version of one unit's submissions (exit 2: no 台账, or the unit is not in it)."""
    from perfeval.console import table
    from perfeval.ledger import Ledger, LedgerError
    from perfeval.receiving import FILE_STATUS_LABELS

    db = Path(args.db)
    if not db.is_file():
        raise UserError(f"找不到台账文件：{db}。台账由 perfeval collect 建立；不在当前文件夹时请用 --db 指定。")
    try:
        with Ledger.open(db, create=False) as ledger:
            rows = ledger.history(args.unit, year=args.year, form=args.form)
            if not rows and not ledger.history(args.unit):
                near = ledger.units_like(args.unit)
                hint = f"相近的单位名称：{'、'.join(near)}" if near else "台账中也没有名称相近的单位"
                raise UserError(f"台账 {db} 中没有单位“{args.unit}”的报送记录；{hint}。")
    except LedgerError as exc:
        raise UserError(str(exc)) from exc
    if args.format == "json":
        data = {"unit": args.unit, "db": str(db), "versions": [r.to_json_dict() for r in rows]}
        _write_json_stdout(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    if not rows:
        print(f"单位“{args.unit}”在台账中没有符合条件（年度、表格类型）的报送记录。")
        return EXIT_OK
    table_rows = [["版本", "年度", "表种", "收到时间", "文件", "核验结果", "总分", "错误", "警告", "提示", "指纹"]]
    for r in rows:
        s, c = r.submission, r.submission.counts
        scores = "、".join(str(e.score) for e in s.entries if e.score is not None) or "—"
        table_rows.append([str(r.version), str(s.year or "—"), s.form_title or s.form or "—",
                           s.received_at[:16].replace("T", " "), s.name, FILE_STATUS_LABELS[s.status], scores,
                           str(c["error"]), str(c["warning"]), str(c["info"]), (s.fingerprint or "—")[:12]])
    unit = rows[-1].submission.unit or args.unit
    print(f"{unit} 的报送记录（台账 {db}，共 {len(rows)} 个版本，从旧到新）")
    for line in table(table_rows, ("<", "<", "<", "<", "<", "<", ">", ">", ">", ">", "<"),
                      max_widths=(None, None, 22, None, 36, None, 24, None, None, None, None)):
        print(line)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """perfeval report: the draft 自评报告 (.docx) written from a workbook's tables (perfeval.docx.draft)."""
    from perfeval.docx.draft import draft_file
    from perfeval.report.draft import DraftError

    out = Path(args.output)
    if out.suffix.lower() != ".docx":
        raise UserError(f"输出文件应为 Word 文档（.docx）：{out.name}")
    _check_output(args, out, _inputs(args, args.workbook))
    try:
        result = draft_file(Path(args.workbook), out, _config(args))
    except DraftError as exc:
        raise UserError(str(exc)) from exc
    n = sum(len(o.placeholders()) for o in result.outlines)
    print(f"已生成自评报告草稿：{out}（{len(result.outlines)} 份报告；{n} 处【请填写：…】须由单位补写）")
    s = result.findings.summary()
    if s["error"]:
        print(f"注意：校验发现 {s['error']} 项错误，草稿中的数字按表格现有的填报值写出；请先运行 perfeval validate "
              f"{args.workbook} 更正表格，再重新生成草稿。", file=sys.stderr)
    return EXIT_OK


# --------------------------------------------------------------------------- the parser

_OVERWRITE_HELP = "允许替换已有的输出文件（不加时，已有文件一律不替换；输入文件在任何情况下都不会被覆盖）"


_PROFILE_HELP = ("评分口径：内置口径的名称，或口径文件（.json）；默认为财政部2020年通用口径。"
                 "perfeval profiles 列出全部口径")


def _add_receiver_options(p: argparse.ArgumentParser, *, year: str, form: str, db: str) -> None:
    """--year, --form and --db of the receiver's commands (collect, history), with each command's help."""
    p.add_argument("--year", type=_int_in_range(YEAR_MIN, YEAR_MAX, "年度"), metavar="年度", help=year)
    p.add_argument("--form", type=_form_name, metavar="表格类型", help=form)
    p.add_argument("--db", default="台账.sqlite", metavar="台账.sqlite", help=db)


def _add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument("--profile", metavar="口径", help=_PROFILE_HELP)
    p.add_argument("--config", metavar="配置.json",
                   help="阈值配置文件（JSON，只写要改的项，在评分口径之上生效；可用项及默认值见 perfeval/config.py）")


def _form_name(text: str) -> str:
    """--form: the name of a registered form pack (perfeval forms lists them)."""
    from perfeval import forms

    name = text.strip()
    if name not in forms.names():
        raise argparse.ArgumentTypeError(f"没有名为“{text}”的表格类型（可用：{'、'.join(forms.names())}；"
                                         "见 perfeval forms）")
    return name


def _add_form(p: argparse.ArgumentParser) -> None:
    p.add_argument("--form", type=_form_name, default="department", metavar="表格类型",
                   help="表格类型：department 为部门整体支出（附件1-1、附件1-2，默认），project 为项目支出绩效自评表"
                        "（全部类型见 perfeval forms）")


def _add_overwrite(p: argparse.ArgumentParser) -> None:
    p.add_argument("--overwrite", action="store_true", help=_OVERWRITE_HELP)


def _add_format(p: argparse.ArgumentParser, json_text: str) -> None:
    p.add_argument("--format", choices=("table", "json"), default="table", metavar="{table,json}",
                   help=f"输出格式：table 为表格（默认），json 为{json_text}")


EPILOG = f"""\
输出文件：已有的文件一律不替换，除非加 --overwrite（定稿也一样）；输出文件不能是输入文件。
写入是原子的：出错或按 Ctrl-C 中断时不留下半个文件。

退出码：
  0    成功
  1    发现阻止上报的问题（validate 有错误；export 被阻止；verify 发现改动或保护被解除）
  2    输入无法使用或参数错误（文件不存在/损坏/已存在、结构与模板不符、配置有误、无法写入等）
  3    程序内部错误（请加 --debug 重新运行并把输出发给维护人员）
  {EXIT_INTERRUPTED}  按 Ctrl-C 中断

每个命令的说明：perfeval 命令 -h，例如 perfeval export -h"""


def build_parser() -> ChineseArgumentParser:
    parser = ChineseArgumentParser(
        prog="perfeval",
        description="绩效自评助手：部门整体支出绩效自评表（附件1-1、附件1-2）和项目支出绩效自评表的计算、校验与导出。",
        epilog=EPILOG,
    )
    parser.add_argument("--debug", action="store_true", help="出错时显示完整的调试信息（供维护人员排查）")
    sub = parser.add_subparsers(dest="command", title="命令", metavar="命令")

    def command(name: str, summary: str, details: str = "") -> ChineseArgumentParser:
        description = summary if not details else f"{summary}\n\n{details}"
        return sub.add_parser(name, help=summary, description=description)  # type: ignore[return-value]

    p = command("demo", "用内置示例（怀化市城乡建设事务中心 2023 年）生成模板和示例工作簿",
                "在输出目录中生成两种表格的空白模板、按示例数据填写的部门整体支出表和项目支出表，"
                "并在屏幕上对照填报值与计算值。")
    p.add_argument("-o", "--out", default="out", metavar="目录", help="输出目录（默认 ./out）")
    p.add_argument("--example", metavar="数据.json", help="改用其他示例数据文件")
    _add_config(p)
    _add_overwrite(p)
    p.set_defaults(func=cmd_demo)

    p = command("new", "新建空白的官方表格（默认附件1-1、附件1-2；--form project 为项目支出绩效自评表）",
                "不给 -o 时，文件保存在当前文件夹，文件名取自单位名称（不能用于文件名的字符会被替换）。\n"
                "项目表：--projects-from 部门表.xlsx 按已填写的附件1-1 为每个本年度项目建一张表"
                "（单位、年度随之取用）。")
    p.add_argument("-o", "--output", metavar="输出.xlsx",
                   help="输出文件（默认 <单位>_<年度>年部门整体支出绩效自评表.xlsx 或 …年项目支出绩效自评表.xlsx）")
    _add_form(p)
    p.add_argument("--unit", metavar="单位名称", help="填报单位名称（写入表头；项目表写入“实施单位”）")
    p.add_argument("--year", type=_int_in_range(YEAR_MIN, YEAR_MAX, "年度"), default=None, metavar="年度",
                   help=f"评价年度，{YEAR_MIN}–{YEAR_MAX}（默认 2025；用 --projects-from 时默认取部门表的年度）")
    p.add_argument("--projects", type=_int_in_range(0, MAX_PROJECT_ROWS, "项目数", limit=True), default=None,
                   metavar="个数",
                   help=f"附件1-1 的项目支出行数（默认 10，最多 {MAX_PROJECT_ROWS}），或项目表的张数（默认 1，"
                        f"最多 {MAX_PROJECT_SHEETS}）")
    p.add_argument("--projects-from", metavar="部门表.xlsx",
                   help="按此工作簿（已填写的附件1-1）中的项目新建，每个本年度项目一张项目表（不会被修改）")
    _add_config(p)
    _add_overwrite(p)
    p.set_defaults(func=cmd_new)

    p = command("templates", "重新生成官方空白模板（开发用：workbook_templates/ 中的模板文件）",
                "生成的文件逐字节可重现；替换仓库中已有的模板须加 --overwrite。")
    p.add_argument("-o", "--out", default="workbook_templates", metavar="目录",
                   help="输出目录（默认 workbook_templates）")
    p.add_argument("--year", type=_int_in_range(YEAR_MIN, YEAR_MAX, "年度"), default=2025, metavar="年度",
                   help=f"模板的评价年度，{YEAR_MIN}–{YEAR_MAX}（默认 2025）")
    _add_overwrite(p)
    p.set_defaults(func=cmd_templates)

    p = command("fill", "把数据文件（JSON）写入新的官方表格",
                "填报值按原样写入（包括错误的值），便于随后校验。数据格式见 perfeval schema；表格类型按数据自动识别。")
    p.add_argument("data", metavar="数据.json", help="数据文件（UTF-8 编码的 JSON）")
    p.add_argument("--form", type=_form_name, metavar="表格类型",
                   help="数据文件的表格类型（默认按内容识别；可用的类型见 perfeval forms）")
    p.add_argument("-o", "--output", required=True, metavar="输出.xlsx", help="输出工作簿（必填）")
    _add_config(p)
    _add_overwrite(p)
    p.set_defaults(func=cmd_fill)

    p = command("extract", "从已填写的工作簿读出数据文件（JSON）")
    p.add_argument("workbook", metavar="工作簿.xlsx", help="已填写的工作簿")
    p.add_argument("-o", "--output", metavar="数据.json", help="保存到此文件（不给时打印在屏幕上）")
    _add_overwrite(p)
    p.set_defaults(func=cmd_extract)

    p = command("compute", "计算：恢复派生单元格的公式，并填写“计算结果”工作表",
                "被手工改成数值的派生单元格会恢复为公式；结果写到 -o 指定的新文件，原文件不变。")
    p.add_argument("workbook", metavar="工作簿.xlsx", help="要计算的工作簿（不会被修改）")
    p.add_argument("-o", "--output", required=True, metavar="输出.xlsx", help="计算后的工作簿（必填）")
    _add_config(p)
    _add_overwrite(p)
    p.set_defaults(func=cmd_compute)

    p = command("validate", "校验：列出问题；加 -o 时在副本中就地标记并生成“校验结果”工作表",
                "有错误级问题时退出码为 1。警告须在“校验结果”工作表的“说明”列写明理由后才能导出。")
    p.add_argument("workbook", metavar="工作簿.xlsx", help="要校验的工作簿（不会被修改）")
    p.add_argument("-o", "--output", metavar="输出.xlsx", help="标记问题后的副本（原文件不变）")
    p.add_argument("--with", dest="against", metavar="另一工作簿.xlsx",
                   help="与另一张表交叉核对（如项目表与部门表的附件1-1：项目名称、全年预算数、全年执行数）")
    p.add_argument("--report", metavar="自评报告.docx",
                   help="同时核对自评报告（.docx、.txt 或带文字的 PDF）：报告中的金额、人数、项目名称、得分、日期等"
                        "与表格是否一致；加 -o 时结果写入“报告核对”工作表")
    _add_format(p, "机器可读的 JSON（含英文代码）")
    _add_config(p)
    _add_overwrite(p)
    p.set_defaults(func=cmd_validate)

    p = command("clear", "清除本工具添加的所有校验标记（颜色、批注和“校验结果”工作表）")
    p.add_argument("workbook", metavar="工作簿.xlsx", help="带校验标记的工作簿（不会被修改）")
    p.add_argument("-o", "--output", required=True, metavar="输出.xlsx", help="清除标记后的工作簿（必填）")
    _add_overwrite(p)
    p.set_defaults(func=cmd_clear)

    p = command("rules", "列出全部校验规则（代码、级别、说明）")
    p.add_argument("--form", type=_form_name, metavar="表格类型",
                   help="只列出这种表格的规则（默认全部；可用的类型见 perfeval forms）")
    _add_format(p, "机器可读的 JSON")
    p.set_defaults(func=cmd_rules)

    p = command("profiles", "列出评分口径（各口径的执行率分值、一级权重、定性档次、封顶和偏差原因阈值）",
                "评分口径决定执行率得分是否封顶、定性指标的档次、何时须说明偏差原因等。\n"
                "计算、校验、导出和填写时用 --profile 名称 选用内置口径，或 --profile 文件.json 使用自己的口径文件"
                "\n（格式与内置口径相同，见使用说明“评分口径”一节）。")
    p.add_argument("profile", nargs="?", metavar="口径",
                   help="只显示（并检查）这一个口径：内置口径的名称或口径文件（.json）")
    _add_format(p, "机器可读的 JSON")
    p.set_defaults(func=cmd_profiles)

    p = command("export", "导出：校验通过后生成锁定的定稿（数值代替公式、工作表保护、文件指纹）",
                "有错误时不能导出；警告须已在“校验结果”的“说明”列写明理由，或用 --force --reason 强制导出。\n"
                "已有的定稿不会被替换，除非加 --overwrite。")
    p.add_argument("workbook", metavar="工作簿.xlsx", help="要导出的工作簿（不会被修改）")
    p.add_argument("-o", "--output", metavar="定稿.xlsx",
                   help="定稿文件（默认：输入文件夹下的 <单位>_<年度>年部门整体支出绩效自评表_定稿.xlsx）")
    p.add_argument("--password", metavar="密码",
                   help="工作表保护密码（默认取配置 export_password；保护只防误改，不是加密）")
    p.add_argument("--force", action="store_true", help="警告未逐项说明时仍导出（须同时给出 --reason；错误不能强制）")
    p.add_argument("--reason", metavar="理由", help="强制导出的理由（记录在定稿的“校验摘要”和导出信息中）")
    p.add_argument("--report", metavar="自评报告.docx",
                   help="同时核对自评报告，把报告的 SHA-256 和核对结果摘要记入定稿的“校验摘要”"
                        "（报告中的问题不阻止导出）")
    _add_config(p)
    _add_overwrite(p)
    p.set_defaults(func=cmd_export)

    p = command("verify", "核验：检查定稿导出后内容是否被改动、保护是否被解除",
                "把各工作表的内容与文件中记录的指纹（SHA-256）比对。指纹与内容在同一个文件里，"
                "核验能发现导出后的一般改动，\n但不能证明文件是谁发出的，也不能排除有人改动后重新计算了指纹；"
                "如需确认来源，请与报送单位另行核对指纹。")
    p.add_argument("workbook", metavar="定稿.xlsx", help="要核验的定稿文件")
    _add_format(p, "机器可读的 JSON（状态为英文代码，如 intact、values_changed）")
    p.set_defaults(func=cmd_verify)

    p = command("collect", "收件汇总：核验并读取收到的全部定稿，生成汇总表并记入收件台账",
                "逐个核验报送的定稿（完好 / 导出后被改动 / 保护被解除 / 不是导出的定稿 / 模板不符），\n"
                "按表格读取数值并校验，生成汇总表（汇总、问题清单、未报送、重复报送、复核、统计）。\n"
                "文件夹会逐层查找 .xlsx 文件，其他文件列为跳过。\n"
                "读过的文件记入收件台账（一个数据库文件）；再次运行时内容未变的文件不再重读。\n"
                "退出码：0 全部完好且无错误、警告；1 有文件未通过核验、有错误或警告、有单位未报送；2 没有可读的文件。")
    p.add_argument("inputs", nargs="+", metavar="文件或文件夹",
                   help="收到的定稿（.xlsx）或存放定稿的文件夹（不会被修改）")
    p.add_argument("-o", "--output", metavar="汇总.xlsx", help="汇总表（默认：当前文件夹下的 汇总.xlsx）")
    p.add_argument("--expect", metavar="单位名单.xlsx", help="应报送单位名单（.xlsx 或 .csv，列名“单位名称”或第一列）")
    _add_receiver_options(p, year="只收这一年度的报送（其他年度列为跳过）",
                          form="只收这种表格（可用的类型见 perfeval forms）",
                          db="收件台账文件（默认：当前文件夹下的 台账.sqlite）")
    p.add_argument("--no-db", action="store_true", help="不使用收件台账（每次全部重新读取）")
    p.add_argument("--jobs", type=_int_in_range(1, 256, "并行进程数"), metavar="进程数",
                   help="并行处理的进程数（默认：处理器核数）")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    _add_config(p)
    _add_overwrite(p)
    _add_format(p, "机器可读的 JSON（核验结果为英文代码，如 intact）；不加 -o 时不写汇总表")
    p.set_defaults(func=cmd_collect)

    p = command("history", "收件台账：列出某单位每次报送的版本（收到时间、核验结果、总分、问题数）",
                "按单位名称查询收件台账（汇总报送文件时建立的数据库），每个版本一行，从旧到新。\n"
                "单位名称中的全角/半角、空格和括号不影响匹配；台账中没有该单位时列出名称相近的单位（退出码 2）。")
    p.add_argument("unit", metavar="单位", help="单位名称")
    _add_receiver_options(p, year="只列出这一年度的报送", form="只列出这种表格的报送（可用的类型见 perfeval forms）",
                          db="台账文件（默认为当前文件夹中的 台账.sqlite）")
    _add_format(p, "机器可读的 JSON（核验结果为英文代码，如 intact）")
    p.set_defaults(func=cmd_history)

    p = command("report", "按表格生成自评报告草稿（Word 文档 .docx）",
                "草稿的数字全部取自表格（附件1-1、附件1-2；项目表每个项目一份报告），措辞与常见的自评报告相同；"
                "只有单位才能写的\n内容（职能职责、存在的问题、改进措施、增减原因等）标为“【请填写：…】”"
                "（黄色底纹）。版式按党政机关公文格式：标题方正小标宋简体二号，\n正文仿宋三号，固定行距30磅；"
                "电脑上没有方正小标宋时显示为宋体。表格校验有错误时仍生成草稿并提示。")
    p.add_argument("workbook", metavar="自评表.xlsx", help="已填写的工作簿（不会被修改）")
    p.add_argument("-o", "--output", required=True, metavar="自评报告.docx", help="草稿文件（.docx，必填）")
    _add_config(p)
    _add_overwrite(p)
    p.set_defaults(func=cmd_report)

    p = command("forms", "列出支持的表格类型（--form 的取值）")
    _add_format(p, "机器可读的 JSON")
    p.set_defaults(func=cmd_forms)

    p = command("schema", "输出数据文件（JSON）的格式说明（JSON Schema）")
    _add_form(p)
    p.add_argument("-o", "--output", metavar="输出.json", help="保存到此文件（不给时打印在屏幕上）")
    _add_overwrite(p)
    p.set_defaults(func=cmd_schema)

    return parser


# --------------------------------------------------------------------------- main


def _interrupted(written: Sequence[Path]) -> int:
    if written:
        names = "、".join(str(p) for p in written)
        print(f"已中断。中断前已完整写入：{names}；其余文件未写入。", file=sys.stderr)
    else:
        print("已中断，未写入任何文件。", file=sys.stderr)
    return EXIT_INTERRUPTED


def _quiet_interrupts_in_finalizers() -> None:
    """A Ctrl-C that lands while Python runs a finalizer (a ``__del__``) is printed by the interpreter as
    "Exception ignored in …" with a traceback and otherwise lost; it is raised again in the main flow instead, where
    the command reports the interruption itself, once, in Chinese."""
    default = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, KeyboardInterrupt):
            default(unraisable)
            return
        import _thread

        _thread.interrupt_main()  # not lost: raised again where the command can handle it

    sys.unraisablehook = hook


def main(argv: Sequence[str] | None = None) -> int:
    from perfeval.console import setup_streams

    setup_streams()
    _quiet_interrupts_in_finalizers()
    written: list[Path] = []
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # -h, or an argument error (already printed in Chinese): its exit code
            return exc.code if isinstance(exc.code, int) else EXIT_INPUT
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_INPUT
        return _run(args, written)
    except KeyboardInterrupt:
        return _interrupted(written)


def _run(args: argparse.Namespace, written: list[Path]) -> int:
    from perfeval.xlsx.io import output_guard

    try:
        with output_guard(overwrite=bool(getattr(args, "overwrite", False)), written=written):
            return int(args.func(args))
    except UserError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        from perfeval.config import ConfigError
        from perfeval.limits import LimitError
        from perfeval.report.files import ReportFileError
        from perfeval.xlsx.io import WorkbookError
        from perfeval.xlsx.reader import StructureError

        if isinstance(exc, WorkbookError | StructureError | ConfigError | LimitError | ReportFileError):
            print(f"错误：{exc}", file=sys.stderr)
            return EXIT_INPUT
        if args.debug:
            raise
        print(f"程序内部错误：{type(exc).__name__}: {exc}\n请加 --debug 重新运行并把输出发给维护人员。",
              file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
