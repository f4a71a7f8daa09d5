"""Who may act on an order, who is told about it, and helpers every workflow step shares."""

from core.models import User
from core.scoping import can_manage_registry, scope_code
from directives.models import Attachment, Directive, Event
from directives.services.files import store_upload
from patrols.models import Finding
from patrols.services.findings import mark_finding_ordered, mark_finding_resolved
from rivers.models import Chief


def is_office_for(user: User, directive: Directive) -> bool:
    """Office staff whose scope covers the order's town (or an administrator)."""
    if not can_manage_registry(user):
        return False
    code = scope_code(user)
    return code is not None and directive.town.code.startswith(code)


def is_target_of(user: User, directive: Directive) -> bool:
    """The chief the order is addressed to, or a village chief of the addressed village."""
    if user.is_superuser:
        return True
    if directive.target_chief_id and directive.target_chief.user_id == user.pk:
        return True
    return (
        user.role == User.Role.VILLAGE_CHIEF
        and directive.target_village_id is not None
        and directive.target_village_id == user.region_id
    )


def recipients_of(directive: Directive) -> list[User]:
    """Who has to act on an order: the addressed chief, else the chiefs of the village."""
    if directive.target_chief_id:
        return [directive.target_chief.user]
    chiefs = (
        Chief.objects.active().filter(region_id=directive.target_village_id).select_related("user")
    )
    return [c.user for c in chiefs]


def office_of(directive: Directive) -> list[User]:
    return list(
        User.objects.filter(is_active=True, role=User.Role.OFFICE, region_id=directive.town_id)
    )


def tell(*, directive: Directive, event: Event, users, title: str, body: str = "", channels=None):
    """Notify people of a step of the workflow, once per event and person."""
    from notices.models import Delivery
    from notices.services import notify

    for user in {u.pk: u for u in users if u.pk != event.actor_id}.values():
        notify(
            key=f"directive:{directive.pk}:event{event.pk}:{user.pk}",
            recipient=user,
            kind=f"directive_{event.kind}",
            title=title,
            body=body,
            url=f"/directives/{directive.pk}/",
            channels=channels or (Delivery.Channel.EMAIL, Delivery.Channel.SMS),
        )


def mark_finding(*, finding: Finding, by: User, resolved: bool) -> None:
    """Tell the patrols app what became of its finding: ORDERED on issue, RESOLVED on close."""
    if resolved:
        mark_finding_resolved(finding=finding, by=by)
    else:
        mark_finding_ordered(finding=finding, by=by)


def attach(*, directive: Directive, upload, kind: str, by: User, rectification=None):
    stored = store_upload(upload, image_only=kind != Attachment.Kind.ATTACHMENT)
    return Attachment.objects.create(
        directive=directive,
        rectification=rectification,
        kind=kind,
        file=stored,
        name=stored.name,
        uploaded_by=by,
    )
