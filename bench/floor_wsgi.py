"""The bench's WSGI entry: the whole application, plus two reference endpoints of its own.

``/__floor__/rivers/`` is the floor: a raw keyset SQL page of 50 rivers joined to their
village, serialised with ``json.dumps``; ``/__stock__/rivers/`` is the same rows through a
stock DRF ModelSerializer with cursor pagination. Both live here, served by the same gunicorn
as the application in the same round, and never in the application itself.

    gunicorn --pythonpath bench floor_wsgi:application
"""

import json
import os
import sys
from pathlib import Path
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.wsgi import get_wsgi_application

django_application = get_wsgi_application()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework import generics, pagination, serializers  # noqa: E402
from rest_framework.permissions import AllowAny  # noqa: E402

from rivers.models import River  # noqa: E402

FLOOR_SQL = """
    SELECT r.id, r.code, r.name, r.level, r.length_km, r.region_id, g.name
    FROM rivers_river r JOIN core_region g ON g.id = r.region_id
    WHERE r.code > %s ORDER BY r.code LIMIT 50
"""
COLUMNS = ["id", "code", "name", "level", "length_km", "region", "region_name"]


def floor(environ, start_response):
    after = parse_qs(environ.get("QUERY_STRING", "")).get("after", [""])[0]
    close_old_connections()
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, [after])
        rows = [dict(zip(COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        row["length_km"] = str(row["length_km"])
    body = json.dumps(
        {"next": rows[-1]["code"] if rows else None, "results": rows}, ensure_ascii=False
    ).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


class StockRiverSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = River
        fields = ["id", "code", "name", "level", "length_km", "region", "region_name"]


class StockPagination(pagination.CursorPagination):
    ordering = "code"
    page_size = 50


class StockRiverList(generics.ListAPIView):
    """How DRF is written by the book: ModelSerializer, select_related, cursor pagination."""

    queryset = River.objects.select_related("region")
    serializer_class = StockRiverSerializer
    pagination_class = StockPagination
    authentication_classes = []
    permission_classes = [AllowAny]
    filter_backends = []


class StockHandler(WSGIHandler):
    """The application's own handler and middleware, resolving with this module's URLs."""

    def get_response(self, request):
        request.urlconf = __name__
        return super().get_response(request)


urlpatterns = [path("__stock__/rivers/", StockRiverList.as_view())]
stock_application = StockHandler()


def application(environ, start_response):
    path_info = environ.get("PATH_INFO", "")
    if path_info == "/__floor__/rivers/":
        return floor(environ, start_response)
    if path_info == "/__stock__/rivers/":
        return stock_application(environ, start_response)
    return django_application(environ, start_response)
