import re

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.models import Region
from core.rows import RowsListSerializer, RowsMixin, decimal_text, moment_writer
from monitoring import standards
from monitoring.labfile import SampleRow, parse_number
from monitoring.models import (
    STAMP_FIELDS,
    VALUE_FIELDS,
    MonitoringPoint,
    Sample,
    assessment_basis,
    river_rules,
    stamp_of,
)
from rivers.models import River, SluiceGate

MAX_BULK = 10_000


class PointSerializer(RowsMixin, serializers.ModelSerializer):
    river_code = serializers.CharField(source="river.code", default=None, read_only=True)
    river_name = serializers.CharField(source="river.name", default=None, read_only=True)
    sluice_gate_code = serializers.CharField(
        source="sluice_gate.code", default=None, read_only=True
    )
    region_code = serializers.CharField(source="region.code", read_only=True)

    # A list's columns (core.rows), with those it may be ordered by.
    ROW = (
        "pk",
        "code",
        "name",
        "river_id",
        "river__code",
        "river__name",
        "sluice_gate__code",
        "region__code",
        "position",
        "latitude",
        "longitude",
        "responsible",
        "is_active",
    )

    class Meta:
        model = MonitoringPoint
        fields = [
            "id",
            "code",
            "name",
            "river",
            "river_code",
            "river_name",
            "sluice_gate_code",
            "region_code",
            "position",
            "latitude",
            "longitude",
            "responsible",
            "is_active",
        ]

    def row(self, r) -> dict:
        return {
            "id": r.pk,
            "code": r.code,
            "name": r.name,
            "river": r.river_id,
            "river_code": r.river__code,
            "river_name": r.river__name,
            "sluice_gate_code": r.sluice_gate__code,
            "region_code": r.region__code,
            "position": r.position,
            "latitude": _DEGREES(r.latitude),
            "longitude": _DEGREES(r.longitude),
            "responsible": r.responsible,
            "is_active": r.is_active,
        }


_DEGREES = decimal_text(9, 6)


class PointWriteSerializer(serializers.ModelSerializer):
    """Create or change a point; rivers, gates and regions are named by their codes.

    Whether the caller may write there is the service's decision (403), not a lookup's.
    """

    river_code = serializers.SlugRelatedField(
        source="river",
        slug_field="code",
        queryset=River.objects.all(),
        required=False,
        allow_null=True,
    )
    sluice_gate_code = serializers.SlugRelatedField(
        source="sluice_gate",
        slug_field="code",
        queryset=SluiceGate.objects.all(),
        required=False,
        allow_null=True,
    )
    region_code = serializers.SlugRelatedField(
        source="region",
        slug_field="code",
        queryset=Region.objects.all(),
        required=False,
        help_text="defaults to the river's (or the sluice gate's) region",
    )

    class Meta:
        model = MonitoringPoint
        fields = [
            "code",
            "name",
            "river_code",
            "sluice_gate_code",
            "region_code",
            "position",
            "latitude",
            "longitude",
            "responsible",
            "is_active",
            "note",
        ]
        # The model's unique check runs in the service's full_clean (one message, every door).
        extra_kwargs = {"code": {"validators": []}}


def item_json(item: standards.ItemResult) -> dict:
    return {
        "parameter": item.code,
        "name": item.name,
        "value": item.value,
        "water_class": item.water_class,
        "exceedance_multiple": item.multiple,
        "do_shortfall": item.shortfall,
    }


# What a list row reads (``SampleSerializer.ROW``, core.rows), in the order
# ``sample_row_json`` takes it.
SAMPLE_ROW_FIELDS = (
    "pk",
    "client_key",
    "point__code",
    "sampled_at",
    "sampler",
    "lab",
    "sampling_depth_m",
    "water_depth_cm",
    "source",
    "updated_at",  # not shown: the cursor of ?modified_since= reads it
    "point__river__water_type",
    "point__river__target_class",
    *STAMP_FIELDS,
    *VALUE_FIELDS,
)
_FIRST_VALUE = len(SAMPLE_ROW_FIELDS) - len(VALUE_FIELDS)


