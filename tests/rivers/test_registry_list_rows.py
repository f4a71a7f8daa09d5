"""The registry list's rows are markup written in the view (rivers.views._dress_rows): the
same HTML as river_list.html's row wrote, in both languages, what users typed shown as text;
and the other town's rows never on a town's page."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from core.choices import ChiefLevel, WaterClass, labels
from rivers import selectors
from rivers.views import _dress_rows
from tests import factories

pytestmark = pytest.mark.django_db

TYPED = '<img src=x onerror="alert(1)">'

# The rows as river_list.html wrote them before the view wrote them (the loop, its whitespace).
TEMPLATE_ROWS = Template(
    """{% load i18n %}{% trans "已撤销" as revoked_word %}{% for river in page %}
  <tr>
    <td class="code">{{ river.code }}</td>
    <td><a href="{{ river.url }}">{{ river.name }}</a>{% if not river.is_active %} <span class="tag">{{ revoked_word }}</span>{% endif %}</td>
    <td>{{ river.level_label }}</td>
    <td class="num">{{ river.length_km }}</td>
    <td class="hide-sm">{{ river.region_name }}</td>
    <td class="hide-sm">{% if river.village_names %}{{ river.village_names }}{% else %}<span class="muted">—</span>{% endif %}</td>
    <td class="hide-sm"><span class="tag">{{ river.target_label }}</span></td>
    <td>{% if river.chief_names %}{{ river.chief_names }}{% else %}<span class="tag bad">{% trans "空缺" %}</span>{% endif %}</td>
  </tr>
  {% endfor %}"""
)


def as_template_wrote(rows: list[dict]) -> str:
    """The old view's fields (rivers.views._dress_rows before the rows were markup)."""
    from django.utils.translation import gettext as _

    levels, targets = labels(ChiefLevel), labels(WaterClass)
    page = []
    for row in rows:
        names = row["chiefs"]
        chief_names = "、".join(names[:3])
        if len(names) > 3:
            chief_names += _(" 等 %(n)s 人") % {"n": len(names)}
        page.append(
            {
                **row,
                "url": reverse("rivers:river-detail", args=[row["pk"]]),
                "level_label": levels.get(row["level"], row["level"]),
                "target_label": targets.get(row["target_class"], row["target_class"]),
                "village_names": "、".join(row["villages"]),
                "chief_names": chief_names,
            }
        )
    return TEMPLATE_ROWS.render(Context({"page": page}))


@pytest.fixture
def registry(two_towns):
    d = two_towns
    typed = factories.RiverFactory(
        name=TYPED, region=d.village_a1, regions=[d.village_a1, d.village_a2]
    )
    typed_village = factories.VillageFactory(parent=d.town_a, name=f"{TYPED}村")
    typed.regions.add(typed_village)
    factories.RiverFactory(
        name="撤销浜", region=d.village_a2, is_active=False, length_km=Decimal("123.45")
    )
    crowded = factories.RiverFactory(name="多人浜", region=d.village_a1, length_km=Decimal("0.25"))
    for duty in ("responsible", "deputy", "deputy", "deputy"):
        factories.AssignmentFactory(river=crowded, level="village", duty=duty)
    factories.RiverFactory(name="空缺浜", region=d.village_a2)
    return d


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_rows_are_what_the_template_wrote(registry, language):
    d = registry
    with translation.override(language):
        _filter, rivers = selectors.river_list(user=d.office_a)
        rows = selectors.registry_rows(list(rivers))
        assert len(rows) >= 6
        expected = as_template_wrote([dict(row) for row in rows])
        _dress_rows(rows)
        assert "".join(row["line"] for row in rows) == expected
    assert TYPED not in expected
    assert "&lt;img src=x" in expected


def test_the_page_shows_the_rows_and_not_the_other_towns(client, registry):
    d = registry
    client.force_login(d.office_b)
    page = client.get(reverse("rivers:river-list")).content.decode()
    assert d.border_river.name in page
    assert d.river_b1.name in page
    for river in (d.river_a1, d.river_a2):
        assert f">{river.name}<" not in page
    assert "多人浜" not in page
    assert "&lt;img" not in page
    client.force_login(d.office_a)
    page = client.get(reverse("rivers:river-list")).content.decode()
    assert d.border_river.name in page
    assert "多人浜" in page
    assert "&lt;img src=x" in page
    assert f">{d.river_b2.name}<" not in page
