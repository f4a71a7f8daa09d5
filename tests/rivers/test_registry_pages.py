"""The registry pages through the Django client: scoping, filters, query counts."""

import re
from datetime import date

import pytest
from django.urls import reverse

from rivers.models import ChiefAssignment, River
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(town, village, other_village):
    """Two villages' rivers with chiefs, and a town-level river crossing both."""
    rivers = {
        "mine": factories.RiverFactory(name="本村浜", region=village, target_class=5),
        "theirs": factories.RiverFactory(name="邻村浜", region=other_village, target_class=4),
        "town": factories.RiverFactory(
            name="镇级塘",
            level="town",
            region=town,
            regions=[town, village, other_village],
            length_km="8.40",
            target_class=3,
        ),
    }
    for river in rivers.values():
        chief = factories.ChiefFactory(
            user=factories.UserFactory(role="village_chief", region=river.region),
            level=river.level,
            region=river.region,
        )
        factories.AssignmentFactory(chief=chief, river=river)
    return rivers


def make_rivers(village, n):
    for _ in range(n):
        river = factories.RiverFactory(region=village)
        factories.ReachFactory(river=river)
        factories.AssignmentFactory(
            river=river,
            chief=factories.ChiefFactory(
                user=factories.UserFactory(role="village_chief", region=village),
                region=village,
            ),
        )


def test_office_staff_see_their_towns_registry(client, town_staff, registry):
    client.force_login(town_staff)
    page = client.get(reverse("rivers:river-list")).content.decode()
    for river in registry.values():
        assert river.name in page
    assert "共 3 条河道" in page


def test_a_registry_row_shows_its_level_target_link_and_at_most_three_chiefs(
    client, town_staff, registry, village
):
    town_river = registry["town"]
    for _ in range(3):  # four chiefs in all: three named, then how many
        chief = factories.ChiefFactory(
            user=factories.UserFactory(role="village_chief", region=village), region=village
        )
        factories.AssignmentFactory(
            chief=chief, river=town_river, reach=factories.ReachFactory(river=town_river)
        )
    empty = factories.RiverFactory(name="无人浜", region=village, target_class=2)
    client.force_login(town_staff)
    html = client.get(reverse("rivers:river-list")).content.decode()
    row = html[html.index(f'href="{reverse("rivers:river-detail", args=[town_river.pk])}"') :]
    row = row[: row.index("</tr>")]
    assert "<td>镇级</td>" in row
    assert '<span class="tag">Ⅲ类</span>' in row
    chiefs = re.findall(r"<td>([^<]*)</td>", row)[-1]
    assert chiefs.count("、") == 2
    assert chiefs.endswith(" 等 4 人")
    empty_row = html[html.index(empty.name) :]
    assert '<span class="tag bad">空缺</span>' in empty_row[: empty_row.index("</tr>")]
    english = client.get(
        reverse("rivers:river-list"), headers={"accept-language": "en"}
    ).content.decode()
    assert "Class III" in english
    assert "Town" in english


def test_a_village_chief_sees_their_village_and_the_town_river_crossing_it(
    client, village_chief, registry
):
    client.force_login(village_chief)
    page = client.get(reverse("rivers:river-list")).content.decode()
    assert "本村浜" in page
    assert "镇级塘" in page
    assert "邻村浜" not in page


def test_village_chief_cannot_read_another_villages_river(client, village_chief, registry):
    client.force_login(village_chief)
    theirs = registry["theirs"]
    assert client.get(reverse("rivers:river-detail", args=[theirs.pk])).status_code == 404
    mine = registry["mine"]
    assert client.get(reverse("rivers:river-detail", args=[mine.pk])).status_code == 200


def test_village_chief_cannot_change_another_villages_river(client, village_chief, registry):
    client.force_login(village_chief)
    theirs = registry["theirs"]
    new_chief = factories.ChiefFactory(region=theirs.region)
    response = client.post(
        reverse("rivers:river-assign", args=[theirs.pk]),
        {
            "chief": new_chief.pk,
            "level": "village",
            "duty": "responsible",
            "start_date": "2025-01-01",
        },
    )
    assert response.status_code == 404
    # Nor their own: the registry is the office's to keep.
    response = client.post(
        reverse("rivers:river-assign", args=[registry["mine"].pk]),
        {
            "chief": new_chief.pk,
            "level": "village",
            "duty": "responsible",
            "start_date": "2025-01-01",
        },
    )
    assert response.status_code == 403
    assert ChiefAssignment.objects.count() == 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "本村"}, {"本村浜"}),
        ({"q": "R0"}, {"本村浜", "邻村浜", "镇级塘"}),
        ({"level": "town"}, {"镇级塘"}),
        ({"target_class": "4"}, {"邻村浜"}),
        ({"length_min": "5"}, {"镇级塘"}),
        ({"length_max": "2"}, {"本村浜", "邻村浜"}),
    ],
)
def test_the_registry_filters(client, town_staff, registry, query, expected):
    client.force_login(town_staff)
    response = client.get(reverse("rivers:river-list"), query)
    assert {r["name"] for r in response.context["page"]} == expected


