"""The chief's phone home puts their daily work first (issue 10 item 4)."""

from copy import copy
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from directives import services as directive_services
from directives.models import Source
from letters.models import Letter
from overview.chief_selectors import chief_home
from tests.letters.factories import BatchFactory, LetterFactory
from tests.patrols.factories import PatrolFactory

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(timezone.datetime(2026, 3, 20, 10, 0))
TYPED = '<img src=x onerror="alert(1)">'


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


# The home's reads (issue 15): a constant, smaller number of queries; the rivers written by the
# view as the template wrote them; nothing of another town or another village on a home.


def test_a_village_chiefs_home_takes_eleven_queries(work, client, django_assert_num_queries):
    """session, user, rivers, the chief with their region (the orders' scope, the duty's
    rules and the overseer check read it), order counts, urgent orders, letters with the
    unread count, rules, assignments, patrols, unread notices: 11 (14 before)."""
    client.force_login(work.chief_a1)
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(11):
        assert client.get("/").status_code == 200


def test_a_town_overseers_home_takes_twelve_queries(work, client, django_assert_num_queries):
    client.force_login(work.town_chief_a)
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(12):
        html = client.get("/").content.decode()
    assert 'id="town-orders"' in html


def test_the_unread_count_counts_letters_beyond_the_three_shown(two_towns):
    d = two_towns
    chief = d.chief_a1.chief
    for month in range(1, 6):
        LetterFactory(
            batch=BatchFactory(town=d.town_a, month=date(2025, month, 1)),
            chief=chief,
            status=Letter.Status.SENT,
            subject=f"{month}月",
            read_at=NOW if month > 2 else None,  # the two oldest, not shown, are unread
        )
    # Another chief's unread letter and an unsent one of theirs count for nothing.
    LetterFactory(
        batch=BatchFactory(town=d.town_a, month=date(2025, 6, 1)),
        chief=d.chief_a2.chief,
        status=Letter.Status.SENT,
    )
    LetterFactory(
        batch=BatchFactory(town=d.town_a, month=date(2025, 7, 1)),
        chief=chief,
        status=Letter.Status.PENDING,
    )
    home = chief_home(user=d.chief_a1, at=NOW)
    assert [letter.subject for letter in home.latest_letters] == ["5月", "4月", "3月"]
    assert home.letters_unread == 2
    nothing = chief_home(user=d.chief_b1, at=NOW)
    assert (nothing.latest_letters, nothing.letters_unread) == ([], 0)


def test_nothing_of_another_town_or_village_is_on_a_chiefs_home(work, client):
    d = work
    with time_machine.travel(NOW, tick=False):
        other_town = chief_home(user=d.chief_b1)
        neighbour = chief_home(user=d.chief_a2)
        own = chief_home(user=d.chief_a1)
    # Town B's village chief: none of town A's orders; the border river, not town A's river.
    assert (other_town.orders_todo, other_town.orders_overdue, other_town.urgent_orders) == (
        0,
        0,
        [],
    )
    assert {r.name for r in other_town.rivers} == {d.river_b1.name, d.border_river.name}
    # The neighbouring village's chief: only the order addressed to them.
    assert neighbour.orders_todo == 1
    assert [o.target_chief_id for o in neighbour.urgent_orders] == [d.chief_a2.chief.pk]
    assert {r.name for r in neighbour.rivers} == {d.river_a2.name}
    # Their own: the overdue one first, flagged.
    assert [o.overdue for o in own.urgent_orders] == [True, False]
    assert all(o.river.name == d.river_a1.name for o in own.urgent_orders)
    client.force_login(d.chief_b1)
    with time_machine.travel(NOW, tick=False):
        html = client.get("/").content.decode()
    assert "河面漂浮垃圾" not in html
    assert f">{d.river_a1.name}<" not in html
    assert f">{d.border_river.name}<" in html


# The rivers as chief_home.html's loop wrote them before the view wrote them.
TEMPLATE_RIVERS = Template(
    """{% load links %}{% for r in rivers %}
    <li><a href="{{ r.pk|link:'rivers:river-detail' }}">{{ r.name }}</a> <small class="muted code">{{ r.code }}</small></li>
  {% endfor %}"""
)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_rivers_are_what_the_template_wrote(two_towns, client, language):
    from tests import factories

    d = two_towns
    typed = factories.RiverFactory(region=d.village_a1, name=TYPED, code="B-<b>&1", level="village")
    factories.AssignmentFactory(chief=d.chief_a1.chief, river=typed, level="village")
    client.force_login(d.chief_a1)
    response = client.get("/", headers={"accept-language": language})
    rivers = response.context["home"].rivers
    assert len(rivers) == 3
    with translation.override(language):
        expected = TEMPLATE_RIVERS.render(Context({"rivers": rivers}))
    assert "".join(response.context["river_lines"]) == expected
    page = response.content.decode()
    assert expected in page
    assert TYPED not in page
    assert "&lt;img src=x" in page
    assert "B-&lt;b&gt;&amp;1" in page


def test_a_village_chiefs_order_counts_read_the_village_status_index(work):
    """The village's open orders come from ``directive_village_status`` (directives/0006),
    not from the open orders of the whole district ANDed with all of the village's: 100
    villages of 100 orders, a quarter of them open, as a district has them (bench_big: 523
    orders in the village, 132 open; 25,000 open in all)."""
    if connection.vendor != "postgresql":
        pytest.skip("the index is built on PostgreSQL only")
    from directives.models import Directive, Status
    from directives.selectors import chief_order_counts
    from tests import factories

    d = work
    villages = [d.village_a1] + [factories.VillageFactory(parent=d.town_a) for _ in range(99)]
    model = Directive.objects.filter(target_village__isnull=False).first()
    others = []
    for n in range(10_000):
        other = copy(model)
        other.pk, other.serial, other.number = None, 1000 + n, f"X-{n}"
        other.target_village = villages[n % 100]
        other.status = Status.ISSUED if n % 400 < 100 else Status.CLOSED  # a quarter open
        others.append(other)
    Directive.objects.bulk_create(others)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE directives_directive")
    with CaptureQueriesContext(connection) as captured:
        assert chief_order_counts(user=d.chief_a1, at=NOW)["todo"] == 2 + 25
    (query,) = captured.captured_queries
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {query['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "directive_village_status" in plan, plan
    assert "directive_status_deadline" not in plan, plan
