"""Import of an existing registry from a spreadsheet (CSV or .xlsx with Chinese headers).

One service for both doors (the upload page and ``manage.py import_rivers``). A dry run
parses and checks every row and returns a preview; a commit does the same checks again and
writes everything in one transaction, or nothing at all when any row is bad. Row numbers in
messages are the spreadsheet's own (the header is row 1).
"""

import csv
import dataclasses
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import spreadsheets
from core.choices import ChiefLevel, WaterClass
from core.models import Region, User
from core.scoping import require_region_in_scope, require_registry_writer
from rivers import services
from rivers.models import River

MAX_ROWS = 20_000

# (key, header, required). Headers are matched after stripping spaces and unifying brackets.
COLUMNS = [
    ("code", "河道编码", True),
    ("name", "河道名称", True),
    ("level", "河道等级", True),
    ("length_km", "长度(公里)", True),
    ("village", "所属村", False),
    ("crossed", "流经村", False),
    ("target_class", "水质目标", False),
    ("start_point", "起点", False),
    ("end_point", "终点", False),
    ("note", "备注", False),
]
HEADER_ALIASES = {
    "编码": "code",
    "河道代码": "code",
    "名称": "name",
    "等级": "level",
    "河道级别": "level",
    "长度": "length_km",
    "长度(km)": "length_km",
    "河长(公里)": "length_km",
    "所在村": "village",
    "所属村居": "village",
    "流经村居": "crossed",
    "目标水质": "target_class",
    "水质目标类别": "target_class",
}
LEVELS = {
    "区级": ChiefLevel.DISTRICT,
    "镇级": ChiefLevel.TOWN,
    "村级": ChiefLevel.VILLAGE,
    "district": ChiefLevel.DISTRICT,
    "town": ChiefLevel.TOWN,
    "village": ChiefLevel.VILLAGE,
}
ROMAN = {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5, "I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}
LIST_SEPARATORS = re.compile(r"[、,，;；/\s]+")
SAMPLE_ROWS = [
    ["ZJ-Z901", "示例塘", "镇级", "3.20", "", "待泾村、秀州村", "Ⅳ类", "朱泾塘", "掘石港", ""],
    ["ZJ-C901", "示例浜", "村级", "0.65", "待泾村", "", "Ⅴ类", "示例塘", "断头", "断头浜"],
]


@dataclass
class RowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return _("第 %(row)d 行：%(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ImportRow:
    row: int
    code: str
    name: str
    level: str
    length_km: Decimal
    village: Region | None
    regions: list[Region]
    target_class: int
    start_point: str = ""
    end_point: str = ""
    note: str = ""
    existing: River | None = None

    @property
    def action(self) -> str:
        return "update" if self.existing else "create"

    @property
    def level_label(self) -> str:
        return ChiefLevel(self.level).label

    @property
    def target_label(self) -> str:
        return WaterClass(self.target_class).label

    @property
    def region_names(self) -> str:
        return "、".join(r.name for r in self.regions)


@dataclass
class ImportResult:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if r.action == "create")

    @property
    def updated(self) -> int:
        return sum(1 for r in self.rows if r.action == "update")


class ImportFileError(ValidationError):
    """The file itself cannot be read (wrong type, no header, missing columns)."""


def _norm_header(text) -> str:
    text = str(text or "").strip().replace(" ", "").replace("（", "(").replace("）", ")")
    return text.replace("(KM)", "(km)").replace("(千米)", "(公里)")


def caps() -> spreadsheets.Caps:
    """The settings' import caps (IMPORT_MAX_*), with at most ``MAX_ROWS`` rows for a registry."""
    base = spreadsheets.Caps.from_settings(settings)
    return dataclasses.replace(base, max_rows=min(base.max_rows, MAX_ROWS))


def read_table(
    content: bytes | None, filename: str, *, path: str | os.PathLike | None = None
) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV or .xlsx file as (spreadsheet row number, {key: text}).

    Read through ``core.spreadsheets.read_rows`` (from ``path``, or from ``content`` put in a
    temporary file): a file past the caps of the settings (file size, unpacked .xlsx size,
    rows) is refused before its rows are checked, and an .xlsx's stored dimension is ignored.
    """
    name = filename.lower()
    if name.endswith(".txt"):
        name = name[:-4] + ".csv"
    if not name.endswith((".xlsx", ".csv")):
        raise ImportFileError(_("只支持 .csv 或 .xlsx 文件"))
    if path is not None:
        return _read_rows(path, name)
    with tempfile.NamedTemporaryFile(suffix=os.path.splitext(name)[1]) as tmp:
        tmp.write(content or b"")
        tmp.flush()
        return _read_rows(tmp.name, name)


def _read_rows(path, name: str) -> list[tuple[int, dict[str, str]]]:
    known = {_norm_header(h): k for k, h, _req in COLUMNS} | HEADER_ALIASES
    keys = None
    rows = []
    try:
        for line in spreadsheets.read_rows(path, name=name, caps=caps()):
            values = ["" if v is None else _cell_text(v) for v in line.cells]
            if keys is None:
                keys = [known.get(_norm_header(header)) for header in values]
                missing = [h for k, h, required in COLUMNS if required and k not in keys]
                if missing:
                    raise ImportFileError(
                        _("缺少必需的列：%(cols)s（第 1 行应为表头）")
                        % {"cols": "、".join(missing)}
                    )
                continue
            cells = {k: v.strip() for k, v in zip(keys, values, strict=False) if k}
            if any(cells.values()):
                rows.append((line.line, cells))
    except spreadsheets.SpreadsheetError as exc:
        raise ImportFileError(
            _(exc.template) % exc.params if exc.params else _(exc.template)
        ) from exc
    except UnicodeDecodeError:
        raise ImportFileError(_("无法识别文件编码，请另存为 UTF-8 的 CSV")) from None
    except ImportFileError:
        raise
    except Exception:  # openpyxl on a broken workbook: many exception types
        if name.endswith(".xlsx"):
            raise ImportFileError(_("无法读取 .xlsx 文件，请确认文件未损坏")) from None
        raise
    if keys is None:
        raise ImportFileError(_("文件是空的"))
    return rows


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _parse_class(text: str) -> int | None:
    text = text.strip().replace("类", "").replace("类水", "").upper()
    if not text:
        return WaterClass.V
    if text.isdigit() and 1 <= int(text) <= 5:
        return int(text)
    return ROMAN.get(text)


def check_rows(
    *, rows: list[tuple[int, dict[str, str]]], town: Region, update: bool
) -> ImportResult:
    """Check every row against the town's villages and the registry; nothing is written."""
    result = ImportResult()
    villages = list(Region.objects.filter(kind=Region.Kind.VILLAGE, code__startswith=town.code))
    by_name = {v.name: v for v in villages} | {v.code: v for v in villages}
    codes = [cells.get("code", "") for _n, cells in rows]
    registered = {r.code: r for r in River.objects.filter(code__in=codes).select_related("region")}
    first_seen: dict[str, int] = {}

    for number, cells in rows:
        errors = []

        def err(key, message, errors=errors, number=number):
            errors.append(RowError(number, key, message))

        code = cells.get("code", "")
        name = cells.get("name", "")
        if not code:
            err("code", _("缺少河道编码"))
        elif code in first_seen:
            err(
                "code",
                _("河道编码 %(code)s 与第 %(row)d 行重复")
                % {"code": code, "row": first_seen[code]},
            )
        else:
            first_seen[code] = number
        if not name:
            err("name", _("缺少河道名称"))
        level = LEVELS.get(cells.get("level", "").replace("河道", "").strip().lower())
        if level is None:
            err(
                "level",
                _("河道等级“%(value)s”无效，应为区级、镇级或村级")
                % {"value": cells.get("level", "")},
            )
        length = None
        try:
            length = services.clean_length(cells.get("length_km", ""))
        except ValidationError as exc:
            err("length_km", exc.message_dict["length_km"][0])
        village = None
        village_text = cells.get("village", "")
        if village_text:
            village = by_name.get(village_text)
            if village is None:
                err(
                    "village",
                    _("所属村“%(name)s”不是%(town)s的村/居委")
                    % {"name": village_text, "town": town.name},
                )
        elif level == ChiefLevel.VILLAGE:
            err("village", _("村级河道必须填写所属村"))
        crossed = []
        for part in LIST_SEPARATORS.split(cells.get("crossed", "")):
            if not part:
                continue
            found = by_name.get(part)
            if found is None:
                err(
                    "crossed",
                    _("流经村“%(name)s”不是%(town)s的村/居委") % {"name": part, "town": town.name},
                )
            elif found not in crossed:
                crossed.append(found)
        target = _parse_class(cells.get("target_class", ""))
        if target is None:
            err(
                "target_class",
                _("水质目标“%(value)s”无效，应为Ⅰ类至Ⅴ类")
                % {"value": cells.get("target_class", "")},
            )
        existing = registered.get(code)
        if existing is not None:
            if not update:
                err(
                    "code",
                    _("河道编码 %(code)s 已登记（%(name)s）；如需更新请选择“更新已登记的河道”")
                    % {"code": code, "name": existing.name},
                )
            elif not existing.region.code.startswith(town.code):
                err("code", _("河道编码 %(code)s 属于其他镇，不能更新") % {"code": code})
        if level == ChiefLevel.DISTRICT:
            err("level", _("区级河道由区河长办登记，不能在镇里导入"))

        if errors:
            result.errors += errors
            continue
        # A village-level river belongs to its village, a town-level one to the town (its
        # 所属村, if given, counts among the villages it crosses).
        owner = village if level == ChiefLevel.VILLAGE else town
        regions = [owner] + [r for r in ([village] if village else []) + crossed if r != owner]
        result.rows.append(
            ImportRow(
                row=number,
                code=code,
                name=name,
                level=level,
                length_km=length,
                village=village,
                regions=regions,
                target_class=target,
                start_point=cells.get("start_point", "")[:100],
                end_point=cells.get("end_point", "")[:100],
                note=cells.get("note", ""),
                existing=existing,
            )
        )
    if not rows:
        result.errors.append(RowError(1, "", _("文件中没有数据行")))
    return result


def import_rivers(
    *,
    content: bytes | None = None,
    path: str | os.PathLike | None = None,
    filename: str,
    town: Region,
    by: User | None,
    update: bool = False,
    commit: bool = False,
) -> ImportResult:
    """Check a registry spreadsheet and, with ``commit`` and no bad row, write all of it.

    All-or-nothing: a single bad row (unknown village, implausible length, duplicate code,
    missing name…) means no row is written. ``by`` is None only for the management command,
    which runs with the server's authority. The file is ``content`` or, from the command line,
    ``path`` (never read whole into memory).
    """
    if town.kind != Region.Kind.TOWN:
        raise ValidationError({"town": _("请选择一个镇/街道")})
    if by is not None:
        require_registry_writer(by)
        require_region_in_scope(by, town)
    result = check_rows(rows=read_table(content, filename, path=path), town=town, update=update)
    if commit and result.ok:
        _write(result, by=by or _system_user(town))
        result.committed = True
    return result


@transaction.atomic
def _write(result: ImportResult, *, by: User) -> None:
    for row in result.rows:
        fields = {
            "name": row.name,
            "level": row.level,
            "length_km": row.length_km,
            "region": row.regions[0],
            "target_class": row.target_class,
            "start_point": row.start_point,
            "end_point": row.end_point,
            "note": row.note,
        }
        try:
            if row.existing is None:
                services.create_river(by=by, code=row.code, regions=row.regions, **fields)
            else:
                services.update_river(by=by, river=row.existing, regions=row.regions, **fields)
        except (ValidationError, PermissionDenied) as exc:
            # Checked above; a row that fails here (a race with another writer) still rolls
            # the whole import back, with its row number.
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise ValidationError(
                _("第 %(row)d 行：%(message)s") % {"row": row.row, "message": "；".join(messages)}
            ) from exc


def _system_user(town: Region) -> User:
    """The command line acts as a superuser would; a transient, unsaved one is enough."""
    return User(username="import_rivers", is_superuser=True, is_active=True, region=town)


def template_rows() -> tuple[list[str], list[list[str]]]:
    return [h for _k, h, _r in COLUMNS], SAMPLE_ROWS


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(gettext_lazy("河道名录"))
    headers, rows = template_rows()
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for column, width in zip("ABCDEFGHIJ", [12, 14, 10, 12, 12, 24, 10, 14, 14, 20], strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    headers, rows = template_rows()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")
