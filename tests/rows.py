"""For the tests of the API lists' plain rows (core.rows)."""

import json

from rest_framework.renderers import JSONRenderer


def drf_json(serializer_class, objects) -> list[dict]:
    """DRF's field-by-field output for model instances, as the API's JSON carries it.

    A model instance takes DRF's own path through a ``RowsMixin`` serializer; the list's rows
    take ``row()``. A list's answer must equal this for the same objects in the same order.
    """
    return json.loads(JSONRenderer().render(serializer_class(objects, many=True).data))
