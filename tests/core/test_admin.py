"""Every model of core and rivers has a working admin: list, search, add and change pages."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

APPS = ("core", "rivers")


@pytest.fixture
def superuser(town):
    return factories.UserFactory(
        username="root", is_superuser=True, is_staff=True, role="office", region=town
    )


def test_every_core_and_rivers_model_is_in_the_admin():
    from django.apps import apps

    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue
            assert admin.site.is_registered(model), model


def test_every_admin_page_renders(client, superuser, village):
    river = factories.RiverFactory(region=village)
    factories.ReachFactory(river=river)
    chief = factories.ChiefFactory(region=village)
    factories.AssignmentFactory(chief=chief, river=river)
    factories.SluiceGateFactory(river=river)
    factories.WaterBodyFactory(village=village)
    client.force_login(superuser)
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in APPS:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        assert client.get(changelist).status_code == 200, changelist
        if model_admin.search_fields:
            assert client.get(changelist, {"q": "测试"}).status_code == 200, changelist
        assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200
        obj = model.objects.first()
        if obj is not None:
            url = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
            assert client.get(url).status_code == 200, url


def test_the_admin_refuses_an_overlapping_assignment(client, superuser, village):
    river = factories.RiverFactory(region=village)
    factories.AssignmentFactory(chief=factories.ChiefFactory(region=village), river=river)
    other = factories.ChiefFactory(region=village)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:rivers_chiefassignment_add"),
        {
            "chief": other.pk,
            "river": river.pk,
            "level": "village",
            "duty": "responsible",
            "start_date": "2017-06-01",
        },
    )
    assert response.status_code == 200
    assert "时间不能重叠" in response.content.decode()
    # A handover through the admin goes through the service and ends the predecessor.
    response = client.post(
        reverse("admin:rivers_chiefassignment_add"),
        {
            "chief": other.pk,
            "river": river.pk,
            "level": "village",
            "duty": "responsible",
            "start_date": "2024-06-01",
        },
    )
    assert response.status_code == 302
    assert river.assignments.filter(end_date__isnull=True).get().chief == other


def test_a_token_created_in_the_admin_shows_its_key_once_and_works(client, superuser, api_client):
    from core.models import ApiToken

    client_user = factories.UserFactory(role="district_client", region=superuser.region.parent)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:core_apitoken_add"),
        {"user": client_user.pk, "name": "水务平台", "scope": "read"},
        follow=True,
    )
    message = next(str(m) for m in response.context["messages"])
    key = message.rsplit("：", 1)[1]
    token = ApiToken.objects.get()
    assert token.key_hash == ApiToken.hash_key(key)
    assert key not in (token.prefix + token.key_hash)
    ok = api_client.get("/api/v1/regions/", HTTP_AUTHORIZATION=f"Token {key}")
    assert ok.status_code == 200
