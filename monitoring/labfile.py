"""Reading lab spreadsheets (CSV or .xlsx) as labs write them: Chinese headers with units.

A header is a name and a unit in brackets, e.g. "氨氮(mg/L)", "透明度（cm）", "水温(℃)", "pH";
the name may be Chinese or the usual abbreviation (NH3-N, DO, CODMn, TP, ...). Every value is
converted to the canonical unit of ``standards.PARAMETERS``; a unit we do not know is an error
naming the column, never a guess. No database access here: see ``services`` for the checks
that need it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.conf import settings
from django.utils.translation import gettext as _

from core import spreadsheets
from monitoring import standards

# Meta columns: field -> accepted header names.
META_HEADERS = {
    "point": ("点位编码", "监测点位编码", "断面编码", "采样点编码", "点位代码", "测点编码"),
    "sampled_at": ("采样时间", "采样日期", "监测时间", "监测日期", "采样日期时间"),
    "sampler": ("采样人", "采样人员", "采样员"),
    "lab": ("检测单位", "检测机构", "实验室", "分析单位"),
    "client_key": ("样品编号", "样品号", "样品编码"),
    "sampling_depth_m": ("采样深度",),
    "water_depth_cm": ("水深",),
}
# Columns labs add that carry nothing we store.
IGNORED_HEADERS = ("序号", "备注", "天气", "河道名称", "河道", "点位名称", "断面名称", "气温")

MG_PER_L = {
    "mg/l": 1.0,
    "毫克/升": 1.0,
    "mg/dm3": 1.0,
    "μg/l": 0.001,
    "ug/l": 0.001,
    "微克/升": 0.001,
}
UNITS: dict[str, dict[str, float]] = {
    "": {"": 1.0, "无量纲": 1.0, "无": 1.0},  # pH
    standards.MG_L: MG_PER_L,
    "℃": {"℃": 1.0, "°c": 1.0, "摄氏度": 1.0},
    "cm": {"cm": 1.0, "厘米": 1.0, "m": 100.0, "米": 100.0},
    "mV": {"mv": 1.0, "毫伏": 1.0},
    "个/L": {"个/l": 1.0, "mpn/l": 1.0, "cfu/l": 1.0},
    "m": {"m": 1.0, "米": 1.0, "cm": 0.01, "厘米": 0.01},
}
META_UNITS = {"sampling_depth_m": "m", "water_depth_cm": "cm"}

# Values below the detection limit are written "<0.01" (or "ND" with no limit). Convention of
# assessment practice: a result below the detection limit takes half the detection limit.
BELOW_LIMIT = re.compile(r"^[<＜]\s*([0-9.]+)$")
NOT_MEASURED = {"", "-", "—", "/", "／", "未测"}

# 2018-06-03 09:30[:00], 2018/6/3 9:30, 2018.06.03, 2018年6月3日 9:30, 2018-06-03T09:30
TIME_PATTERN = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*[ T]?\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?$"
)


class FileError(Exception):
    """The file as a whole cannot be read (bad format, bad headers): ``messages`` says why."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class Column:
    index: int
    header: str
    field: str  # a parameter code or a META_HEADERS key
    factor: float = 1.0
    unit: str = ""

    def as_json(self) -> dict:
        return {
            "header": self.header,
            "field": self.field,
            "unit": self.unit,
            "factor": self.factor,
        }


@dataclass
class SampleRow:
    """One sample to record, from a file row or an API item (values in canonical units)."""

    row: int | str  # the line in the file (1 = header) or the index in the request
    point: str = ""
    sampled_at: datetime | None = None
    sampler: str = ""
    lab: str = ""
    sampling_depth_m: float | None = None
    water_depth_cm: float | None = None
    client_key: str | None = None
    values: dict[str, float] = field(default_factory=dict)
    # Problems found while reading the row: (field, message).
    problems: list[tuple[str, str]] = field(default_factory=list)


def _normalise(text) -> str:
    text = "" if text is None else str(text)
    return (
        text.strip()
        .replace("（", "(")
        .replace("）", ")")
        .replace("µ", "μ")
        .replace(" ", "")
        .replace("\u3000", "")
    )


_NAMES: dict[str, str] = {}
for _p in standards.PARAMETERS.values():
    for _name in (_p.name, *_p.aliases):
        _NAMES[_normalise(_name).lower()] = _p.code
for _field, _names in META_HEADERS.items():
    for _name in _names:
        _NAMES[_normalise(_name).lower()] = _field
_IGNORED = {_normalise(h).lower() for h in IGNORED_HEADERS}
HEADER_WITH_UNIT = re.compile(r"^(?P<name>.+?)\((?P<unit>[^()]*)\)$")


