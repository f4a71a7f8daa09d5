"""The chief's phone home puts their daily work first (issue 10 item 4)."""

from datetime import date

import pytest
import time_machine
from django.utils import timezone

from directives import services as directive_services
from directives.models import Source
from letters.models import Letter
from overview.chief_selectors import chief_home
from tests.letters.factories import BatchFactory, LetterFactory
from tests.patrols.factories import PatrolFactory

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(timezone.datetime(2026, 3, 20, 10, 0))


def _order(d, *, deadline, chief_user=None, village=None):
    return directive_services.issue_directive(
        issued_by=d.office_a,
        river=d.river_a1,
        title="河面漂浮垃圾",
        description="桥下有漂浮垃圾",
        deadline=deadline,
        source=Source.PHONE_REPORT,
        target_village=village,
        target_chief=chief_user.chief if chief_user else None,
        issued_on=date(2026, 3, 1),
        notify_target=False,
    )


@pytest.fixture
def work(two_towns, settings):
    settings.SMS_BACKEND = "notices.sms.LocmemBackend"
    d = two_towns
    with time_machine.travel(NOW, tick=False):
        _order(d, deadline=date(2026, 3, 10), chief_user=d.chief_a1)  # overdue
        _order(d, deadline=date(2026, 3, 30), village=d.village_a1)  # to do
        _order(d, deadline=date(2026, 3, 30), chief_user=d.chief_a2)  # someone else's
    batch = BatchFactory(town=d.town_a, month=date(2026, 3, 1))
    LetterFactory(batch=batch, chief=d.chief_a1.chief, status=Letter.Status.SENT, subject="三月")
    LetterFactory(
        batch=BatchFactory(town=d.town_a, month=date(2026, 2, 1)),
        chief=d.chief_a1.chief,
        status=Letter.Status.SENT,
        subject="二月",
        read_at=NOW,
    )
    PatrolFactory(
        chief=d.chief_a1.chief,
        river=d.river_a1,
        started_at=timezone.make_aware(timezone.datetime(2026, 3, 3, 9, 0)),
    )
    return d


def test_a_village_chiefs_home_counts_their_orders_letters_and_duty(work, client):
    with time_machine.travel(NOW, tick=False):
        home = chief_home(user=work.chief_a1)
    assert home.orders_todo == 2
    assert home.orders_overdue == 1
    assert home.letters_unread == 1
    assert [letter.subject for letter in home.latest_letters] == ["三月", "二月"]
    assert home.duty.done == 1
    assert home.duty.required > 1
    assert {r.name for r in home.rivers} == {work.river_a1.name, work.border_river.name}
    assert home.town_orders is None


def test_the_home_page_puts_start_patrol_and_my_orders_first(work, client):
    client.force_login(work.chief_a1)
    with time_machine.travel(NOW, tick=False):
        html = client.get("/").content.decode()
    assert html.index("开始巡河") < html.index("我的督办单") < html.index("我的河长信")
    assert 'id="orders-todo">2<' in html
    assert 'id="orders-overdue">1<' in html
    assert 'id="letters-unread">1<' in html
    # Registry statistics are the office's dashboard, not the chief's home.
    assert "座水闸" not in html


def test_the_chiefs_home_takes_a_constant_number_of_queries(
    work, client, django_assert_max_num_queries
):
    client.force_login(work.chief_a1)
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(22):
        assert client.get("/").status_code == 200


def test_a_town_chief_who_oversees_the_town_sees_its_order_counts_on_their_home(work, client):
    with time_machine.travel(NOW, tick=False):
        assert chief_home(user=work.town_chief_a).town_orders["open"] == 3
        # The other town's first chief counts none of town A's orders.
        assert chief_home(user=work.town_chief_b).town_orders["open"] == 0
        # A village chief is not a town overseer.
        assert chief_home(user=work.chief_a2).town_orders is None


def test_the_home_lists_a_chiefs_first_thirty_rivers_and_links_to_the_rest(two_towns, client):
    from tests import factories

    d = two_towns
    for n in range(31):
        river = factories.RiverFactory(region=d.village_a1, code=f"B-HOME-{n:02d}", level="village")
        factories.AssignmentFactory(chief=d.chief_a1.chief, river=river, level="village")
    client.force_login(d.chief_a1)
    html = client.get("/").content.decode()
    section = html[html.index('id="my-rivers"') :]
    assert section.count('<li><a href="/rivers/') == 30
    assert "全部 33 条河道" in section
