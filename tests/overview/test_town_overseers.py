"""Town chiefs who oversee the town read its orders and see their title (issue 10 item 5)."""

import pytest
from django.urls import reverse

from rivers.models import Chief

pytestmark = pytest.mark.django_db


def _order(d, village, chief_user=None):
    from datetime import date

    from directives import services
    from directives.models import Source

    office = d.office_a if village.code.startswith(d.town_a.code) else d.office_b
    river = d.river_a1 if office == d.office_a else d.river_b1
    return services.issue_directive(
        issued_by=office,
        river=river,
        title=f"{village.name}的督办单",
        description="河面漂浮垃圾",
        deadline=date(2030, 3, 10),
        source=Source.PHONE_REPORT,
        target_village=village,
        notify_target=False,
    )


@pytest.fixture
def orders(two_towns, settings):
    settings.SMS_BACKEND = "notices.sms.LocmemBackend"
    d = two_towns
    _order(d, d.village_a1)
    _order(d, d.village_a2)
    _order(d, d.village_b1)
    return d


def test_the_towns_first_chief_reads_the_towns_board_instead_of_an_empty_list(client, orders):
    d = orders
    client.force_login(d.town_chief_a)
    response = client.get(reverse("directives:order-board"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "待泾村的督办单" in html
    assert "秀州村的督办单" in html
    # Town B's orders stay in town B.
    assert "亭东村的督办单" not in html
    # Reading, not issuing.
    assert reverse("directives:order-create") not in html


def test_a_plain_town_chief_is_still_sent_to_their_own_orders(client, orders):
    d = orders
    d.town_chief_a.chief.title = Chief.Title.CHIEF
    d.town_chief_a.chief.save()
    client.force_login(d.town_chief_a)
    response = client.get(reverse("directives:order-board"))
    assert response.status_code == 302
    assert response["Location"] == reverse("directives:my-orders")


def test_the_town_statistics_count_only_the_overseers_town(client, orders):
    d = orders
    client.force_login(d.town_chief_b)
    from django.utils import timezone

    year = timezone.localdate().year
    stats = client.get(reverse("directives:statistics") + f"?year={year}")
    assert stats.status_code == 200
    assert stats.context["stats"]["total"]["issued"] == 1


def test_the_top_bar_names_the_first_chief_by_title(client, orders):
    client.force_login(orders.town_chief_a)
    html = client.get(reverse("rivers:river-list")).content.decode()
    assert '<span id="user-title">第一总河长</span>' in html

    client.force_login(orders.chief_a1)
    html = client.get(reverse("rivers:river-list")).content.decode()
    assert '<span id="user-title">村级河长</span>' in html
