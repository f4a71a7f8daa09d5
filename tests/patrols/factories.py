"""Factories for patrols, findings and track points."""

import io
import uuid
from datetime import UTC, datetime, timedelta

import factory
from PIL import ExifTags, Image

from patrols.models import Finding, Patrol, TrackPoint
from tests.factories import AssignmentFactory, ChiefFactory, RiverFactory, UserFactory


class PatrolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patrol

    client_id = factory.LazyFunction(uuid.uuid4)
    chief = factory.SubFactory(ChiefFactory)
    region = factory.LazyAttribute(lambda o: o.chief.region)
    level = factory.LazyAttribute(lambda o: o.chief.level)
    river = factory.SubFactory(RiverFactory)
    recorded_by = factory.LazyAttribute(lambda o: o.chief.user)
    source = Patrol.Source.MANUAL
    status = Patrol.Status.FINISHED
    started_at = datetime(2018, 3, 5, 1, 0, tzinfo=UTC)
    ended_at = factory.LazyAttribute(lambda o: o.started_at + timedelta(minutes=45))
    distance_m = 2400


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    client_id = factory.LazyFunction(uuid.uuid4)
    patrol = factory.SubFactory(PatrolFactory)
    river = factory.LazyAttribute(lambda o: o.patrol.river)
    region = factory.LazyAttribute(lambda o: o.patrol.region)
    category = Finding.Category.GARBAGE
    note = "河面有漂浮垃圾"
    found_at = factory.LazyAttribute(lambda o: o.patrol.started_at + timedelta(minutes=5))
    reported_by = factory.LazyAttribute(lambda o: o.patrol.chief.user)


def chief_on_river(region, *, level="village", role="village_chief", river=None):
    """A chief (with user) in ``region`` assigned to ``river`` (a new one by default)."""
    user = UserFactory(role=role, region=region)
    chief = ChiefFactory(user=user, level=level, region=region)
    river = river or RiverFactory(region=region, level=level)
    AssignmentFactory(chief=chief, river=river, level=level)
    return chief, river


def track(start: datetime, *, n=12, step_s=60, lat=30.9, lon=121.17, dlat=0.0009, dlon=0.0):
    """``n`` points every ``step_s`` seconds moving ``dlat`` degrees (~100 m) north each."""
    return [
        {
            "recorded_at": start + timedelta(seconds=i * step_s),
            "latitude": lat + i * dlat,
            "longitude": lon + i * dlon,
        }
        for i in range(n)
    ]


def store_track(patrol, points):
    TrackPoint.objects.bulk_create(TrackPoint(patrol=patrol, **p) for p in points)


def make_jpeg(*, taken: datetime | None = None, gps=True, size=(64, 48), extra=True) -> bytes:
    img = Image.new("RGB", size, (30, 120, 200))
    exif = Image.Exif()
    if extra:
        exif[ExifTags.Base.Make] = "ACME"
        exif[ExifTags.Base.Model] = "Phone 9"
        exif[ExifTags.Base.Artist] = "张三"
        exif[ExifTags.Base.BodySerialNumber] = "SN-12345"
    if taken is not None:
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken.strftime(
            "%Y:%m:%d %H:%M:%S"
        )
    if gps:
        g = exif.get_ifd(ExifTags.IFD.GPSInfo)
        g[1], g[2], g[3], g[4] = "N", (30.0, 54.0, 0.0), "E", (121.0, 10.0, 12.0)
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()