def test_the_village_filter_includes_rivers_crossing_the_village(
    client, town_staff, registry, other_village
):
    client.force_login(town_staff)
    response = client.get(reverse("rivers:river-list"), {"village": other_village.pk})
    assert {r["name"] for r in response.context["page"]} == {"邻村浜", "镇级塘"}


def test_the_registry_list_takes_the_same_number_of_queries_for_5_or_40_rivers(
    client, town_staff, village, django_assert_max_num_queries
):
    client.force_login(town_staff)
    make_rivers(village, 5)
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("rivers:river-list"))
    make_rivers(village, 35)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("rivers:river-list"))
    assert len(response.context["page"]) == 40


def test_the_vacancy_list_takes_the_same_number_of_queries_for_3_or_30_rivers(
    client, town_staff, village, django_assert_max_num_queries
):
    client.force_login(town_staff)
    make_rivers(village, 3)
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("rivers:vacancy-list"))
    make_rivers(village, 27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("rivers:vacancy-list"))
    assert response.context["vacancies"] == []


def test_a_deputy_or_a_chief_whose_term_ended_leaves_the_river_vacant(client, town_staff, village):
    covered, deputy_only, ended = (factories.RiverFactory(region=village) for _ in range(3))
    for river, extra in ((covered, {}), (deputy_only, {"duty": "deputy"})):
        factories.AssignmentFactory(
            river=river, chief=factories.ChiefFactory(region=village), **extra
        )
    factories.AssignmentFactory(
        river=ended, chief=factories.ChiefFactory(region=village), end_date=date(2020, 1, 1)
    )
    client.force_login(town_staff)
    vacancies = client.get(reverse("rivers:vacancy-list")).context["vacancies"]
    assert [(v.river.pk, v.reach, v.level) for v in vacancies] == [
        (river.pk, None, "village") for river in sorted((deputy_only, ended), key=lambda r: r.code)
    ]


def test_the_chief_directory_takes_a_constant_number_of_queries(
    client, town_staff, village, django_assert_max_num_queries
):
    client.force_login(town_staff)
    make_rivers(village, 3)
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("rivers:chief-list"))
    make_rivers(village, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("rivers:chief-list"))
    assert len(response.context["page"]) == 33


def test_a_directory_row_shows_its_chief_as_the_template_tags_would(client, town_staff, registry):
    """The rows' links and labels are worked out in the view once per page: the same text
    as ``{% url %}`` and ``get_FOO_display`` gave, in both languages; another town's chief is
    not listed."""
    from django.utils import translation

    from rivers.models import Chief

    river = registry["town"]
    chief = ChiefAssignment.objects.get(river=river).chief
    Chief.objects.filter(pk=chief.pk).update(title=Chief.Title.DEPUTY_CHIEF)
    elsewhere = factories.RiverFactory(region=factories.VillageFactory())
    stranger = factories.AssignmentFactory(river=elsewhere).chief
    client.force_login(town_staff)
    html = client.get(reverse("rivers:chief-list")).content.decode()
    english = client.get(
        reverse("rivers:chief-list"), headers={"accept-language": "en"}
    ).content.decode()
    chief_url = reverse("rivers:chief-detail", args=[chief.pk])
    row = html[html.index(f'<a href="{chief_url}">') :]
    row = row[: row.index("</tr>")]
    assert f'<a href="{chief_url}">{chief.user}</a>' in row
    assert f'<a href="{reverse("rivers:river-detail", args=[river.pk])}">{river.name}</a>' in row
    with translation.override("zh-hans"):
        assert f"<td>{chief.get_level_display()}</td>" in row
        assert f"<td>{Chief.Title.DEPUTY_CHIEF.label}" in row
    with translation.override("en"):
        assert f"<td>{Chief.Title.DEPUTY_CHIEF.label}" in english
    assert reverse("rivers:chief-detail", args=[stranger.pk]) not in html