def read_header(cells: list) -> list[Column]:
    """Map header cells to columns; FileError naming every column we cannot use."""
    columns, problems = [], []
    seen: dict[str, str] = {}
    for index, cell in enumerate(cells):
        header = "" if cell is None else str(cell).strip()
        text = _normalise(header)
        if not text:
            continue
        name, unit = text, None
        if text.lower() not in _NAMES and text.lower() not in _IGNORED:
            m = HEADER_WITH_UNIT.match(text)
            if m:
                name, unit = m["name"], m["unit"]
        key = name.lower()
        if key in _IGNORED:
            continue
        target = _NAMES.get(key)
        if target is None:
            problems.append(_("无法识别的列“%(col)s”") % {"col": header})
            continue
        if target in seen:
            problems.append(
                _("列“%(col)s”与“%(other)s”重复") % {"col": header, "other": seen[target]}
            )
            continue
        seen[target] = header
        canonical = standards.PARAMETERS[target].unit if target in standards.PARAMETERS else None
        canonical = META_UNITS.get(target, canonical)
        if canonical is None:  # a meta column without a unit
            columns.append(Column(index, header, target))
            continue
        accepted = UNITS[canonical]
        given = (unit or "").lower()
        if unit is None and canonical != "":
            problems.append(
                _("列“%(col)s”没有写单位（应为 %(unit)s）") % {"col": header, "unit": canonical}
            )
            continue
        if given not in accepted:
            problems.append(
                _("列“%(col)s”的单位“%(unit)s”无法识别（可用：%(ok)s）")
                % {
                    "col": header,
                    "unit": unit,
                    "ok": "、".join(u for u in accepted if u) or _("无量纲"),
                }
            )
            continue
        columns.append(Column(index, header, target, accepted[given], canonical))
    fields = {c.field for c in columns}
    if not problems:
        for required, label in (("point", "点位编码"), ("sampled_at", "采样时间")):
            if required not in fields:
                problems.append(_("缺少“%(col)s”列") % {"col": label})
        if not fields & set(standards.PARAMETERS):
            problems.append(_("没有任何监测项目列"))
    if problems:
        raise FileError(problems)
    return columns


def parse_number(raw) -> tuple[float | None, str | None]:
    """(value, problem): numbers, "<DL" (half the detection limit), blanks as not measured."""
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        return None, _("不是数值")
    if isinstance(raw, int | float):
        return float(raw), None
    try:
        return float(raw), None  # the common case: a plain number as text
    except (TypeError, ValueError):
        pass
    text = _normalise(raw)
    if text in NOT_MEASURED:
        return None, None
    if m := BELOW_LIMIT.match(text):
        return float(m[1]) / 2, None
    if text.upper() in ("ND", "未检出", "L"):
        return None, _("未检出请写成“<检出限”，如“<0.01”")
    try:
        return float(text.replace(",", "")), None
    except ValueError:
        return None, _("“%(v)s”不是数值") % {"v": raw}


def parse_time(raw) -> tuple[datetime | None, str | None]:
    """A naive local datetime (the caller makes it aware), or a problem."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, _("缺少采样时间")
    if isinstance(raw, datetime):
        return raw.replace(tzinfo=None) if raw.tzinfo is None else raw, None
    if isinstance(raw, date):
        return datetime.combine(raw, time.min), None
    m = TIME_PATTERN.match(str(raw).strip())
    if m:
        try:
            return datetime(*(int(g) for g in m.groups(default="0"))), None  # noqa: DTZ001 (local time, made aware later)
        except ValueError:
            pass
    return None, _("“%(v)s”不是可识别的时间（如 2018-05-06 09:30）") % {"v": raw}


def row_from_cells(line: int, cells: list, columns: list[Column]) -> SampleRow | None:
    """A SampleRow from one line of cells; None for an empty line."""
    if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
        return None
    row = SampleRow(row=line)
    for col in columns:
        raw = cells[col.index] if col.index < len(cells) else None
        if col.field in standards.PARAMETERS or col.field in META_UNITS:
            value, problem = parse_number(raw)
            if problem:
                row.problems.append((col.header, problem))
                continue
            if value is None:
                continue
            value *= col.factor
            if col.field in standards.PARAMETERS:
                row.values[col.field] = value
            else:
                setattr(row, col.field, value)
        elif col.field == "sampled_at":
            row.sampled_at, problem = parse_time(raw)
            if problem:
                row.problems.append((col.header, problem))
        else:
            text = "" if raw is None else str(raw).strip()
            if col.field == "point" and isinstance(raw, float) and raw.is_integer():
                text = str(int(raw))  # a numeric code read by a spreadsheet as a number
            setattr(row, col.field, text or (None if col.field == "client_key" else ""))
    return row


# --- file formats -------------------------------------------------------------------------------


def read_file(
    path: str, name: str, *, caps: spreadsheets.Caps | None = None
) -> tuple[int, list[Column], Iterator[SampleRow]]:
    """(estimated data lines, columns, iterator of SampleRow); FileError if unreadable.

    Rows come from ``core.spreadsheets.read_rows``: every row whatever the .xlsx's stored
    dimension says, streamed, and stopped at the caps of the settings (IMPORT_MAX_ROWS,
    IMPORT_MAX_UNPACKED_MB, IMPORT_MAX_FILE_MB) with a FileError, raised by the iterator when
    the row cap is passed. The estimate is for progress only: the real count is the number of
    rows the iterator yields.
    """
    caps = caps or spreadsheets.Caps.from_settings(settings)
    try:
        estimate = spreadsheets.count_rows(path, name=name, caps=caps)
        lines = spreadsheets.read_rows(path, name=name, caps=caps)
        header = next(lines, None)
    except spreadsheets.SpreadsheetError as exc:
        raise FileError([spreadsheet_message(exc)]) from exc
    if header is None:
        raise FileError([_("文件是空的")])
    columns = read_header(list(header.cells))

    def rows():
        try:
            for line in lines:
                row = row_from_cells(line.line, line.cells, columns)
                if row is not None:
                    yield row
        except spreadsheets.SpreadsheetError as exc:
            raise FileError([spreadsheet_message(exc)]) from exc

    return estimate, columns, rows()


def spreadsheet_message(exc: spreadsheets.SpreadsheetError) -> str:
    """The reader's message in the user's language (its templates are in the .po files)."""
    return _(exc.template) % exc.params if exc.params else _(exc.template)
