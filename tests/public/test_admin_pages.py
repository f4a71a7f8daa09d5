"""The admin of the public, smallwater and smartwater apps renders; publishing a chief's phone
there goes through the service (the office's own town only)."""

from datetime import date

import pytest
from django.contrib import admin
from django.urls import reverse

from public import services
from public.models import PublishedChiefPhone
from smallwater.services import record_inspection
from smartwater.services import register_site
from tests import factories

pytestmark = pytest.mark.django_db
APPS = ("public", "smallwater", "smartwater")


def test_every_model_is_in_the_admin_and_its_pages_render(client, two_towns):
    from django.apps import apps

    d = two_towns
    root = factories.UserFactory(
        username="root", is_superuser=True, is_staff=True, role="office", region=d.town_a
    )
    services.submit_report(river=d.river_a1, category="garbage", text="河面垃圾较多", address="x")
    services.save_article(by=d.office_a, title="报道", body="正文")
    services.set_office_contact(town=d.town_a, by=d.office_a, phone="021-57310000")
    services.create_open311_client(name="app")
    record_inspection(
        water_body=factories.WaterBodyFactory(village=d.village_a1),
        by=d.office_a,
        classification="good",
        inspected_on=date(2018, 1, 3),
    )
    register_site(
        by=d.office_a,
        code="JC-1",
        name="点",
        river=d.river_a1,
        gate=None,
        status="proposed",
        latitude="30.9",
        longitude="121.1",
        parameters=[],
        notes="",
    )
    client.force_login(root)
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical") or model._meta.auto_created:
                continue
            if model.__name__ == "ReportPhoto":  # shown inline on its report
                continue
            assert admin.site.is_registered(model), model
            info = (model._meta.app_label, model._meta.model_name)
            changelist = reverse("admin:{}_{}_changelist".format(*info))
            assert client.get(changelist).status_code == 200, changelist
            obj = model.objects.first()
            if obj is not None:
                url = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
                assert client.get(url).status_code == 200, url


def test_publishing_a_chiefs_phone_in_the_admin_is_refused_for_another_town(client, two_towns):
    d = two_towns
    from django.contrib.auth.models import Permission

    staff_b = factories.UserFactory(
        username="staff-b", is_staff=True, role="office", region=d.town_b
    )
    staff_b.user_permissions.add(
        *Permission.objects.filter(codename__endswith="publishedchiefphone")
    )
    client.force_login(staff_b)
    url = reverse("admin:public_publishedchiefphone_add")
    response = client.post(url, {"chief": d.chief_a1.chief.pk, "phone": "021-1"})
    assert response.status_code == 403
    assert not PublishedChiefPhone.objects.exists()