def test_the_river_page_shows_chiefs_villages_gates_and_vacancies(
    client, town_staff, registry, village, other_village, town
):
    river = registry["town"]
    reach = factories.ReachFactory(river=river, name="东段", village=village)
    factories.SluiceGateFactory(river=river, name="镇级塘节制闸", region=town)
    client.force_login(town_staff)
    page = client.get(reverse("rivers:river-detail", args=[river.pk])).content.decode()
    chief = ChiefAssignment.objects.get(river=river).chief
    assert str(chief.user) in page
    assert chief.user.phone in page
    assert village.name in page
    assert other_village.name in page
    assert "镇级塘节制闸" in page
    assert "Ⅲ类" in page
    # The town chief covers the whole river; the reach has no village-level chief.
    vacancies = client.get(reverse("rivers:river-detail", args=[river.pk])).context["vacancies"]
    assert [(v.reach, v.level) for v in vacancies] == [(reach, "village")]


def test_office_staff_hand_a_river_over_on_its_page(client, town_staff, registry, village):
    river = registry["mine"]
    old = ChiefAssignment.objects.get(river=river)
    successor = factories.ChiefFactory(
        user=factories.UserFactory(role="village_chief", region=village), region=village
    )
    client.force_login(town_staff)
    response = client.post(
        reverse("rivers:river-assign", args=[river.pk]),
        {
            "chief": successor.pk,
            "level": "village",
            "duty": "responsible",
            "start_date": "2025-03-01",
        },
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.end_date == date(2025, 2, 28)
    page = client.get(reverse("rivers:river-detail", args=[river.pk])).content.decode()
    assert "已卸任" in page
    assert str(successor.user) in page


def test_an_overlapping_assignment_is_a_form_error_on_the_page(
    client, town_staff, registry, village
):
    river = registry["mine"]
    other = factories.ChiefFactory(
        user=factories.UserFactory(role="village_chief", region=village), region=village
    )
    client.force_login(town_staff)
    response = client.post(
        reverse("rivers:river-assign", args=[river.pk]),
        {"chief": other.pk, "level": "village", "duty": "responsible", "start_date": "2017-01-01"},
    )
    assert response.status_code == 200
    assert response.context["assign_form"].errors["start_date"]
    assert ChiefAssignment.objects.filter(river=river).count() == 1


def test_ending_an_assignment_on_the_page_shows_a_vacancy(client, town_staff, registry):
    river = registry["mine"]
    assignment = ChiefAssignment.objects.get(river=river)
    client.force_login(town_staff)
    client.post(
        reverse("rivers:assignment-end", args=[river.pk]),
        {"assignment": assignment.pk, "end_date": "2024-12-31"},
    )
    assignment.refresh_from_db()
    assert assignment.end_date == date(2024, 12, 31)
    page = client.get(reverse("rivers:vacancy-list")).content.decode()
    assert river.name in page


def test_the_chief_directory_is_searchable_by_name_phone_and_river(client, town_staff, registry):
    chief = ChiefAssignment.objects.get(river=registry["theirs"]).chief
    client.force_login(town_staff)
    for q in (chief.user.phone, f"{chief.user.last_name}{chief.user.first_name}", "邻村浜"):
        found = client.get(reverse("rivers:chief-list"), {"q": q}).context["page"]
        assert [c.pk for c in found] == [chief.pk], q


def test_a_village_chief_cannot_open_another_villages_chief(client, village_chief, registry):
    theirs = ChiefAssignment.objects.get(river=registry["theirs"]).chief
    client.force_login(village_chief)
    assert client.get(reverse("rivers:chief-detail", args=[theirs.pk])).status_code == 404
    mine = village_chief.chief
    page = client.get(reverse("rivers:chief-detail", args=[mine.pk]))
    assert page.status_code == 200


def test_the_pages_need_a_login(client, registry):
    response = client.get(reverse("rivers:river-list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def river_form(river, **changes):
    data = {
        "name": river.name,
        "level": river.level,
        "water_type": river.water_type,
        "length_km": str(river.length_km),
        "region": river.region_id,
        "regions": [r.pk for r in river.regions.all()],
        "target_class": river.target_class,
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_office_staff_edit_a_river_and_the_change_is_in_its_record(
    client, town_staff, registry, other_village
):
    river = registry["mine"]
    client.force_login(town_staff)
    url = reverse("rivers:river-edit", args=[river.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        river_form(river, name="本村浜（整治后）", length_km="2.35", regions=[other_village.pk]),
    )
    assert response.status_code == 302
    river.refresh_from_db()
    assert river.name == "本村浜（整治后）"
    assert str(river.length_km) == "2.35"
    assert set(river.regions.all()) == {river.region, other_village}
    page = client.get(reverse("rivers:river-detail", args=[river.pk])).content.decode()
    assert "变更记录" in page
    assert "河道名称、长度（公里）" in page or "长度（公里）、河道名称" in page
    assert str(town_staff) in page


def test_an_absurd_length_is_a_form_error_and_nothing_changes(client, town_staff, registry):
    river = registry["mine"]
    client.force_login(town_staff)
    response = client.post(
        reverse("rivers:river-edit", args=[river.pk]),
        river_form(river, name="新名字", length_km="1200"),
    )
    assert response.status_code == 200
    assert "不合理" in str(response.context["form"].errors["length_km"])
    river.refresh_from_db()
    assert river.name == "本村浜"
    assert river.history.count() == 1


def test_village_chief_cannot_edit_rivers_in_the_ui(client, village_chief, registry):
    client.force_login(village_chief)
    mine, theirs = registry["mine"], registry["theirs"]
    assert client.get(reverse("rivers:river-edit", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("rivers:river-edit", args=[mine.pk]), river_form(mine, name="改名")
    )
    assert response.status_code == 403
    assert client.get(reverse("rivers:river-create")).status_code == 403
    mine.refresh_from_db()
    assert mine.name == "本村浜"


def test_office_staff_register_a_river_in_the_ui(client, town_staff, village):
    client.force_login(town_staff)
    response = client.post(
        reverse("rivers:river-create"),
        {
            "code": "ZJ-C900",
            "name": "新挖浜",
            "level": "village",
            "water_type": "river",
            "length_km": "0.80",
            "region": village.pk,
            "target_class": "5",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    river = River.objects.get(code="ZJ-C900")
    assert list(river.regions.all()) == [village]
    # The same code twice is refused with a message on the code field.
    response = client.post(
        reverse("rivers:river-create"),
        {
            "code": "ZJ-C900",
            "name": "重复浜",
            "level": "village",
            "water_type": "river",
            "length_km": "0.80",
            "region": village.pk,
            "target_class": "5",
        },
    )
    assert response.status_code == 200
    assert "已登记" in str(response.context["form"].errors["code"])


def test_a_bad_filter_value_is_shown_next_to_its_field(client, town_staff, registry):
    client.force_login(town_staff)
    response = client.get(reverse("rivers:river-list"), {"length_min": "abc"})
    assert response.status_code == 200
    assert response.context["filter"].errors["length_min"]
    assert 'class="errorlist"' in response.content.decode()


def test_the_base_map_holds_only_the_courses_of_rivers_the_user_may_see(client, two_towns):
    d = two_towns
    line = {"type": "LineString", "coordinates": [[121.1, 30.9], [121.2, 30.95]]}
    for river in (d.river_a1, d.river_a2, d.river_b1, d.border_river):
        river.geometry = line
        river.save()
    client.force_login(d.chief_a1)
    response = client.get("/rivers/base-map.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    names = {f["properties"]["name"] for f in response.json()["features"]}
    # Their village's river and the border river crossing it; never the other town's own.
    assert names == {d.river_a1.name, d.border_river.name}

    client.force_login(d.office_b)
    names = {
        f["properties"]["name"] for f in client.get("/rivers/base-map.geojson").json()["features"]
    }
    assert d.river_a1.name not in names
    assert d.border_river.name in names


def test_the_base_map_needs_a_login(client):
    assert client.get("/rivers/base-map.geojson").status_code == 302


def test_the_chief_page_shows_the_rivers_in_their_charge_a_page_at_a_time(
    client, town_staff, village, django_assert_max_num_queries
):
    chief = factories.ChiefFactory(user=factories.UserFactory(role="village_chief", region=village))
    for n in range(53):
        river = factories.RiverFactory(region=village, code=f"R-{n:03d}")
        factories.AssignmentFactory(chief=chief, river=river, start_date=date(2024, 1, 1))
    ended = factories.RiverFactory(region=village, name="已交接浜")
    factories.AssignmentFactory(
        chief=chief, river=ended, start_date=date(2020, 1, 1), end_date=date(2023, 12, 31)
    )
    client.force_login(town_staff)
    url = reverse("rivers:chief-detail", args=[chief.pk])
    with django_assert_max_num_queries(12) as first:
        page = client.get(url)
    assert [a.river.code for a in page.context["current"]] == [f"R-{n:03d}" for n in range(50)]
    assert [a.river.name for a in page.context["past"]] == ["已交接浜"]
    html = page.content.decode()
    past_row = html[html.index(f'href="{reverse("rivers:river-detail", args=[ended.pk])}"') :]
    past_row = past_row[: past_row.index("</tr>")]
    assert "<td>全河</td><td>村级</td>" in past_row
    assert "<td>2020-01-01</td><td>2023-12-31</td>" in past_row
    assert "<td>2024-01-01</td><td>—</td>" in html
    with django_assert_max_num_queries(len(first.captured_queries)):
        second = client.get(url, {"page": 2})
    assert [a.river.code for a in second.context["current"]] == ["R-050", "R-051", "R-052"]
    assert "第 2 / 2 页" in second.content.decode()
