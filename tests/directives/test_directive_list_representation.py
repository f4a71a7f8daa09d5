"""The order list's hand-written row is exactly what DRF's field-by-field path gives."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from core.rows import rows as core_rows
from directives import selectors
from directives.models import Directive
from directives.serializers import DirectiveSerializer, directive_row_json


class FieldByField(DirectiveSerializer):
    """The same declared fields, serialised by DRF's generic machinery."""


@pytest.mark.django_db
def test_the_lean_order_row_equals_drfs_representation(make_order, chief, town_staff):
    placed = make_order(title="有坐标", location="桥下")
    make_order(title="交给河长", target_village=None, target_chief=chief)
    overdue = make_order(title="逾期", deadline=date(2026, 3, 2))
    Directive.objects.filter(pk=placed.pk).update(
        latitude=Decimal("30.9"),
        longitude=Decimal("121.170001"),
        accepted_at=datetime(2026, 3, 2, 1, 30, tzinfo=UTC),
        closed_at=datetime(2026, 3, 9, 8, 0, 5, 123456, tzinfo=UTC),
    )
    rows = list(selectors.directives_for(user=town_staff).order_by("serial"))
    assert len(rows) == 3
    lean = DirectiveSerializer(rows, many=True).data
    assert lean == FieldByField(rows, many=True).data
    by_title = {row["title"]: row for row in lean}
    assert by_title["有坐标"]["latitude"] == "30.900000"
    assert by_title["交给河长"]["target_chief"] == chief.pk
    assert by_title["交给河长"]["target_village_name"] is None
    assert by_title[overdue.title]["overdue"] is True


@pytest.mark.django_db
def test_the_list_row_read_as_a_tuple_equals_the_serializers(make_order, chief, town_staff):
    placed = make_order(title="有坐标", location="桥下")
    make_order(title="交给河长", target_village=None, target_chief=chief)
    make_order(title="逾期", deadline=date(2026, 3, 2))
    Directive.objects.filter(pk=placed.pk).update(
        latitude=Decimal("30.9"),
        longitude=Decimal("121.170001"),
        accepted_at=datetime(2026, 3, 2, 1, 30, tzinfo=UTC),
        rectified_at=datetime(2026, 3, 5, 1, 30, tzinfo=UTC),
        closed_at=datetime(2026, 3, 9, 8, 0, 5, 123456, tzinfo=UTC),
    )
    chief.user.first_name, chief.user.last_name = "", ""  # shown by the username then
    chief.user.save()
    orders = selectors.directives_for(user=town_staff).order_by("serial")
    rows = list(core_rows(orders, DirectiveSerializer))
    assert len(rows) == 3
    assert [directive_row_json(r) for r in rows] == DirectiveSerializer(
        list(orders), many=True
    ).data
    # A page of rows at once (the time zone and today looked up once), here and in UTC.
    for zone in ("Asia/Shanghai", "UTC"):
        with timezone.override(zone):
            expected = DirectiveSerializer(list(orders), many=True).data
            assert DirectiveSerializer(rows, many=True).data == expected
    assert expected[0]["closed_at"] == "2026-03-09T08:00:05.123456Z"