class SampleSerializer(RowsMixin, serializers.ModelSerializer):
    """A sample with its values (canonical units), class and black-odour level."""

    point = serializers.CharField(source="point.code")
    values = serializers.SerializerMethodField()
    assessment = serializers.SerializerMethodField()
    black_odour = serializers.SerializerMethodField()
    review_flags = serializers.SerializerMethodField(
        help_text="values accepted but worth a second look, e.g. do_supersaturated"
    )

    ROW = SAMPLE_ROW_FIELDS

    class Meta:
        model = Sample
        list_serializer_class = RowsListSerializer
        fields = [
            "id",
            "client_key",
            "point",
            "sampled_at",
            "sampler",
            "lab",
            "sampling_depth_m",
            "water_depth_cm",
            "source",
            "values",
            "assessment",
            "black_odour",
            "review_flags",
        ]

    def _judged(self, obj) -> dict:
        # The three computed fields from one assessment (the stored one when it holds).
        if getattr(obj, "_judged", None) is None:
            water_type, target = river_rules(obj.point.river)
            obj._judged = judged(
                obj.values(),
                water_depth_cm=obj.water_depth_cm,
                water_type=water_type,
                target_class=target,
                stamp=tuple(getattr(obj, name) for name in STAMP_FIELDS),
            )
        return obj._judged

    def get_values(self, obj) -> dict:
        return obj.values()

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "water_class": {"type": "integer", "nullable": True},
                "label": {"type": "string"},
                "target_class": {"type": "integer", "nullable": True},
                "meets_target": {"type": "boolean", "nullable": True},
                "assessed": {"type": "array", "items": {"type": "string"}},
                "deciding": {"type": "array", "items": {"type": "object"}},
                "exceedances": {"type": "array", "items": {"type": "object"}},
                "do_rule": {"type": "string"},
            },
        }
    )
    def get_assessment(self, obj) -> dict:
        return self._judged(obj)["assessment"]

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            },
        }
    )
    def get_review_flags(self, obj) -> list:
        return self._judged(obj)["review_flags"]

    def get_black_odour(self, obj) -> str | None:
        return self._judged(obj)["black_odour"]

    def row(self, r) -> dict:
        return sample_row_json(r)

    def page(self, rows: list) -> list[dict]:
        return sample_rows_json(rows)

    def to_representation(self, s):
        if isinstance(s, tuple):
            return self.row(s)  # a list's plain row (core.rows)
        # One sample (a detail, a write's answer): DRF's own path.
        return super().to_representation(s)


# --- the sample list's rows, read without model instances ---------------------------------


# Per language: the parameters' names and the class labels, each looked up once (a lookup of
# the request's language costs more than a row's dict).
_words: dict[str, dict] = {}

# The enums' API words by stored value (the same in every language).
_QUALITY_WORD = {q.value: q.name.lower() for q in standards.Quality}
_ODOUR_WORD = {o.value: o.name.lower() for o in standards.Odour}


def _words_now() -> dict:
    language = get_language() or ""
    words = _words.get(language)
    if words is None:
        words = _words[language] = {}
    return words


def _name(code: str, words: dict) -> str:
    name = words.get(code)
    if name is None:
        name = words[code] = standards.PARAMETERS[code].label
    return name


def _label(water_class: int | None, words: dict) -> str:
    label = words.get(water_class)
    if label is None:
        label = words[water_class] = standards.class_label(water_class)
    return label


def _stored_item(item: list, words: dict | None = None) -> dict:
    code, value, water_class, multiple, shortfall = item
    return {
        "parameter": code,
        "name": _name(code, _words_now() if words is None else words),
        "value": value,
        "water_class": water_class,
        "exceedance_multiple": multiple,
        "do_shortfall": shortfall,
    }


def judged(
    values: dict,
    *,
    water_depth_cm: float | None,
    water_type: str,
    target_class: int | None,
    stamp: tuple,
    page: "_Page | None" = None,
) -> dict:
    """A sample's ``assessment``, ``black_odour`` and ``review_flags`` as the API gives them:
    from its stored stamp (``Sample.stamp``) when that was computed under the rules in force
    for its river, computed from the values otherwise. ``page``: what the rows of one list
    page share (the language's words, the rules in force), looked up once for the page."""
    if page is None:
        page = _Page()
    water_class, odour, detail, assessed_as = stamp
    if detail is None or assessed_as != page.basis(water_type, target_class):
        water_class, odour, detail, _basis = (
            stamp_of(
                values,
                water_depth_cm=water_depth_cm,
                water_type=water_type,
                target_class=target_class,
            )[name]
            for name in STAMP_FIELDS
        )
    meets = None
    if water_class is not None and target_class is not None:
        meets = water_class <= target_class
    words = page.words
    return {
        "assessment": {
            "water_class": water_class,
            "label": _label(water_class, words),
            "target_class": target_class,
            "meets_target": meets,
            "assessed": standards.assessed_codes(values, water_type=water_type),
            "deciding": [_stored_item(i, words) for i in detail["d"]],
            "exceedances": [_stored_item(i, words) for i in detail["e"]],
            "do_rule": page.do_rule,
        },
        "black_odour": None if odour is None else _ODOUR_WORD[odour],
        "review_flags": [
            {"code": f, "message": standards.flag_text(f, values)} for f in detail.get("f", ())
        ],
    }


