"""Deadline alerts: due soon, due today, overdue, and escalation after some days overdue.

Run by beat (``directives.tasks.send_deadline_alerts``) as often as wanted: every alert is a
``notices`` Notification with the unique key
``directive:<id>:<stage>:<user id>:<deadline>``, so the database, not memory, guarantees one
alert per order, stage, recipient and deadline whatever the retries, restarts or double runs
(a granted extension moves the deadline, and the stages start again for the new one). The job reads only orders still owed whose deadline is
within the due-soon horizon (the index ``directive_status_deadline``), so its work
grows with the due orders, not with the archive.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import User
from directives.models import Directive, Event, local_day
from notices.models import Notification
from notices.services import Message, notify_many
from rivers.models import Chief

DUE_SOON = "due_soon"
DUE_TODAY = "due_today"
OVERDUE = "overdue"
ESCALATED = "escalated"

# Keys looked up per query (SQLite allows 32,766 parameters in a statement).
KEYS_PER_READ = 10_000

STAGE_LABELS = {
    DUE_SOON: gettext_lazy("即将到期提醒"),
    DUE_TODAY: gettext_lazy("今日到期提醒"),
    OVERDUE: gettext_lazy("逾期提醒"),
    ESCALATED: gettext_lazy("逾期升级督办"),
}


def alert_key(*, directive_id: int, stage: str, user_id: int, deadline: date) -> str:
    return f"directive:{directive_id}:{stage}:{user_id}:{deadline:%Y%m%d}"


def stage_on(directive: Directive, day: date) -> str | None:
    """The deadline stage of an order still owed on a local day (None: nothing to say)."""
    days_left = (directive.deadline - day).days
    if days_left < 0:
        return OVERDUE
    if days_left == 0:
        return DUE_TODAY
    if days_left <= settings.DIRECTIVES_DUE_SOON_DAYS:
        return DUE_SOON
    return None


def _message(directive: Directive, stage: str, day: date) -> tuple[str, str]:
    days = abs((directive.deadline - day).days)
    facts = {
        "number": directive.number,
        "title": directive.title,
        "river": directive.river.name,
        "deadline": directive.deadline,
        "days": days,
        "target": directive.target_label,
    }
    if stage == DUE_SOON:
        title = _("督办单将于 %(days)d 天后到期：%(number)s") % facts
    elif stage == DUE_TODAY:
        title = _("督办单今天到期：%(number)s") % facts
    elif stage == OVERDUE:
        title = _("督办单已逾期：%(number)s") % facts
    else:
        title = _("督办单逾期 %(days)d 天未整改，请督促：%(number)s") % facts
    body = _("%(title)s（%(river)s），责任单位：%(target)s，整改期限 %(deadline)s。") % facts
    return title, body


def _plan(due: list[Directive], day: date) -> list[tuple[Directive, str, User]]:
    """(order, stage, recipient) for every alert that should exist today."""
    escalate_after = settings.DIRECTIVES_ESCALATE_AFTER_DAYS
    village_ids = {d.target_village_id for d in due if d.target_chief_id is None}
    village_chiefs: dict[int, list[Chief]] = defaultdict(list)
    if village_ids:
        for chief in (
            Chief.objects.active()
            .filter(region_id__in=village_ids)
            .select_related("user", "superior__user")
            .order_by("pk")
        ):
            village_chiefs[chief.region_id].append(chief)
    escalating = {d.pk for d in due if (day - d.deadline).days >= escalate_after}
    office: dict[int, list[User]] = defaultdict(list)
    if escalating:
        for user in User.objects.filter(
            is_active=True,
            role=User.Role.OFFICE,
            region_id__in={d.town_id for d in due if d.pk in escalating},
        ).order_by("pk"):
            office[user.region_id].append(user)

    plan = []
    for d in due:
        chiefs = [d.target_chief] if d.target_chief_id else village_chiefs[d.target_village_id]
        stage = stage_on(d, day)
        if stage is not None:
            plan += [(d, stage, c.user) for c in chiefs if c.user.is_active]
        if d.pk in escalating:
            superiors = {
                c.superior.user.pk: c.superior.user
                for c in chiefs
                if c.superior_id and c.superior.is_active and c.superior.user.is_active
            }
            for user in office[d.town_id]:
                superiors.setdefault(user.pk, user)
            plan += [(d, ESCALATED, u) for u in superiors.values()]
    return plan


def send_deadline_alerts(*, at: datetime | None = None) -> dict[str, int]:
    """Create the alerts due at ``at`` (default now) that do not exist yet; returns counts.

    Set-based, so thousands of alerts cost a few statements: the orders owed with their
    recipients (three reads), the keys already alerted (one read per 10,000), then one
    transaction that inserts the new alerts (``notices.services.notify_many``: a key another
    run created first is skipped, not sent twice), their deliveries and the orders' timeline
    entries; the deliveries are woken up after the commit, a task per chunk.
    """
    at = at or timezone.now()
    day = local_day(at)
    horizon = day + timedelta(days=settings.DIRECTIVES_DUE_SOON_DAYS)
    due = list(
        Directive.objects.due_by(horizon)
        .select_related(
            "river", "target_village", "target_chief__user", "target_chief__superior__user"
        )
        .order_by("deadline", "pk")
    )
    counts = {DUE_SOON: 0, DUE_TODAY: 0, OVERDUE: 0, ESCALATED: 0}
    if not due:
        return counts
    plan = _plan(due, day)
    keys = [
        alert_key(directive_id=d.pk, stage=s, user_id=u.pk, deadline=d.deadline) for d, s, u in plan
    ]
    existing: set[str] = set()
    for start in range(0, len(keys), KEYS_PER_READ):
        existing.update(
            Notification.objects.filter(key__in=keys[start : start + KEYS_PER_READ]).values_list(
                "key", flat=True
            )
        )
    new = [(item, key) for item, key in zip(plan, keys, strict=True) if key not in existing]
    if not new:
        return counts
    messages = []
    for (directive, stage, user), key in new:
        title, body = _message(directive, stage, day)
        messages.append(
            Message(
                key=key,
                recipient_id=user.pk,
                kind=f"directive_{stage}",
                title=title,
                body=body,
                url=f"/directives/{directive.pk}/",
            )
        )
    with transaction.atomic():
        created = notify_many(messages=messages)
        sent: dict[tuple[int, str], list[str]] = defaultdict(list)
        directives = {}
        for (directive, stage, user), key in new:
            if key in created:
                counts[stage] += 1
                sent[(directive.pk, stage)].append(user.display_name)
                directives[directive.pk] = directive
        Event.objects.bulk_create(
            [
                Event(
                    directive=directives[pk],
                    kind=Event.Kind.ALERTED,
                    at=at,
                    note=f"{STAGE_LABELS[stage]} → {'、'.join(names)}",
                )
                for (pk, stage), names in sent.items()
            ]
        )
    return counts
