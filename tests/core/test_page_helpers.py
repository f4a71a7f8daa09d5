"""The helpers that keep HTML pages cheap at district scale: a long select rendered in Python,
a paginator that reads a deep page's ids first, and scopes that gather region ids once."""

import re
from datetime import date

import pytest
from django import forms
from django.core.paginator import Paginator
from django.urls import reverse

from core.lookups import IdArray
from core.paginator import IdsFirstPaginator
from core.params import page_number
from core.widgets import LongSelect
from directives import services
from directives.models import Directive, Source
from patrols.models import Patrol
from rivers.models import River
from rivers.selectors import river_changes
from tests import factories

pytestmark = pytest.mark.django_db

OPTION = re.compile(r'<option value="([^"]*)"( selected)?>([^<]*)</option>')


def options(html: str) -> list[tuple[str, bool, str]]:
    return [(v, bool(s), label) for v, s, label in OPTION.findall(html)]


def test_it_renders_the_options_djangos_select_renders(two_towns):
    factories.RiverFactory(name='"引号" & <河>', region=two_towns.village_a1)

    def form(widget):
        class RiverForm(forms.Form):
            river = forms.ModelChoiceField(queryset=River.objects.order_by("code"), widget=widget)

        return RiverForm({"river": two_towns.river_a2.pk})

    stock = str(form(forms.Select)["river"])
    for widget in (LongSelect, LongSelect(label_field="name")):
        mine = str(form(widget)["river"])
        assert options(mine) == options(stock)
        assert len(options(mine)) == River.objects.count() + 1  # and the empty choice
        assert 'name="river"' in mine
        assert "&quot;引号&quot; &amp; &lt;河&gt;" in mine


def test_it_reads_a_model_choice_by_one_column_in_one_query(two_towns, django_assert_num_queries):
    for n in range(20):
        factories.RiverFactory(name=f"河{n}", region=two_towns.village_a1)

    class RiverForm(forms.Form):
        river = forms.ModelChoiceField(
            queryset=River.objects.all(), widget=LongSelect(label_field="name")
        )

    with django_assert_num_queries(1):
        html = str(RiverForm()["river"])
    assert html.count("<option") == River.objects.count() + 1


def test_the_ids_first_paginator_gives_djangos_pages(two_towns, django_assert_num_queries):
    chief = two_towns.chief_a1.chief
    for n in range(7):
        factories_patrol(chief, two_towns.river_a1, day=n + 1)
    queryset = Patrol.objects.select_related("river").order_by("-started_at", "-id")
    for number in (1, 2, 3):
        stock = Paginator(queryset, 3).page(number)
        with django_assert_num_queries(3):  # count, the page's ids, its rows
            mine = IdsFirstPaginator(queryset, 3).page(number)
            names = [p.river.name for p in mine]  # joined in, no query per row
        assert [p.pk for p in mine] == [p.pk for p in stock]
        assert names == [p.river.name for p in stock]
        assert (mine.has_next(), mine.paginator.num_pages) == (stock.has_next(), 3)


def factories_patrol(chief, river, *, day: int) -> Patrol:
    from datetime import UTC, datetime

    started = datetime(2024, 5, day, 8, tzinfo=UTC)
    return Patrol.objects.create(
        chief=chief,
        region=chief.region,
        level=chief.level,
        river=river,
        recorded_by=chief.user,
        started_at=started,
        ended_at=started.replace(hour=9),
        status="finished",
    )


def test_the_patrol_list_reads_a_deep_page_in_as_many_queries_as_the_first(
    client, two_towns, django_assert_max_num_queries
):
    chief = two_towns.chief_a1.chief
    for n in range(65):
        factories_patrol(chief, two_towns.river_a1, day=1 + n % 28)
    client.force_login(two_towns.office_a)
    with django_assert_max_num_queries(20) as first:
        client.get(reverse("patrols:patrol-list"))
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(reverse("patrols:patrol-list"), {"page": 3})
    assert len(response.context["page"]) == 5
    client.force_login(two_towns.office_b)  # the other town sees none of them
    assert client.get(reverse("patrols:patrol-list")).context["page"].paginator.count == 0


