"""HTML pages through the Django client: lists, duty, statistics, exports, forms."""

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from patrols.models import Finding, Patrol
from tests.patrols.factories import FindingFactory, PatrolFactory, chief_on_river

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2018, 3, 5, 1, 0, tzinfo=UTC)


@pytest.fixture
def office(client, town_staff):
    client.force_login(town_staff)
    return client


def many_patrols(village, n, *, start=START):
    for i in range(n):
        chief, river = chief_on_river(village)
        FindingFactory(
            patrol=PatrolFactory(chief=chief, river=river, started_at=start + timedelta(days=i))
        )


def test_the_patrol_list_runs_a_constant_number_of_queries(
    office, village, django_assert_max_num_queries
):
    many_patrols(village, 2)
    with django_assert_max_num_queries(20) as few:
        assert office.get("/patrols/").status_code == 200
    many_patrols(village, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = office.get("/patrols/")
    assert r.context["page"].paginator.count == 32


def test_the_statistics_page_runs_a_constant_number_of_queries(
    office, village, django_assert_max_num_queries
):
    many_patrols(village, 2)
    counts = {}
    for group in ("level", "chief", "village", "month"):
        with django_assert_max_num_queries(20) as q:
            office.get(f"/patrols/stats/?year=2018&group={group}")
        counts[group] = len(q.captured_queries)
    many_patrols(village, 30, start=START + timedelta(days=40))
    for group in ("level", "chief", "village", "month"):
        with django_assert_max_num_queries(counts[group]):
            r = office.get(f"/patrols/stats/?year=2018&group={group}")
    assert r.context["stats"].total.patrols == 32


def test_the_yearly_sentence_reads_like_the_reference_report(office, town):
    for _ in range(3):
        chief, river = chief_on_river(town, level="town", role="town_chief")
        for d in range(2):
            PatrolFactory(chief=chief, river=river, started_at=START + timedelta(days=d))
    chief, river = chief_on_river(town, level="town", role="town_chief")
    PatrolFactory(chief=chief, river=river, started_at=START, review="rejected")
    r = office.get("/patrols/stats/?year=2018")
    assert "2018年，3名镇级河长共巡河 6 次（人均 2.0 次）。" in r.content.decode()


def test_statistics_group_by_month_in_shanghai_time(office, village):
    chief, river = chief_on_river(village)
    PatrolFactory(chief=chief, river=river, started_at=datetime(2018, 4, 1, 0, 30, tzinfo=SH))
    r = office.get("/patrols/stats/?year=2018&group=month")
    assert [(row.label, row.patrols) for row in r.context["stats"].rows] == [("2018-04", 1)]


def test_the_statistics_export_is_a_workbook_with_the_same_figures(office, village):
    many_patrols(village, 3)
    r = office.get("/patrols/stats.xlsx?year=2018&group=village")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][3] == 3  # patrols of the one village
    assert rows[-1][3] == 3  # total


def test_the_duty_page_and_its_export_show_who_is_behind(office, village):
    on_time, river = chief_on_river(village)
    behind, _ = chief_on_river(village)
    for week in range(5):
        PatrolFactory(
            chief=on_time,
            river=river,
            started_at=datetime(2018, 3, 1, 9, tzinfo=SH) + timedelta(weeks=week),
        )
    r = office.get("/patrols/duty/?month=2018-03")
    rows = {c.pk: d for c, d in r.context["rows"]}
    assert (rows[on_time.pk].done, rows[on_time.pk].required, rows[on_time.pk].behind) == (
        5,
        5,
        False,
    )
    assert rows[behind.pk].behind
    assert r.context["behind_count"] == 1
    x = office.get("/patrols/duty.xlsx?month=2018-03")
    sheet = load_workbook(io.BytesIO(x.content)).worksheets[0]
    values = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values[str(on_time.user)][3:6] == (5, 5, "否")
    assert values[str(behind.user)][5] == "是"


def test_the_rivers_recent_patrols_are_reachable_by_river(office, village):
    chief, river = chief_on_river(village)
    other, other_river = chief_on_river(village)
    PatrolFactory(chief=chief, river=river)
    PatrolFactory(chief=other, river=other_river)
    r = office.get(f"/patrols/?river={river.pk}")
    assert [p.river_id for p in r.context["page"]] == [river.pk]
    assert river.name in r.content.decode()


