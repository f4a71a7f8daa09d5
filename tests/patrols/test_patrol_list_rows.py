"""The patrol list's rows are markup written in the view (patrols.views.patrols._dress_rows):
the same HTML as the template's row wrote from the patrol's own fields, in both languages,
and what users typed shows as text."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.rows import display_name
from core.templatetags.numbers import km
from patrols import authenticity
from patrols.models import Patrol
from tests.factories import ReachFactory
from tests.patrols.factories import FindingFactory, PatrolFactory, chief_on_river

START = datetime(2018, 3, 5, 1, 0, tzinfo=UTC)
TYPED = '<img src=x onerror="alert(1)">'

# The row as patrol_list.html wrote it before the view wrote it (the loop, its whitespace).
TEMPLATE_ROWS = Template(
    """{% load i18n %}{% for p in page %}
    <tr class="{% if p.flags %}flag{% endif %}">
      <td><a href="{{ p.url }}">{{ p.started_text }}</a></td>
      <td>{{ p.chief_name }}{% if p.walker_name %}<br><small class="muted">{% blocktrans with w=p.walker_name %}{{ w }} 代巡{% endblocktrans %}</small>{% endif %}<br><small class="muted">{{ p.level_label }} · {{ p.region_name }}</small></td>
      <td>{{ p.river_name }}{% if p.has_reach %}<br><small class="muted">{{ p.reach_name }}</small>{% endif %}</td>
      <td class="num">{{ p.duration_text }}</td>
      <td class="num">{{ p.distance_text }}</td>
      <td class="num">{{ p.finding_count }}</td>
      <td>{% if p.status == "in_progress" %}<span class="tag">{{ p.status_label }}</span>{% endif %}
          {% if p.review == "rejected" %}<span class="tag bad">{{ p.review_label }}</span>{% elif p.review == "accepted" %}<span class="tag ok">{{ p.review_label }}</span>{% endif %}
          {% for label in p.flag_labels %}<span class="tag warn" title="{{ flag_title }}">{{ label }}</span> {% endfor %}
</td>
    </tr>
  {% endfor %}"""
)


def as_template_wrote(patrols: list[Patrol]) -> str:
    rows = []
    for p in patrols:
        user = p.chief.user
        minutes = Patrol.minutes_between(p.started_at, p.ended_at)
        rows.append(
            {
                "url": reverse("patrols:patrol-detail", args=[p.pk]),
                "started_text": timezone.localtime(p.started_at).strftime("%Y-%m-%d %H:%M"),
                "chief_name": display_name(user.last_name, user.first_name, user.username),
                "walker_name": p.walker_name,
                "level_label": p.get_level_display(),
                "region_name": p.region.name,
                "river_name": p.river.name,
                "has_reach": p.reach_id is not None,
                "reach_name": p.reach.name if p.reach_id else None,
                "duration_text": "—" if minutes is None else _("%(m)s 分钟") % {"m": minutes},
                "distance_text": km(p.distance_km),
                "finding_count": p.findings.count(),
                "status": p.status,
                "status_label": p.get_status_display(),
                "review": p.review,
                "review_label": p.get_review_display(),
                "flags": p.flags,
                "flag_labels": [str(authenticity.LABELS.get(f, "")) for f in p.flags],
            }
        )
    return TEMPLATE_ROWS.render(Context({"page": rows, "flag_title": _("真实性提示")}))


@pytest.fixture
def patrols(village):
    village.name = f"村{TYPED}"
    village.save()
    chief, river = chief_on_river(village)
    chief.user.last_name, chief.user.first_name = "张&", TYPED
    chief.user.save()
    river.name = f"河{TYPED}"
    river.save()
    reach = ReachFactory(river=river, name=f"段{TYPED}")
    made = [
        PatrolFactory(
            chief=chief,
            river=river,
            reach=reach,
            started_at=START,
            ended_at=START + timedelta(minutes=95),
            distance_m=12_345_678,
            walker_name=f"李{TYPED}",
            review="accepted",
            flags=["too_short", "off_river"],
        ),
        PatrolFactory(
            chief=chief,
            river=river,
            started_at=START + timedelta(hours=1),
            review="rejected",
            flags=["not_a_flag_any_more"],
            distance_m=0,
        ),
        PatrolFactory(
            chief=chief,
            river=river,
            started_at=START + timedelta(hours=2),
            status="in_progress",
            ended_at=None,
            distance_m=5,
        ),
        PatrolFactory(chief=chief, river=river, started_at=START + timedelta(hours=3)),
    ]
    FindingFactory(patrol=made[0])
    FindingFactory(patrol=made[0])
    return made


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_rows_are_the_html_the_template_wrote(client, town_staff, patrols, language):
    client.force_login(town_staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get("/patrols/").content.decode()
    shown = html.split("<tbody>\n  ", 1)[1].split("\n  </tbody>", 1)[0]
    newest_first = sorted(patrols, key=lambda p: p.started_at, reverse=True)
    with translation.override(language):
        expected = as_template_wrote(newest_first)
    assert shown.splitlines() == expected.splitlines()


def test_what_users_typed_shows_as_text(client, town_staff, patrols):
    client.force_login(town_staff)
    html = client.get("/patrols/").content.decode()
    assert TYPED not in html
    escaped = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    for text in (f"河{escaped}", f"段{escaped}", f"村{escaped}", f"李{escaped} 代巡", "张&amp;"):
        assert text in html, text
