from datetime import date

from django.db import router
from rest_framework import serializers

from core.models import Region, User
from core.rows import (
    RowsListSerializer,
    RowsMixin,
    by_id_select,
    display_name,
    moment_writer,
    read_by_ids,
)
from directives.models import (
    Directive,
    Event,
    InspectionRound,
    Severity,
    Source,
    WorkOrder,
    WorkOrderReply,
    local_day,
)
from rivers.models import Chief, Reach, River

# DRF's own fields for the hand-written list rows, built once (``self.fields`` builds all of
# a ModelSerializer's fields, a fifth of a list page's time).
_DAY = serializers.DateField()
_DEGREES = serializers.DecimalField(max_digits=9, decimal_places=6)


# --- the order list's rows, read without model instances -----------------------------------

# What a list row reads (``DirectiveSerializer.ROW``, core.rows); ``status`` and ``deadline``
# keep those names, so the model's own rule (``Directive.is_overdue``) reads the row. The
# river's, village's, chief's and issuer's names are read for the page by id
# (:func:`directive_names`), not joined: the four joins cost PostgreSQL 3 ms of planning a
# request for a query that runs in 0.5 ms.
DIRECTIVE_ROW_FIELDS = (
    "pk",
    "number",
    "year",
    "serial",
    "title",
    "description",
    "requirement",
    "river_id",
    "reach_id",
    "location",
    "latitude",
    "longitude",
    "source",
    "source_ref",
    "severity",
    "target_village_id",
    "target_chief_id",
    "issued_by_id",
    "issued_on",
    "original_deadline",
    "deadline",
    "status",
    "accepted_at",
    "rectified_at",
    "closed_at",
    "extensions_granted",
    "finding_id",
    "work_order_id",
    "modified_at",
)


_RIVER_NAME = by_id_select(River, "name")
_VILLAGE_NAME = by_id_select(Region, "name")
_CHIEF_NAME = by_id_select(Chief, user_of="user")
_USER_NAME = by_id_select(User, "last_name", "first_name", "username")


def directive_names(rows) -> dict[str, dict]:
    """The names a page of ``DirectiveSerializer.ROW`` rows shows, by id, in one query."""
    return read_by_ids(
        router.db_for_read(Directive),
        river=(_RIVER_NAME, [r.river_id for r in rows]),
        village=(_VILLAGE_NAME, [r.target_village_id for r in rows]),
        chief=(_CHIEF_NAME, [r.target_chief_id for r in rows]),
        user=(_USER_NAME, [r.issued_by_id for r in rows]),
    )


def directive_row_json(r, moment=None, today: date | None = None, names=None) -> dict:
    """A row of ``DirectiveSerializer.ROW`` as ``DirectiveSerializer`` gives the order.

    ``moment`` (``core.rows.moment_writer()``), ``today`` (the local day) and ``names``
    (:func:`directive_names`), when a page's rows share them: looked up once for the page
    (:func:`directive_rows_json`)."""
    if moment is None:
        moment = moment_writer()
    if today is None:
        today = local_day()
    if names is None:
        names = directive_names([r])
    day, place = _DAY.to_representation, _DEGREES.to_representation
    chief = r.target_chief_id
    village = r.target_village_id
    return {
        "id": r.pk,
        "number": r.number,
        "year": r.year,
        "serial": r.serial,
        "title": r.title,
        "description": r.description,
        "requirement": r.requirement,
        "river": r.river_id,
        "river_name": names["river"][r.river_id][0],
        "reach": r.reach_id,
        "location": r.location,
        "latitude": None if r.latitude is None else place(r.latitude),
        "longitude": None if r.longitude is None else place(r.longitude),
        "source": r.source,
        "source_ref": r.source_ref,
        "severity": r.severity,
        "target_village": village,
        "target_village_name": None if village is None else names["village"][village][0],
        "target_chief": chief,
        "target_chief_name": None if chief is None else display_name(*names["chief"][chief]),
        "issued_by_name": display_name(*names["user"][r.issued_by_id]),
        "issued_on": day(r.issued_on),
        "original_deadline": day(r.original_deadline),
        "deadline": day(r.deadline),
        "status": r.status,
        "overdue": Directive.is_overdue(r, today),
        "accepted_at": None if r.accepted_at is None else moment(r.accepted_at),
        "rectified_at": None if r.rectified_at is None else moment(r.rectified_at),
        "closed_at": None if r.closed_at is None else moment(r.closed_at),
        "extensions_granted": r.extensions_granted,
        "finding": r.finding_id,
        "work_order": r.work_order_id,
        "modified_at": moment(r.modified_at),
    }


def directive_rows_json(rows) -> list[dict]:
    """A page of :func:`directive_row_json` rows: the time zone, today and the names looked
    up once."""
    moment, today, names = moment_writer(), local_day(), directive_names(rows)
    return [directive_row_json(r, moment, today, names) for r in rows]