def test_the_after_the_fact_form_shows_field_errors_and_saves_nothing(client, chief_river):
    chief, river = chief_river
    client.force_login(chief.user)
    r = client.post(
        "/patrols/record/",
        {"river": river.pk, "started_at": "2018-03-05T09:00", "ended_at": "2018-03-05T08:00"},
    )
    assert r.status_code == 200
    assert r.context["form"].errors["ended_at"]
    bad_gpx = SimpleUploadedFile("t.gpx", b"not gpx at all")
    r = client.post("/patrols/record/", {"river": river.pk, "gpx": bad_gpx})
    assert r.context["form"].errors["gpx"]
    assert not Patrol.objects.exists()
    r = client.post(
        "/patrols/record/",
        {
            "river": river.pk,
            "started_at": "2018-03-05T09:00",
            "ended_at": "2018-03-05T09:40",
            "walker_name": "河长助理",
        },
    )
    patrol = Patrol.objects.get()
    assert r.url == f"/patrols/{patrol.pk}/"
    assert patrol.started_at == datetime(2018, 3, 5, 9, 0, tzinfo=SH)


def test_the_office_records_for_a_chief_and_reviews_on_the_page(office, chief_river):
    chief, river = chief_river
    r = office.post(
        "/patrols/record/",
        {
            "chief": chief.pk,
            "river": river.pk,
            "started_at": "2018-03-05T09:00",
            "ended_at": "2018-03-05T09:05",
        },
    )
    patrol = Patrol.objects.get()
    page = office.get(r.url).content.decode()
    assert "时长或里程过短" in page
    office.post(f"/patrols/{patrol.pk}/review/", {"decision": "rejected", "note": "时间过短"})
    patrol.refresh_from_db()
    assert patrol.review == "rejected"
    assert "时间过短" in office.get(r.url).content.decode()


def test_a_village_chief_sees_only_their_villages_patrols_on_the_page(
    client, village, other_village
):
    mine, river = chief_on_river(village)
    theirs, their_river = chief_on_river(other_village)
    PatrolFactory(chief=mine, river=river)
    foreign = PatrolFactory(chief=theirs, river=their_river)
    client.force_login(mine.user)
    assert [p.chief_id for p in client.get("/patrols/").context["page"]] == [mine.pk]
    assert client.get(f"/patrols/{foreign.pk}/").status_code == 404
    colleague, colleagues_river = chief_on_river(village)
    PatrolFactory(chief=colleague, river=colleagues_river)
    assert [p.chief_id for p in client.get("/patrols/").context["page"]] == [mine.pk]
    rows = client.get("/patrols/duty/?month=2018-03").context["rows"]
    assert [c for c, _d in rows] == [mine]


def test_only_the_office_edits_rules_and_thresholds(client, office, village, town_staff):
    r = office.post(
        "/patrols/rules/authenticity/",
        {
            "min_minutes": 15,
            "min_distance_m": 1000,
            "max_speed_kmh": 20,
            "max_river_distance_m": 300,
            "min_points": 5,
            "photo_tolerance_minutes": 10,
        },
    )
    assert r.status_code == 302
    assert "15 分钟" in office.get("/patrols/rules/").content.decode()
    chief, _ = chief_on_river(village)
    client.force_login(chief.user)
    assert client.get("/patrols/rules/authenticity/").status_code == 403
    assert client.get("/patrols/rules/new/").status_code == 403


def test_the_phone_page_offers_only_the_chiefs_own_rivers(client, chief_river, village):
    chief, river = chief_river
    _other, other_river = chief_on_river(village)
    client.force_login(chief.user)
    r = client.get("/patrols/start/")
    assert [pk for pk, _name, _code in r.context["rivers"]] == [river.pk]
    html = r.content.decode()
    assert 'capture="environment"' in html
    assert other_river.name not in html


def test_a_rivers_recent_patrols_fragment_for_the_river_page(
    office, village, django_assert_max_num_queries
):
    chief, river = chief_on_river(village)
    for d in range(12):
        PatrolFactory(chief=chief, river=river, started_at=START + timedelta(days=d))
    with django_assert_max_num_queries(6):
        r = office.get(f"/patrols/river/{river.pk}/recent/")
    assert len(r.context["patrols"]) == 10
    assert f"/patrols/?river={river.pk}" in r.content.decode()


def test_the_office_adds_a_per_river_rule_for_one_season(office, village):
    r = office.post(
        "/patrols/rules/new/",
        {
            "level": "village",
            "period": "ten_days",
            "times": 2,
            "per_river": "on",
            "season_start_month": 3,
            "season_end_month": 12,
            "is_active": "on",
            "note": "泗县做法",
        },
    )
    assert r.status_code == 302
    page = office.get("/patrols/rules/").content.decode()
    assert "泗县做法" in page
    assert "3月至12月" in page
    r = office.post(
        "/patrols/rules/new/",
        {
            "level": "village",
            "period": "week",
            "times": 0,
            "season_start_month": 13,
            "season_end_month": 1,
        },
    )
    assert r.status_code == 200
    assert set(r.context["form"].errors) >= {"times", "season_start_month"}


