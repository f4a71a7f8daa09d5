from rest_framework import serializers

from core.models import Region
from core.rows import RowsMixin


class RegionSerializer(RowsMixin, serializers.ModelSerializer):
    ROW = ("pk", "code", "name", "kind", "parent_id")  # a list's columns (core.rows)

    class Meta:
        model = Region
        fields = ["id", "code", "name", "kind", "parent"]

    def row(self, r) -> dict:
        return {"id": r.pk, "code": r.code, "name": r.name, "kind": r.kind, "parent": r.parent_id}
