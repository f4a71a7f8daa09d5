"""Issue 13, item 8: the timeline and track answer bare lists, and the schema says so."""

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.mark.parametrize(
    "path", ["/api/v1/directives/{id}/timeline/", "/api/v1/patrols/{id}/points/"]
)
def test_the_schema_promises_the_bare_list_the_action_answers(path):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    answer = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    assert answer["schema"]["type"] == "array"