def test_the_river_filter_is_a_lookup_box_not_a_select_of_every_river(office, village):
    chief, river = chief_on_river(village)
    quiet = [chief_on_river(village)[1] for _ in range(30)]
    PatrolFactory(chief=chief, river=river)
    html = office.get("/patrols/").content.decode()
    assert 'id="id_river"' in html
    assert '<select id="id_river"' not in html
    assert not [r for r in quiet if r.name in html]  # no river is listed as an option
    assert 'data-lookup="/api/v1/rivers/"' in html
    assert '<datalist id="id_river-options"></datalist>' in html
    assert "js/lookup.js" in html


@pytest.mark.parametrize("page", ["/patrols/", "/patrols/findings/"])
def test_the_river_filter_takes_a_rivers_id_code_or_only_name(office, village, page):
    chief, river = chief_on_river(village)
    other_chief, other_river = chief_on_river(village)
    for c, r in ((chief, river), (other_chief, other_river)):
        FindingFactory(patrol=PatrolFactory(chief=c, river=r))
    for value in (river.pk, river.code, river.name, f" {river.code} "):
        response = office.get(page, {"river": value})
        assert {p.river_id for p in response.context["page"]} == {river.pk}, value
        # The box shows the river's code, however it was given.
        assert f'name="river" value="{river.code}"' in response.content.decode()


def test_the_river_filter_refuses_another_towns_river_and_a_name_two_rivers_share(
    two_towns, client
):
    d = two_towns
    PatrolFactory(chief=d.chief_a1.chief, river=d.river_a1)
    client.force_login(d.office_a)
    for value in (d.river_b1.code, d.river_b1.pk, d.river_b1.name):
        response = client.get("/patrols/", {"river": value})
        assert response.context["filter"].errors["river"], value
        assert response.context["river"] is None
    twin = d.river_a2
    twin.name = d.river_a1.name
    twin.save()
    response = client.get("/patrols/", {"river": d.river_a1.name})
    assert response.context["filter"].errors["river"]


def test_the_list_prints_each_flag_of_a_patrol_as_a_tag(office, village):
    chief, river = chief_on_river(village)
    PatrolFactory(chief=chief, river=river, flags=["too_fast", "off_river"])
    PatrolFactory(chief=chief, river=river, started_at=START + timedelta(days=1), flags=[])
    html = office.get("/patrols/").content.decode()
    tag = '<span class="tag warn" title="真实性提示">{}</span> '
    assert tag.format("速度不合理") + tag.format("轨迹偏离河道") + "\n</td>" in html
    assert html.count('class="tag warn"') == 2


def test_a_villages_scope_is_its_own_region_and_a_towns_every_village_below_it(
    client, town_staff, village, other_village
):
    from core.models import Region
    from tests.factories import TownFactory, VillageFactory

    far_village = VillageFactory(parent=TownFactory())
    patrols = {}
    for region in (village, other_village, far_village):
        chief, river = chief_on_river(region)
        patrols[region.pk] = (chief, PatrolFactory(chief=chief, river=river))
        FindingFactory(patrol=patrols[region.pk][1], river=river, region=region)
    mine = patrols[village.pk][0].user
    seen = Patrol.objects.visible_to(mine)
    # An equality on the region (the planner walks the region's index by date), no prefix
    # subquery over the regions: the same rows as the prefix would give.
    assert Region._meta.db_table not in str(seen.query)
    assert list(seen) == [patrols[village.pk][1]]
    assert {f.region_id for f in Finding.objects.visible_to(mine)} == {village.pk}
    # The town's office: every village of its town, none of another town's.
    assert {p.region_id for p in Patrol.objects.visible_to(town_staff)} == {
        village.pk,
        other_village.pk,
    }
    client.force_login(patrols[far_village.pk][0].user)
    assert [p.pk for p in client.get("/patrols/").context["page"]] == [
        patrols[far_village.pk][1].pk
    ]


def test_the_phone_page_names_each_reach_with_its_river_in_constant_queries(
    client, two_towns, django_assert_num_queries
):
    d = two_towns
    client.force_login(d.chief_a1)
    client.get("/patrols/start/")
    # session, user, chief profile, rivers, reaches (with their river), the bell
    with django_assert_num_queries(6):
        html = client.get("/patrols/start/").content.decode()
    assert (
        f'<option value="{d.river_a1.pk}">{d.river_a1.name}（{d.river_a1.code}）</option>' in html
    )
    label = f"{d.border_river.name}·{d.reach_a1.name}"
    assert f'data-river="{d.border_river.pk}">{label}</option>' in html
