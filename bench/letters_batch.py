"""Letters per second for one monthly batch over a large synthetic district.

    .venv/bin/python bench/letters_batch.py [--chiefs 3000] [--rivers-per-chief 2]

Builds (once, in var/bench_letters.sqlite3 unless DATABASE_URL is set) a district of towns with
villages, chiefs and their rivers, then creates a batch and sends it through the real task path
(fan-out in chunks, one claim-guarded task per letter, in-app notice, e-mail and SMS deliveries)
with Celery in eager mode, so the figure is the work of one worker process. Prints letters per
second and queries per letter.
"""

import argparse
import time
from datetime import date
from decimal import Decimal

from _setup import setup_django

setup_django("bench_letters.sqlite3", fresh=False)

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from core.models import Region, User  # noqa: E402
from letters import services  # noqa: E402
from letters.models import Letter, LetterBatch  # noqa: E402
from notices.models import Notification  # noqa: E402
from rivers.models import Chief, ChiefAssignment, River  # noqa: E402

DISTRICT = "399901"


def build(chiefs: int, per_chief: int) -> Region:
    district, _ = Region.objects.get_or_create(
        code=DISTRICT, defaults={"name": "基准区", "kind": Region.Kind.DISTRICT}
    )
    town, _ = Region.objects.get_or_create(
        code=f"{DISTRICT}101", defaults={"name": "基准镇", "kind": "town", "parent": district}
    )
    have = Chief.objects.filter(region__code__startswith=town.code).count()
    if have >= chiefs:
        return town
    villages = []
    for v in range(1, 1 + max(1, chiefs // 60)):
        village, _ = Region.objects.get_or_create(
            code=f"{town.code}{v:03d}",
            defaults={"name": f"基准{v}村", "kind": "village", "parent": town},
        )
        villages.append(village)
    password = make_password("bench")
    start = have
    users = User.objects.bulk_create(
        [
            User(
                username=f"bench{i:06d}",
                last_name="李",
                first_name=f"{i}",
                role=User.Role.VILLAGE_CHIEF,
                region=villages[i % len(villages)],
                password=password,
                email=f"bench{i:06d}@example.cn",
                phone=f"136{i:08d}",
            )
            for i in range(start, chiefs)
        ],
        batch_size=1000,
    )
    new_chiefs = Chief.objects.bulk_create(
        [Chief(user=u, level="village", region=u.region) for u in users], batch_size=1000
    )
    rivers, links = [], []
    for chief in new_chiefs:
        for k in range(per_chief):
            rivers.append(
                River(
                    code=f"B-{chief.user.username}-{k}",
                    name=f"基准河{chief.pk}-{k}",
                    level="village",
                    length_km=Decimal("1.5"),
                    region=chief.region,
                )
            )
    rivers = River.objects.bulk_create(rivers, batch_size=1000)
    for n, river in enumerate(rivers):
        chief = new_chiefs[n // per_chief]
        links.append(
            ChiefAssignment(chief=chief, river=river, level="village", start_date=date(2018, 1, 1))
        )
    ChiefAssignment.objects.bulk_create(links, batch_size=1000)
    return town


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chiefs", type=int, default=3000)
    parser.add_argument("--rivers-per-chief", type=int, default=2)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    town = build(args.chiefs, args.rivers_per_chief)
    print(
        f"district: {args.chiefs} chiefs, {args.rivers_per_chief} rivers each "
        f"({time.perf_counter() - t0:.1f} s to build)"
    )
    print(f"database: {connection.vendor}")

    month = date(2018, 9, 1)
    old = LetterBatch.objects.filter(town=town, month=month)
    Notification.objects.filter(
        key__in=[
            f"letter:{pk}"
            for pk in Letter.objects.filter(batch__in=old).values_list("pk", flat=True)
        ]
    ).delete()
    old.delete()

    t0 = time.perf_counter()
    batch = services.create_batch(town=town, month=month)
    created = time.perf_counter() - t0
    n = batch.letters.count()
    print(f"batch created with {n} letter rows in {created:.2f} s")

    t0 = time.perf_counter()
    totals = services.batch_totals(batch=batch)
    print(f"preview totals for {totals['letters']} letters in {time.perf_counter() - t0:.2f} s")

    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    t0 = time.perf_counter()
    with connection.execute_wrapper(counter):
        services.send_batch(batch=batch)
    elapsed = time.perf_counter() - t0
    queries = count[0]
    sent = batch.letters.filter(status="sent").count()
    print(
        f"sent {sent}/{n} letters (inbox + e-mail + SMS) in {elapsed:.1f} s: "
        f"{sent / elapsed:.0f} letters/s in one process, {queries / max(sent, 1):.1f} queries per letter "
        f"(including the two deliveries)"
    )


if __name__ == "__main__":
    main()
