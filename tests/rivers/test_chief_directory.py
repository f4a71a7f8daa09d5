"""The chief directory's rivers column: each chief's first rivers in river-code order, from
the code stored on each assignment (``ChiefAssignment.river_code``), kept when a river's code
changes; and another town's office does not see this town's chiefs."""

import re
from datetime import date

import pytest
from django.urls import reverse

from rivers import selectors
from rivers.models import Chief, ChiefAssignment, River, fill_river_codes
from tests import factories

pytestmark = pytest.mark.django_db


def shown_rivers(html: str, chief: Chief) -> list[str]:
    row = html[html.index(f'<a href="{reverse("rivers:chief-detail", args=[chief.pk])}">') :]
    row = row[: row.index("</tr>")]
    return re.findall(r'<a href="/rivers/\d+/">([^<]+)</a>', row)


def test_a_chiefs_first_rivers_are_the_first_by_code_whatever_order_they_were_assigned(
    client, town_staff, village
):
    chief = factories.ChiefFactory(
        user=factories.UserFactory(role="village_chief", region=village), region=village
    )
    # Registered and assigned in the reverse of their codes' order, a few already ended.
    for n in reversed(range(12)):
        river = factories.RiverFactory(code=f"V-{n:02d}", name=f"河{n:02d}", region=village)
        ended = date(2020, 1, 1) if n in (1, 4) else None
        factories.AssignmentFactory(chief=chief, river=river, end_date=ended)
    client.force_login(town_staff)
    html = client.get(reverse("rivers:chief-list")).content.decode()
    first = [f"河{n:02d}" for n in (0, 2, 3, 5, 6, 7, 8, 9)]
    assert shown_rivers(html, chief) == first
    assert "等 10 处" in html


def test_a_rivers_reaches_follow_their_position_under_one_code(town_staff, village):
    chief = factories.ChiefFactory(region=village)
    river = factories.RiverFactory(code="V-01", region=village)
    later, earlier = (factories.ReachFactory(river=river, position=p) for p in (2, 1))
    for reach in (later, earlier):
        factories.AssignmentFactory(chief=chief, river=river, reach=reach)
    before = factories.RiverFactory(code="V-00", region=village)
    factories.AssignmentFactory(chief=chief, river=before)
    (listed,) = selectors.with_first_rivers([chief])
    assert [(a["river_id"], a["reach_name"]) for a in listed.current_assignments] == [
        (before.pk, None),
        (river.pk, earlier.name),
        (river.pk, later.name),
    ]


def test_a_river_whose_code_changes_moves_in_its_chiefs_lists(town_staff, village):
    chief = factories.ChiefFactory(region=village)
    a, b = (factories.RiverFactory(code=code, region=village) for code in ("V-1", "V-2"))
    for river in (a, b):
        factories.AssignmentFactory(chief=chief, river=river)
    assert set(ChiefAssignment.objects.values_list("river_code", flat=True)) == {"V-1", "V-2"}
    a = River.objects.get(pk=a.pk)
    a.code = "V-3"
    a.save()
    (listed,) = selectors.with_first_rivers([chief])
    assert [row["river_id"] for row in listed.current_assignments] == [b.pk, a.pk]
    assert ChiefAssignment.objects.get(river=a).river_code == "V-3"


def test_bulk_created_assignments_get_their_codes_from_fill_river_codes(village):
    chief = factories.ChiefFactory(region=village)
    river = factories.RiverFactory(code="V-9", region=village)
    ChiefAssignment.objects.bulk_create(
        [ChiefAssignment(chief=chief, river=river, level="village", start_date=date(2020, 1, 1))]
    )
    assert ChiefAssignment.objects.get().river_code == ""
    assert fill_river_codes(ChiefAssignment.objects.filter(river_code="")) == 1
    assert ChiefAssignment.objects.get().river_code == "V-9"


def test_the_other_towns_office_does_not_list_this_towns_chiefs(client, two_towns):
    """The border river is town B's; town A's village chief answers for its reach in A.
    Town A's office lists that chief with the border river; town B's office lists neither
    town A's chiefs nor their rivers."""
    d = two_towns
    client.force_login(d.office_a)
    html_a = client.get(reverse("rivers:chief-list")).content.decode()
    assert shown_rivers(html_a, d.chief_a1.chief) == sorted(
        [d.river_a1.name, d.border_river.name],
        key=lambda name: River.objects.get(name=name).code,
    )
    client.force_login(d.office_b)
    html_b = client.get(reverse("rivers:chief-list")).content.decode()
    for user in (d.chief_a1, d.chief_a2, d.town_chief_a):
        assert reverse("rivers:chief-detail", args=[user.chief.pk]) not in html_b
    assert d.river_a1.name not in html_b
    assert reverse("rivers:chief-detail", args=[d.chief_b1.chief.pk]) in html_b
