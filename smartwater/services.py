"""Writes for the monitoring-site register: one site at a time, or a whole Excel list.

The import is all-or-nothing: every row is checked first, and one bad row writes nothing; the
error names the row as the spreadsheet numbers it (the header is row 1).
"""

import io
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core import xlsx
from core.models import Region, User
from core.scoping import can_manage_registry, scope_code
from core.spreadsheets import Caps, SpreadsheetError, read_rows
from rivers.models import River, SluiceGate
from smartwater.models import Parameter, Site

# (key, header). The export writes these headers; the import reads them (same order or not).
COLUMNS = [
    ("code", "站点编码"),
    ("name", "站点名称"),
    ("river", "河道编码"),
    ("gate", "水闸编码"),
    ("status", "状态"),
    ("latitude", "纬度"),
    ("longitude", "经度"),
    ("parameters", "监测参数"),
    ("notes", "备注"),
]
STATUS_BY_LABEL = {str(label): value for value, label in Site.Status.choices} | {
    value: value for value in Site.Status.values
}


def _require_office_for(user: User, town: Region) -> None:
    if not can_manage_registry(user):
        raise PermissionDenied(_("只有河长办工作人员可以登记监测点"))
    code = scope_code(user)
    if code is None or not town.code.startswith(code):
        raise PermissionDenied(_("%(region)s不在您的管辖范围内") % {"region": town.name})


def _town_of(region: Region) -> Region | None:
    return Region.objects.filter(code=region.code[:9], kind=Region.Kind.TOWN).first()


def _parameters(values) -> list[str]:
    labels = {str(label): value for value, label in Parameter.choices}
    out = []
    for raw in values:
        raw = str(raw).strip()
        if not raw:
            continue
        value = raw if raw in Parameter.values else labels.get(raw)
        if value is None:
            raise ValidationError({"parameters": _("未知的监测参数：%(p)s") % {"p": raw}})
        if value not in out:
            out.append(value)
    return out


def _coordinate(value, field: str, low: int, high: int) -> Decimal:
    try:
        number = Decimal(str(value).strip()).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("请填写数字")}) from None
    if not low <= number <= high:
        raise ValidationError(
            {field: _("应在 %(low)s 到 %(high)s 之间") % {"low": low, "high": high}}
        )
    return number


def _clean(
    *,
    by: User,
    code: str,
    name: str,
    river: River | None,
    gate: SluiceGate | None,
    status: str,
    latitude,
    longitude,
    parameters,
    notes: str,
) -> dict:
    errors: dict[str, list] = {}

    def check(fn):
        try:
            return fn()
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
            return None

    if not code.strip():
        errors.setdefault("code", []).append(_("请填写站点编码"))
    if not name.strip():
        errors.setdefault("name", []).append(_("请填写站点名称"))
    if (river is None) == (gate is None):
        errors.setdefault("river", []).append(_("监测点须在一条河道或一座水闸上（二选一）"))
    if status not in Site.Status.values:
        errors.setdefault("status", []).append(_("状态无效"))
    lat = check(lambda: _coordinate(latitude, "latitude", -90, 90))
    lon = check(lambda: _coordinate(longitude, "longitude", -180, 180))
    params = check(lambda: _parameters(parameters))
    town = None
    where = river.region if river else gate.region if gate else None
    if where is not None:
        town = _town_of(where)
        if town is None:
            errors.setdefault("river", []).append(_("找不到所在镇"))
    if errors:
        raise ValidationError(errors)
    _require_office_for(by, town)
    return {
        "code": code.strip(),
        "name": name.strip(),
        "town": town,
        "river": river,
        "gate": gate,
        "status": status,
        "latitude": lat,
        "longitude": lon,
        "parameters": params,
        "notes": notes.strip(),
    }


@transaction.atomic
def register_site(*, by: User, **fields) -> Site:
    data = _clean(by=by, **fields)
    if Site.objects.filter(code=data["code"]).exists():
        raise ValidationError({"code": _("站点编码已存在")})
    site = Site(**data, created_at=timezone.now(), updated_at=timezone.now())
    site._history_user = by
    site.save()
    return site


@transaction.atomic
def update_site(*, site: Site, by: User, **fields) -> Site:
    _require_office_for(by, site.town)
    current = {
        "code": site.code,
        "name": site.name,
        "river": site.river,
        "gate": site.gate,
        "status": site.status,
        "latitude": site.latitude,
        "longitude": site.longitude,
        "parameters": site.parameters,
        "notes": site.notes,
    }
    data = _clean(by=by, **(current | fields))
    if Site.objects.filter(code=data["code"]).exclude(pk=site.pk).exists():
        raise ValidationError({"code": _("站点编码已存在")})
    for key, value in data.items():
        setattr(site, key, value)
    site.updated_at = timezone.now()
    site._history_user = by
    site.save()
    return site