class _Page:
    """What the sample rows of a page share, looked up once: the language's words, the time
    zone, the DO rule in force and the assessment basis of each (water type, target)."""

    __slots__ = ("_bases", "do_rule", "moment", "words")

    def __init__(self):
        self.words = _words_now()
        self.moment = moment_writer()
        self.do_rule = standards.do_rule()
        self._bases: dict[tuple, str] = {}

    def basis(self, water_type: str, target_class: int | None) -> str:
        key = (water_type, target_class)
        found = self._bases.get(key)
        if found is None:
            found = self._bases[key] = assessment_basis(water_type, target_class)
        return found


def sample_row_json(row, page: _Page | None = None) -> dict:
    """A row of ``SampleSerializer.ROW`` as ``SampleSerializer`` gives the sample."""
    if page is None:
        page = _Page()
    (
        pk,
        client_key,
        point_code,
        sampled_at,
        sampler,
        lab,
        depth_m,
        depth_cm,
        source,
        _updated_at,
        water_type,
        target,
        *stamp,
    ) = row[:_FIRST_VALUE]
    values = {
        code: value
        for code, value in zip(VALUE_FIELDS, row[_FIRST_VALUE:], strict=True)
        if value is not None
    }
    water_type, target = (water_type, target) if water_type else river_rules(None)
    return {
        "id": pk,
        "client_key": client_key,
        "point": point_code,
        "sampled_at": page.moment(sampled_at),
        "sampler": sampler,
        "lab": lab,
        "sampling_depth_m": None if depth_m is None else float(depth_m),
        "water_depth_cm": None if depth_cm is None else float(depth_cm),
        "source": source,
        "values": values,
        **judged(
            values,
            water_depth_cm=depth_cm,
            water_type=water_type,
            target_class=target,
            stamp=tuple(stamp),
            page=page,
        ),
    }


def sample_rows_json(rows) -> list[dict]:
    """A page of :func:`sample_row_json` rows, what they share looked up once."""
    page = _Page()
    return [sample_row_json(r, page) for r in rows]


@extend_schema_field(
    {
        "oneOf": [{"type": "number"}, {"type": "string", "example": "<0.01"}],
        "nullable": True,
        "description": 'a number, or "<DL" below the detection limit (counted as DL / 2), '
        "as in the lab sheets",
    }
)
class MeasuredValueField(serializers.Field):
    """A measured value as both doors accept it: the lab import's ``labfile.parse_number``.

    Numbers, numbers as text, "<0.01" (half the detection limit) and blanks (not measured);
    "ND" without a limit and anything else are refused with the import's message.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, list | dict):
            raise serializers.ValidationError(_("不是数值"))
        value, problem = parse_number(data)
        if problem:
            raise serializers.ValidationError(problem)
        return value

    def to_representation(self, value):
        return value


class SampleInSerializer(serializers.Serializer):
    client_key = serializers.CharField(
        max_length=64, required=False, allow_null=True, allow_blank=True
    )
    point = serializers.CharField(max_length=30, help_text="monitoring point code")
    sampled_at = serializers.DateTimeField()
    sampler = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    lab = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    sampling_depth_m = serializers.FloatField(required=False, allow_null=True)
    water_depth_cm = serializers.FloatField(required=False, allow_null=True)
    values = serializers.DictField(
        child=MeasuredValueField(),
        help_text="parameter code -> value in the canonical unit (see /monitoring/parameters/); "
        '"<0.01" means below the detection limit 0.01 and counts as 0.005, as in lab sheets',
    )

    def validate_values(self, values):
        unknown = sorted(set(values) - set(standards.PARAMETERS))
        if unknown:
            raise serializers.ValidationError(
                _("未知的监测项目：%(codes)s") % {"codes": ", ".join(unknown)}
            )
        return {k: v for k, v in values.items() if v is not None}


def flat_errors(errors) -> dict[str, list[str]]:
    """DRF's nested errors as the project's one shape: ``{"samples[3].ph": [messages]}``.

    A value's errors are keyed by the parameter code alone (``samples[3].ph``, not
    ``samples[3].values.ph``), as the service's checks name them.
    """
    flat: dict[str, list[str]] = {}

    def walk(node, name: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, int):  # DRF keys list items by index in a dict too
                    walk(value, f"{name}[{key}]")
                else:
                    walk(value, f"{name}.{key}" if name else str(key))
        elif isinstance(node, list) and any(isinstance(e, dict | list) for e in node):
            for index, value in enumerate(node):
                if value:
                    walk(value, f"{name}[{index}]")
        else:
            messages = node if isinstance(node, list) else [node]
            key = VALUE_KEY.sub(r"].\1", name) or "non_field_errors"
            flat.setdefault(key, []).extend(str(m) for m in messages)

    walk(errors, "")
    return flat


VALUE_KEY = re.compile(r"\]\.values\.(\w+)$")


class BulkSamplesInSerializer(serializers.Serializer):
    samples = SampleInSerializer(many=True, allow_empty=False, max_length=MAX_BULK)

    def rows(self) -> list[SampleRow]:
        return [
            SampleRow(
                row=i,
                point=item["point"],
                sampled_at=timezone.localtime(item["sampled_at"]),
                sampler=item.get("sampler", ""),
                lab=item.get("lab", ""),
                sampling_depth_m=item.get("sampling_depth_m"),
                water_depth_cm=item.get("water_depth_cm"),
                client_key=item.get("client_key") or None,
                values=item["values"],
            )
            for i, item in enumerate(self.validated_data["samples"])
        ]


class FlaggedSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="position of the sample in the request")
    flags = serializers.ListField(child=serializers.CharField())


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    existing = serializers.IntegerField()
    ids = serializers.ListField(child=serializers.IntegerField())
    flagged = FlaggedSerializer(
        many=True, help_text="samples saved but flagged for review (e.g. do_supersaturated)"
    )


class ErrorSerializer(serializers.Serializer):
    """The project's one error shape (core.exceptions)."""

    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='field -> messages, e.g. "samples[3].ph" or "samples[0].client_key"',
    )


class ParameterSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    sense = serializers.CharField(allow_null=True)
    limits = serializers.ListField(child=serializers.FloatField(), allow_null=True)
    lake_limits = serializers.ListField(child=serializers.FloatField(), allow_null=True)
    assessed = serializers.BooleanField()


def status_json(row) -> dict:
    s = row.status
    return {
        "river": row.river.id,
        "code": row.river.code,
        "name": row.river.name,
        "water_type": row.river.water_type,
        "villages": [v.code for v in row.villages],
        "water_class": s.water_class,
        "label": s.class_label if s.water_class else None,
        "quality": None if s.quality is None else s.quality.name.lower(),
        "target_class": s.target_class,
        "meets_target": s.meets_target,
        "black_odour": None if s.black_odour is None else s.black_odour.name.lower(),
        "deciding": [item_json(i) for i in s.deciding],
        "trend": s.trend,
        "previous_class": s.previous_class,
        "method": s.method,
        "points": s.point_count,
        "samples": s.sample_count,
    }


def status_row_json(r, villages: list[str], words: dict | None = None) -> dict:
    """A row of ``selectors.stored_status_values`` as ``status_json`` gives the river."""
    if words is None:
        words = _words_now()
    cls, quality, odour = r.water_class, r.quality, r.black_odour
    return {
        "river": r.river_id,
        "code": r.river_code,
        "name": r.river__name,
        "water_type": r.river__water_type,
        "villages": villages,
        "water_class": cls,
        "label": _label(cls, words) if cls else None,
        "quality": None if quality is None else _QUALITY_WORD[quality],
        "target_class": r.target_class,
        "meets_target": r.meets_target,
        "black_odour": None if odour is None else _ODOUR_WORD[odour],
        "deciding": [_stored_item(i, words) for i in r.detail__deciding],
        "trend": r.trend,
        "previous_class": r.previous_class,
        "method": r.method,
        "points": r.point_count,
        "samples": r.sample_count,
    }


def status_rows_json(rows, villages: dict[int, list[str]]) -> list[dict]:
    """A page of :func:`status_row_json` rows, the request's language looked up once."""
    words = _words_now()
    return [status_row_json(r, villages.get(r.river_id, []), words) for r in rows]


class ItemSerializer(serializers.Serializer):
    parameter = serializers.CharField()
    name = serializers.CharField()
    value = serializers.FloatField()
    water_class = serializers.IntegerField()
    exceedance_multiple = serializers.FloatField(allow_null=True)
    do_shortfall = serializers.FloatField(allow_null=True)


class RiverStatusSerializer(serializers.Serializer):
    """Documents ``status_json``: one river's status for the period."""

    river = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    water_type = serializers.CharField()
    villages = serializers.ListField(child=serializers.CharField())
    water_class = serializers.IntegerField(allow_null=True, help_text="1..5, 6 = worse than V")
    label = serializers.CharField(allow_null=True)
    quality = serializers.CharField(allow_null=True)
    target_class = serializers.IntegerField()
    meets_target = serializers.BooleanField(allow_null=True)
    black_odour = serializers.ChoiceField(["none", "light", "severe"], allow_null=True)
    deciding = ItemSerializer(many=True)
    trend = serializers.ChoiceField(["better", "worse", "same"], allow_null=True)
    previous_class = serializers.IntegerField(allow_null=True)
    method = serializers.ChoiceField(["single", "mean", "share"], allow_null=True)
    points = serializers.IntegerField()
    samples = serializers.IntegerField()


class RiverStatusListSerializer(serializers.Serializer):
    """A page of the period's river statuses (the pagination of every API list)."""

    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    count = serializers.IntegerField(allow_null=True)
    count_exact = serializers.BooleanField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = RiverStatusSerializer(many=True)
