import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_only_the_closest_menu_entry_is_marked_active(client, town_staff):
    client.force_login(town_staff)
    items = client.get(reverse("rivers:chief-list")).context["nav_items"]
    active = [i["url"] for i in items if i["active"]]
    assert active == [reverse("rivers:chief-list")]
    items = client.get(reverse("rivers:river-list")).context["nav_items"]
    assert [i["url"] for i in items if i["active"]] == [reverse("rivers:river-list")]
