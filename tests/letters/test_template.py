import pytest
from django.core.exceptions import ValidationError

from letters import services, templating
from letters.models import LetterTemplate


@pytest.mark.parametrize(
    "source",
    [
        "{% for river in rivers %}{% if river.meets_target == False %}x{% endif %}{% endfor %}",
        "{{ rivers|length }}{{ rivers.0.name }}{{ None }}",
        "{% for k in attention %}{{ forloop.counter }}. {{ k }}{% endfor %}",
        '{{ chief.name|default:"河长" }}{% firstof patrols.done 0 %}',
    ],
)
def test_templates_using_known_fields_pass(source):
    templating.check(source)


def test_the_default_template_passes_its_own_check():
    templating.check(templating.DEFAULT_BODY)
    templating.check(templating.DEFAULT_SUBJECT)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("{{ chief.nmae }}", "chief.nmae"),
        ("{% for river in rivers %}{{ river.water_clas }}{% endfor %}", "river.water_clas"),
        ("{% if patrols.dnoe > 1 %}x{% endif %}", "patrols.dnoe"),
        ("{{ unknown }}", "unknown"),
        ("{{ chief.name|default:bogus.thing }}", "bogus.thing"),
        ("{% for r in rivers %}{% endfor %}{{ r.name }}", "r.name"),
        ("{% with x=totals.nope %}{{ x }}{% endwith %}", "totals.nope"),
    ],
)
def test_a_template_referencing_an_unknown_field_is_refused_with_the_field_named(
    town, town_staff, body, field
):
    with pytest.raises(ValidationError) as exc:
        services.save_template(town=town, subject="信", body=body, by=town_staff)
    assert field in exc.value.message_dict["body"][0]
    assert not LetterTemplate.objects.exists()


@pytest.mark.parametrize(
    "body",
    ["{% for x in rivers %}", "{% include 'base.html' %}", "{% load static %}", "{% debug %}"],
)
def test_broken_or_reaching_templates_are_refused(town, town_staff, body):
    with pytest.raises(ValidationError) as exc:
        services.save_template(town=town, subject="信", body=body, by=town_staff)
    assert "body" in exc.value.message_dict


def test_a_good_template_is_saved_and_used(town, town_staff):
    body = "{{ chief.name }}：{% for river in rivers %}{{ river.name }}{{ river.orders_open }}{% endfor %}"
    services.save_template(town=town, subject="{{ batch.month }}的信", body=body, by=town_staff)
    assert services.template_for(town=town) == ("{{ batch.month }}的信", body)


def test_a_village_chief_cannot_edit_the_template(town, village_chief):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.save_template(town=town, subject="x", body="y", by=village_chief)


def test_every_listed_field_renders():
    names = templating.field_names()
    assert "rivers[].water_class" in names
    assert "patrols.done" in names


@pytest.mark.parametrize(
    "body",
    ["{{ batch.number|divisibleby:0 }}", "{% querystring %}"],
)
def test_a_template_that_fails_when_rendered_is_refused_before_saving(town, town_staff, body):
    from letters.models import LetterTemplate

    with pytest.raises(ValidationError) as caught:
        services.save_template(town=town, subject="信", body=body, by=town_staff)
    assert "body" in caught.value.message_dict
    assert not LetterTemplate.objects.filter(town=town).exists()


NUMBERS = {"a": 1234567, "b": -12, "c": 99.5, "d": 0, "e": True, "f": None, "g": [3, 4.25]}
NUMBERS_SOURCE = (
    "{{ a }}|{{ b }}|{{ c }}|{{ d }}|{{ e }}|{{ f }}|{% for x in g %}{{ x }};{% endfor %}"
)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_numbers_print_as_the_language_formats_them(language):
    from django.template import Context
    from django.utils import translation

    with translation.override(language):
        localized = templating.compiled(NUMBERS_SOURCE).render(Context(NUMBERS, autoescape=False))
        assert templating.render(NUMBERS_SOURCE, NUMBERS) == localized
    assert localized == "1234567|-12|99.5|0|True|None|3;4.25;"


def test_numbers_are_grouped_when_the_settings_ask_for_thousands_separators(settings):
    settings.USE_THOUSAND_SEPARATOR = True
    settings.NUMBER_GROUPING = 3
    settings.THOUSAND_SEPARATOR = ","
    from django.utils import translation

    with translation.override("en"):
        assert templating.render("{{ a }}", NUMBERS) == "1,234,567"