@transaction.atomic
def remove_site(*, site: Site, by: User) -> None:
    _require_office_for(by, site.town)
    site._history_user = by
    site.delete()


# --- Excel ------------------------------------------------------------------------------------


def export_sites(*, sites) -> bytes:
    """The register as .xlsx, with the same headers the import reads."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("监测点")
    ws.append([header for _key, header in COLUMNS])
    for s in sites:
        row = [
            s.code,
            s.name,
            s.river.code if s.river else "",
            s.gate.code if s.gate else "",
            str(s.get_status_display()),
            float(s.latitude),
            float(s.longitude),
            "、".join(s.parameter_labels),
            s.notes,
        ]
        xlsx.append(ws, row)
        # Text that a spreadsheet would run as a formula (=, +, -, @) stays a text cell.
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@"):
                cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _rows(upload) -> list[tuple[int, dict]]:
    """(line, {key: value}) for every data row, read through core.spreadsheets (its caps on
    file size, unpacked size and rows); .xlsx or .csv with the export's headers."""
    name = getattr(upload, "name", "") or "sites.xlsx"
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ValidationError({"file": _("请上传 .xlsx 或 .csv 格式的表格")})
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
            tmp.write(chunk)
        tmp.flush()
        try:
            lines = list(read_rows(tmp.name, name=name, caps=Caps.from_settings(settings)))
        except SpreadsheetError as exc:
            raise ValidationError({"file": _(exc.template) % exc.params}) from None
        except Exception:
            raise ValidationError({"file": _("无法读取该文件，请上传 .xlsx 格式的表格")}) from None
    if not lines:
        raise ValidationError({"file": _("表格是空的")})
    by_header = {h: k for k, h in COLUMNS}
    keys = [by_header.get(str(h or "").strip()) for h in lines[0].cells]
    required = ("code", "name", "status", "latitude", "longitude")
    missing = [h for k, h in COLUMNS if k in required and k not in keys]
    if missing:
        raise ValidationError({"file": _("缺少列：%(cols)s") % {"cols": "、".join(missing)}})
    return [
        (
            row.line,
            {k: ("" if v is None else v) for k, v in zip(keys, row.cells, strict=False) if k},
        )
        for row in lines[1:]
    ]


@transaction.atomic
def import_sites(*, upload, by: User) -> ImportResult:
    """Create or update sites by code from an .xlsx; one bad row and nothing is written."""
    if not can_manage_registry(by):
        raise PermissionDenied(_("只有河长办工作人员可以导入监测点"))
    rows = _rows(upload)
    rivers = {r.code: r for r in River.objects.visible_to(by).select_related("region")}
    gates = {g.code: g for g in SluiceGate.objects.visible_to(by).select_related("region")}
    existing = {s.code: s for s in Site.objects.select_related("town", "river", "gate")}
    result = ImportResult()
    seen: set[str] = set()
    for n, row in rows:
        code = str(row.get("code", "")).strip()
        river_code = str(row.get("river", "")).strip()
        gate_code = str(row.get("gate", "")).strip()
        problems = []
        if code in seen:
            problems.append(_("站点编码在表中重复"))
        seen.add(code)
        river = rivers.get(river_code) if river_code else None
        gate = gates.get(gate_code) if gate_code else None
        if river_code and river is None:
            problems.append(_("河道编码 %(c)s 不存在或不在您的管辖范围内") % {"c": river_code})
        if gate_code and gate is None:
            problems.append(_("水闸编码 %(c)s 不存在或不在您的管辖范围内") % {"c": gate_code})
        status_label = str(row.get("status", "")).strip()
        fields = {
            "code": code,
            "name": str(row.get("name", "")),
            "river": river,
            "gate": gate,
            "status": STATUS_BY_LABEL.get(status_label, status_label),
            "latitude": row.get("latitude", ""),
            "longitude": row.get("longitude", ""),
            "parameters": str(row.get("parameters", ""))
            .replace(",", "、")
            .replace("，", "、")
            .split("、"),
            "notes": str(row.get("notes", "")),
        }
        if not problems:
            try:
                site = existing.get(code)
                if site is not None and site.town.code.startswith(scope_code(by) or "\0"):
                    update_site(site=site, by=by, **fields)
                    result.updated += 1
                elif site is not None:
                    problems.append(_("站点编码已被其他镇使用"))
                else:
                    register_site(by=by, **fields)
                    result.created += 1
            except ValidationError as exc:
                problems += [f"{k}: {'；'.join(v)}" for k, v in exc.message_dict.items()]
            except PermissionDenied as exc:
                problems.append(str(exc))
        for p in problems:
            result.errors.append(_("第 %(n)s 行：%(p)s") % {"n": n, "p": p})
    if result.errors:
        transaction.set_rollback(True)
        result.created = result.updated = 0
    return result
