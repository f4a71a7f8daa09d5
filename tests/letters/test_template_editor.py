"""The template editor: a Chinese field picker with descriptions, a live preview for a chosen
chief, and still no saving of a template that names an unknown field."""

import pytest

from letters import services, templating

pytestmark = pytest.mark.django_db


def test_every_field_a_template_may_use_has_a_chinese_name_and_a_description():
    names = [n for n in templating.field_names() if not n.endswith("[]")]
    for name in names:
        label, description = templating.FIELD_LABELS[name]
        assert label, name
        assert description, name
        assert not str(label).isascii(), name
    picked = [f["name"] for g in templating.field_picker() for f in g["fields"]]
    assert "river.water_class" in picked
    assert "chief.name" in picked


def test_every_snippet_the_picker_inserts_passes_the_check():
    for group in templating.field_picker():
        if group["insert"]:
            templating.check(group["insert"])
        for field in group["fields"]:
            snippet = field["insert"]
            if field["name"].startswith("river."):
                snippet = "{% for river in rivers %}" + snippet + "{% endfor %}"
            templating.check(snippet)


def test_the_editor_shows_chinese_names_not_the_raw_field_list(client, two_towns):
    client.force_login(two_towns.office_a)
    page = client.get("/letters/template/").content.decode()
    assert "水质目标" in page
    assert "河长姓名" in page
    assert 'data-insert="{{ chief.name }}"' in page
    assert 'id="preview-chief"' in page
    editor = page.split('class="grid2 template-editor"', 1)[1]
    assert "onclick" not in editor
    assert "onchange" not in editor
    assert "<script>" not in editor  # behaviour lives in letters/static/letters/letters.js
    assert "letters/letters.js" in page


def test_the_preview_renders_the_template_for_the_chosen_chief(client, two_towns):
    d = two_towns
    client.force_login(d.office_a)
    response = client.post(
        "/letters/template/preview/",
        {
            "town": d.town_a.pk,
            "chief": d.chief_a1.chief.pk,
            "subject": "致{{ chief.name }}",
            "body": "{% for river in rivers %}{{ river.name }}；{% endfor %}",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f"致{d.chief_a1.chief.user}" in html
    assert d.river_a1.name in html
    assert d.border_river.name in html
    assert d.river_b1.name not in html


def test_the_preview_names_an_unknown_field_and_saving_it_is_refused(client, two_towns):
    d = two_towns
    client.force_login(d.office_a)
    bad = {"subject": "致河长", "body": "{{ chief.name }}：{{ chief.nmae }}"}
    html = client.post(
        "/letters/template/preview/", {"town": d.town_a.pk, "chief": d.chief_a1.chief.pk, **bad}
    ).content.decode()
    assert "未知字段" in html
    assert "chief.nmae" in html
    page = client.post("/letters/template/", {"town": d.town_a.pk, **bad}).content.decode()
    assert "未知字段" in page
    assert not services.LetterTemplate.objects.filter(town=d.town_a).exists()


def test_the_preview_is_for_the_office_of_the_chiefs_own_town_only(client, two_towns):
    d = two_towns
    data = {"chief": d.chief_a1.chief.pk, "subject": "x", "body": "{{ chief.name }}"}
    client.force_login(d.office_b)  # town B's office cannot preview town A's chief
    html = client.post("/letters/template/preview/", data).content.decode()
    assert str(d.chief_a1.chief.user) not in html
    assert "请选择一位河长" in html
    client.force_login(d.chief_a1)
    assert client.post("/letters/template/preview/", data).status_code == 403