class DirectiveSerializer(RowsMixin, serializers.ModelSerializer):
    river_name = serializers.CharField(source="river.name", read_only=True)
    target_village_name = serializers.CharField(
        source="target_village.name", read_only=True, default=None
    )
    target_chief_name = serializers.CharField(
        source="target_chief.user.display_name", read_only=True, default=None
    )
    issued_by_name = serializers.CharField(source="issued_by.display_name", read_only=True)
    overdue = serializers.SerializerMethodField()

    ROW = DIRECTIVE_ROW_FIELDS

    class Meta:
        model = Directive
        list_serializer_class = RowsListSerializer
        fields = [
            "id",
            "number",
            "year",
            "serial",
            "title",
            "description",
            "requirement",
            "river",
            "river_name",
            "reach",
            "location",
            "latitude",
            "longitude",
            "source",
            "source_ref",
            "severity",
            "target_village",
            "target_village_name",
            "target_chief",
            "target_chief_name",
            "issued_by_name",
            "issued_on",
            "original_deadline",
            "deadline",
            "status",
            "overdue",
            "accepted_at",
            "rectified_at",
            "closed_at",
            "extensions_granted",
            "finding",
            "work_order",
            "modified_at",
        ]
        read_only_fields = fields

    def get_overdue(self, obj: Directive) -> bool:
        return obj.is_overdue()

    def row(self, r) -> dict:
        return directive_row_json(r)

    def page(self, rows: list) -> list[dict]:
        return directive_rows_json(rows)

    def to_representation(self, d):
        if isinstance(d, tuple):
            return self.row(d)  # a list's plain row (core.rows)
        # One order (a detail, a write's answer): DRF's own path.
        return super().to_representation(d)


class DirectiveCreateSerializer(serializers.Serializer):
    """Input of ``issue_directive``; the service checks the town, the target and the dates."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    requirement = serializers.CharField(required=False, allow_blank=True, default="")
    river = serializers.PrimaryKeyRelatedField(queryset=River.objects.all())
    reach = serializers.PrimaryKeyRelatedField(
        queryset=Reach.objects.all(), required=False, allow_null=True, default=None
    )
    location = serializers.CharField(required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, default=None
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, default=None
    )
    source = serializers.ChoiceField(choices=Source.choices)
    source_ref = serializers.CharField(required=False, allow_blank=True, default="")
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.NORMAL)
    target_village = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.filter(kind=Region.Kind.VILLAGE),
        required=False,
        allow_null=True,
        default=None,
    )
    target_chief = serializers.PrimaryKeyRelatedField(
        queryset=Chief.objects.all(), required=False, allow_null=True, default=None
    )
    issued_on = serializers.DateField(required=False, allow_null=True, default=None)
    deadline = serializers.DateField()
    work_order = serializers.PrimaryKeyRelatedField(
        queryset=WorkOrder.objects.all(), required=False, allow_null=True, default=None
    )
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, write_only=True
    )


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.display_name", default=None, read_only=True)

    class Meta:
        model = Event
        fields = ["id", "kind", "actor", "at", "from_status", "to_status", "note"]
        read_only_fields = fields


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RectificationInputSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="")
    before_photos = serializers.ListField(
        child=serializers.FileField(), required=False, default=list
    )
    after_photos = serializers.ListField(
        child=serializers.FileField(), required=False, default=list
    )


class ExtensionInputSerializer(serializers.Serializer):
    requested_deadline = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ExtensionDecisionSerializer(serializers.Serializer):
    grant = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class WorkOrderReplySerializer(serializers.ModelSerializer):
    replied_by = serializers.CharField(source="replied_by.display_name", read_only=True)

    class Meta:
        model = WorkOrderReply
        fields = ["id", "text", "replied_by", "replied_at"]
        read_only_fields = ["id", "replied_by", "replied_at"]


class WorkOrderSerializer(serializers.ModelSerializer):
    replies = WorkOrderReplySerializer(many=True, read_only=True)

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "inspection_round",
            "number",
            "river",
            "content",
            "issued_on",
            "reply_deadline",
            "status",
            "answered_at",
            "replies",
            "modified_at",
        ]
        read_only_fields = ["id", "status", "answered_at", "replies", "modified_at"]
        # uniqueness is checked by the service, with a field message
        validators = []


class InspectionRoundSerializer(serializers.ModelSerializer):
    work_orders = serializers.IntegerField(source="n_orders", read_only=True)
    answered = serializers.IntegerField(source="n_answered", read_only=True)

    class Meta:
        model = InspectionRound
        fields = [
            "id",
            "town",
            "name",
            "group",
            "topic",
            "start_date",
            "end_date",
            "rivers",
            "conclusion",
            "work_orders",
            "answered",
            "modified_at",
        ]
        read_only_fields = ["id", "work_orders", "answered", "modified_at"]
        validators = []