def test_page_numbers_read_by_hand_never_fail():
    assert page_number({}) == 1
    assert page_number({"page": "3"}) == 3
    assert page_number({"page": "0"}) == 1
    assert page_number({"page": "x"}) == 1
    assert page_number({"page": "9" * 40}) == 10**9


def test_each_town_office_sees_its_own_orders_and_the_other_does_not(two_towns):
    def issue(office, river, village):
        return services.issue_directive(
            issued_by=office,
            river=river,
            title="河面漂浮垃圾",
            description="桥下有漂浮垃圾",
            deadline=date(2026, 3, 10),
            issued_on=date(2026, 3, 1),
            source=Source.PHONE_REPORT,
            target_village=village,
        )

    mine = issue(two_towns.office_a, two_towns.river_a1, two_towns.village_a1)
    theirs = issue(two_towns.office_b, two_towns.river_b1, two_towns.village_b1)
    assert list(Directive.objects.visible_to(two_towns.office_a)) == [mine]
    assert list(Directive.objects.visible_to(two_towns.office_b)) == [theirs]
    assert list(Directive.objects.visible_to(two_towns.chief_a1)) == [mine]
    assert list(Directive.objects.visible_to(two_towns.chief_a2)) == []
    assert set(Directive.objects.visible_to(two_towns.inspector)) == {mine, theirs}


def test_a_river_loaded_without_history_shows_no_changes(two_towns):
    river = two_towns.river_a1
    river.history.all().delete()  # as a bulk import leaves it
    assert river_changes(river) == []


def test_the_any_lookup_finds_what_in_finds(two_towns):
    ids = [two_towns.river_a1.pk, two_towns.river_b2.pk, 10**12]
    found = set(River.objects.filter(pk__any=ids).values_list("pk", flat=True))
    assert found == set(River.objects.filter(pk__in=ids).values_list("pk", flat=True))
    assert len(found) == 2
    # on a foreign key too, and an empty list matches nothing
    by_river = Patrol.objects.filter(river_id__any=ids)
    assert list(by_river) == list(Patrol.objects.filter(river_id__in=ids))
    assert not River.objects.filter(pk__any=[]).exists()
    assert River.objects.exclude(pk__any=[]).count() == River.objects.count()


def test_ids_held_in_an_id_array_find_what_the_list_finds(two_towns):
    ids = IdArray([two_towns.river_a1.pk, str(two_towns.river_b2.pk), 10**12])
    assert len(ids) == 3
    assert ids == IdArray(ids.ids)
    rivers = River.objects.filter(pk__any=ids)
    assert set(rivers.values_list("pk", flat=True)) == {
        two_towns.river_a1.pk,
        two_towns.river_b2.pk,
    }
    # the same array sent by two queries of one queryset, and on a foreign key
    assert rivers.count() == 2
    assert list(Patrol.objects.filter(river_id__any=ids)) == list(
        Patrol.objects.filter(river_id__in=ids.ids)
    )
    assert not River.objects.filter(pk__any=IdArray([])).exists()


def test_the_ids_first_paginator_reads_the_rows_from_its_own_queryset(
    two_towns, django_assert_num_queries
):
    from django.db.models import Count

    chief = two_towns.chief_a1.chief
    for n in range(5):
        factories_patrol(chief, two_towns.river_a1, day=n + 1)
    rivers = River.objects.order_by("code")
    rows = River.objects.annotate(n_patrols=Count("patrols"))
    with django_assert_num_queries(3):  # count, ids, rows: the count groups nothing
        page = IdsFirstPaginator(rivers, 2, rows=rows).page(1)
        counts = {r.pk: r.n_patrols for r in page}
    assert [r.pk for r in page] == [r.pk for r in rivers[:2]]
    assert counts == {r.pk: r.patrols.count() for r in rivers[:2]}


def test_the_counted_paginator_does_not_count_again(two_towns, django_assert_num_queries):
    from core.paginator import CountedPaginator

    rivers = River.objects.order_by("code")
    total = rivers.count()
    with django_assert_num_queries(1):  # the page's rows only
        page = CountedPaginator(rivers, 2, count=total).page(3)
        shown = [r.pk for r in page]
    assert shown == [r.pk for r in rivers[4:6]]
    assert page.paginator.num_pages == -(-total // 2)
