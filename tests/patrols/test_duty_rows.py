"""The duty table's rows are markup written in the view (patrols.views.duty._duty_lines): the
same HTML as duty.html's row wrote, in both languages, a name a user typed shown as text; a
town's table lists its own chiefs only (the border river's chiefs of the other town are not
its own), in a constant number of queries."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from tests import factories
from tests.patrols.factories import PatrolFactory

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
TYPED = '<img src=x onerror="alert(1)">'
URL = "/patrols/duty/?month=2018-03"

# The rows as duty.html wrote them before the view wrote them (the loop, its whitespace).
TEMPLATE_ROWS = Template(
    """{% load i18n %}{% for chief, d in rows %}
    <tr class="{% if d.behind %}behind{% endif %}"><td><a href="{% url 'patrols:patrol-list' %}?chief={{ chief.pk }}&amp;month={{ month|date:'Y-m' }}">{{ chief.user }}</a></td>
      <td>{{ chief.get_level_display }}</td><td>{{ chief.region.name }}</td>
      <td class="num">{{ d.done }}</td><td class="num">{{ d.required }}</td>
      <td>{% if d.behind %}<span class="tag bad">{% trans "未达标" context "patrol duty" %}</span> <small class="muted">{% for p in d.missed %}{{ p.span.key }}（{{ p.done }}/{{ p.required }}）{% if not forloop.last %}、{% endif %}{% endfor %}</small>
          {% elif d.required %}<span class="tag ok">{% trans "达标" context "patrol duty" %}</span>{% else %}<span class="muted">{% trans "本月无要求" %}</span>{% endif %}</td></tr>
  {% endfor %}"""
)


@pytest.fixture
def duty(two_towns):
    """March 2018 in town A: chief_a1 patrolled every week but one (behind, one week
    missed), chief_a2 never (behind, five weeks), the town chief once (met), a typed name
    without a river (nothing asked); town B's chief_b1 patrolled the border river."""
    d = two_towns
    for week in (0, 1, 3, 4):
        PatrolFactory(
            chief=d.chief_a1.chief,
            river=d.river_a1,
            started_at=datetime(2018, 3, 1 + 7 * week, 9, tzinfo=SH),
        )
    factories.AssignmentFactory(chief=d.town_chief_a.chief, river=d.river_a2, level="town")
    PatrolFactory(
        chief=d.town_chief_a.chief, river=d.river_a2, started_at=datetime(2018, 3, 9, tzinfo=SH)
    )
    typed = factories.UserFactory(
        username="typed", role="village_chief", region=d.village_a2, last_name=TYPED
    )
    factories.ChiefFactory(user=typed, region=d.village_a2, level="village")
    PatrolFactory(
        chief=d.chief_b1.chief,
        river=d.border_river,
        started_at=datetime(2018, 3, 2, 9, tzinfo=SH),
    )
    return d


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_rows_are_what_the_template_wrote(client, duty, language):
    client.force_login(duty.office_a)
    response = client.get(URL, headers={"accept-language": language})
    rows, lines = response.context["rows"], response.context["lines"]
    assert len(rows) == 4
    with translation.override(language):
        expected = TEMPLATE_ROWS.render(Context({"rows": rows, "month": response.context["month"]}))
    assert "".join(lines) == expected
    page = response.content.decode()
    assert expected in page
    assert "&lt;img src=x" in expected
    assert TYPED not in page
    # Behind with the missed weeks, met, and nothing asked: each kind of row is there.
    assert "2018-W11（0/1）" in expected
    assert expected.count('<tr class="behind">') == 2
    assert 'class="tag ok"' in expected
    with translation.override(language):
        assert translation.gettext("本月无要求") in expected


def test_a_towns_table_lists_its_own_chiefs_only(client, duty):
    d = duty
    client.force_login(d.office_b)
    page = client.get(URL).content.decode()
    assert str(d.chief_b1) in page
    for user in (d.chief_a1, d.chief_a2, d.town_chief_a):
        assert f">{user}<" not in page
    assert "&lt;img" not in page
    client.force_login(d.office_a)
    page = client.get(URL).content.decode()
    assert f">{d.chief_a1}<" in page
    for user in (d.chief_b1, d.chief_b2, d.town_chief_b):
        assert f">{user}<" not in page


def test_a_village_chief_sees_their_own_row_only(client, duty):
    d = duty
    client.force_login(d.chief_a1)
    response = client.get(URL)
    assert [chief.user for chief, _duty in response.context["rows"]] == [d.chief_a1]
    assert len(response.context["lines"]) == 1


def test_the_table_reads_the_rules_once(client, duty, django_assert_num_queries):
    """session, user, user's region, chiefs, rules (once, for the table and the rules printed
    above it), assignments, patrols, the region filter's regions, the unread notices, and
    the title's chief profile: 10 (11 when the rules were read twice), whatever the rows."""
    client.force_login(duty.office_a)
    with django_assert_num_queries(10):
        assert client.get(URL).status_code == 200
    for _n in range(5):
        factories.ChiefFactory(
            user=factories.UserFactory(role="village_chief", region=duty.village_a1),
            region=duty.village_a1,
            level="village",
        )
    with django_assert_num_queries(10):
        assert len(client.get(URL).context["lines"]) == 9
