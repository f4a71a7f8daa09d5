"""One patrol's page: who may open it (the other town never; a village chief only their own),
a fixed number of queries, and its two blank forms written as the template wrote them."""

import pytest
from django.template import Context, Template
from django.utils import translation

from patrols import authenticity, services
from patrols.forms import FindingForm, ReviewForm
from patrols.models import AuthenticityPolicy, Patrol
from tests.patrols.factories import FindingFactory, PatrolFactory


@pytest.fixture
def patrols(two_towns):
    """A patrol of each village chief, and one of chief_a1 and of chief_b1 on the river
    across the border (each counts in its chief's own town)."""
    d = two_towns
    d.patrol_a1 = PatrolFactory(chief=d.chief_a1.chief, river=d.river_a1)
    d.patrol_a2 = PatrolFactory(chief=d.chief_a2.chief, river=d.river_a2)
    d.border_a1 = PatrolFactory(chief=d.chief_a1.chief, river=d.border_river, reach=d.reach_a1)
    d.border_b1 = PatrolFactory(chief=d.chief_b1.chief, river=d.border_river, reach=d.reach_b1)
    d.patrol_b2 = PatrolFactory(chief=d.chief_b2.chief, river=d.river_b2)
    return d


def status(client, user, patrol) -> int:
    client.force_login(user)
    return client.get(f"/patrols/{patrol.pk}/").status_code


def test_the_other_town_opens_none_of_this_towns_patrols(client, patrols):
    d = patrols
    for patrol in (d.patrol_a1, d.patrol_a2, d.border_a1):
        assert status(client, d.office_a, patrol) == 200
        assert status(client, d.office_b, patrol) == 404
    for patrol in (d.border_b1, d.patrol_b2):
        assert status(client, d.office_b, patrol) == 200
        assert status(client, d.office_a, patrol) == 404


def test_a_village_chief_opens_only_their_own_patrols(client, patrols):
    d = patrols
    assert status(client, d.chief_a1, d.patrol_a1) == 200
    assert status(client, d.chief_a1, d.border_a1) == 200
    assert status(client, d.chief_a1, d.patrol_a2) == 404
    assert status(client, d.chief_a1, d.border_b1) == 404
    assert status(client, d.chief_a2, d.patrol_a1) == 404


def test_the_page_runs_a_fixed_number_of_queries(client, patrols, jpeg, django_assert_num_queries):
    d = patrols
    client.force_login(d.office_a)
    client.get(f"/patrols/{d.patrol_a1.pk}/")
    # Session, user, region, the patrol, its findings, its track, its history, the chief of
    # the user, the unread notices.
    with django_assert_num_queries(9):
        assert client.get(f"/patrols/{d.patrol_a1.pk}/").status_code == 200
    # Flags: their thresholds (one query); findings: their photos (one query), however many.
    for _ in range(3):
        finding = FindingFactory(patrol=d.patrol_a1)
        services.add_finding_photo(finding=finding, by=d.chief_a1, upload=jpeg())
    Patrol.objects.filter(pk=d.patrol_a1.pk).update(flags=["too_short"])
    with django_assert_num_queries(11):
        response = client.get(f"/patrols/{d.patrol_a1.pk}/")
    body = response.content.decode()
    assert body.count("<img src=") == 3
    policy = AuthenticityPolicy.for_region(d.village_a1)
    rule = authenticity.describe(authenticity.Thresholds.of(policy))["too_short"]
    assert f"<dd>{rule}</dd>" in body


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("decision", ["none", "accepted", "rejected"])
def test_the_blank_forms_are_the_markup_the_template_wrote(client, patrols, language, decision):
    d = patrols
    d.patrol_a1.review = decision
    d.patrol_a1.save()
    client.force_login(d.office_a)
    client.cookies["django_language"] = language
    body = client.get(f"/patrols/{d.patrol_a1.pk}/").content.decode()
    with translation.override(language):
        review = Template(
            "{% for field in review_form %}<label>{{ field.label }}{{ field }}</label>{% endfor %}"
        ).render(Context({"review_form": ReviewForm(initial={"decision": decision})}))
        finding = Template("{{ finding_form.as_div }}").render(
            Context({"finding_form": FindingForm()})
        )
    assert 'class="filters">' in body
    assert review in body
    assert f"{finding}<button" in body
    assert f'<option value="{decision}" selected>' in review
