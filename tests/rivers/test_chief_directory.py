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


def test_the_other_towns_office_does_not_see_this_towns_vacancies(client, two_towns):
    """A vacancy on town A's own river is town A's alone; one on the border river's reach in
    town A shows to both towns, whose registries both hold that river."""
    d = two_towns
    ChiefAssignment.objects.filter(river=d.river_a1).update(end_date=date(2020, 1, 1))
    ChiefAssignment.objects.filter(reach=d.reach_a1, level="village").update(
        end_date=date(2020, 1, 1)
    )

    def vacancies(office):
        client.force_login(office)
        found = client.get(reverse("rivers:vacancy-list")).context["vacancies"]
        return [(v.river.pk, v.reach.pk if v.reach else None, v.level) for v in found]

    expected_a = [
        (d.river_a1.pk, None, "village"),
        (d.border_river.pk, d.reach_a1.pk, "village"),
    ]
    assert sorted(vacancies(d.office_a)) == sorted(expected_a)
    assert vacancies(d.office_b) == [(d.border_river.pk, d.reach_a1.pk, "village")]


@pytest.mark.parametrize("level", ["village", "town", "district"])
def test_a_river_covered_whole_at_every_level_it_needs_has_no_vacancy_and_one_missing_has(
    town_staff, town, village, level
):
    """The database leaves out the rivers with nothing vacant: the same vacancies as the
    rule over every row (rivers.selectors.vacancies_of)."""
    river = factories.RiverFactory(level=level, region=town, regions=[town, village])
    needed = selectors.required_levels(level)
    for chief_level in needed:
        factories.AssignmentFactory(
            river=river, level=chief_level, chief=factories.ChiefFactory(region=village)
        )
    assert selectors.vacancies_for(user=town_staff) == []
    for missing in needed:
        ChiefAssignment.objects.filter(river=river, level=missing).update(
            duty=ChiefAssignment.Duty.DEPUTY
        )
        found = selectors.vacancies_for(user=town_staff)
        assert [(v.river.pk, v.reach, v.level) for v in found] == [(river.pk, None, missing)]
        ChiefAssignment.objects.filter(river=river, level=missing).update(
            duty=ChiefAssignment.Duty.RESPONSIBLE
        )


def test_a_directory_rows_rivers_cell_is_the_markup_the_template_wrote(client, town_staff, village):
    """The rivers cell is written in the view: the same HTML as the template's loop, names
    typed with markup escaped, the deputy mark and the "and n more" link, in both languages."""
    from django.template import Context, Template
    from django.utils import translation

    chief = factories.ChiefFactory(region=village)
    river = factories.RiverFactory(code="V-0", name="<b>河</b>&浜", region=village)
    reach = factories.ReachFactory(river=river, name="'东'段")
    factories.AssignmentFactory(chief=chief, river=river, reach=reach, duty="deputy")
    for n in range(1, 9):
        factories.AssignmentFactory(
            chief=chief, river=factories.RiverFactory(code=f"V-{n}", region=village)
        )
    lonely = factories.ChiefFactory(region=village)
    client.force_login(town_staff)
    template = Template(
        '{% load i18n %}<td>{% for a in chief.current_assignments %}<a href="{{ a.river_url }}">'
        "{{ a.river_name }}</a>{% if a.reach_name %}·{{ a.reach_name }}{% endif %}"
        '{% if a.duty == "deputy" %} <small class="muted">{% trans "副" %}</small>{% endif %}'
        '{% if not forloop.last %}、{% endif %}{% empty %}<span class="muted">—</span>'
        "{% endfor %}{% if chief.river_count > chief.current_assignments|length %} "
        '<a class="muted" href="{{ chief.url }}">{% blocktrans with n=chief.river_count %}'
        "等 {{ n }} 处{% endblocktrans %}</a>{% endif %}</td>"
    )
    for language in ("zh-hans", "en"):
        response = client.get(reverse("rivers:chief-list"), headers={"accept-language": language})
        html = response.content.decode()
        with translation.override(language):
            for listed in response.context["page"]:
                if listed.pk not in (chief.pk, lonely.pk):
                    continue
                for a in listed.current_assignments:
                    a["river_url"] = reverse("rivers:river-detail", args=[a["river_id"]])
                expected = template.render(Context({"chief": listed}))
                assert expected in html
        assert "&lt;b&gt;河&lt;/b&gt;&amp;浜" in html
