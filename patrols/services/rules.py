"""The office's settings: duty rules and authenticity thresholds (audited)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.models import Region, User
from core.scoping import require_office, require_region_in_scope
from patrols.models import AuthenticityPolicy, DutyRule
from rivers.models import River


def _require_own_rule(region: Region | None, by: User) -> None:
    """Rules belong to a region: an office changes only those of its own scope; the defaults
    (no region) only an administrator."""
    if region is None:
        if not by.is_superuser:
            raise PermissionDenied(_("默认规则只能由系统管理员修改"))
        return
    require_region_in_scope(by, region)


def own_copy(*, rule: DutyRule, by: User) -> DutyRule:
    """The rule an office edits: the rule itself if it is the office's own, else a new rule of
    the office's region starting from its values (an override; the original stays)."""
    if rule.pk is not None and (
        by.is_superuser
        or (rule.region_id is not None and rule.region.code.startswith(by.region.code))
    ):
        return rule
    copy = DutyRule(
        **{
            f.name: getattr(rule, f.name)
            for f in DutyRule._meta.concrete_fields
            if f.name not in ("id", "region")
        }
    )
    copy.region = None if by.is_superuser else by.region
    return copy


@transaction.atomic
def save_duty_rule(*, rule: DutyRule, by: User) -> DutyRule:
    """Create or change a duty rule of the caller's own region (office only).

    A rule of a town replaces the district's and the default rules of its level in that town
    only; another town's rules cannot be changed from here.
    """
    require_office(by)
    if rule.pk is None and rule.region_id is None and not by.is_superuser:
        rule.region = by.region
    _require_own_rule(rule.region, by)
    if rule.pk is not None:
        stored = DutyRule.objects.select_related("region").get(pk=rule.pk)
        _require_own_rule(stored.region, by)
    if (
        rule.river_id is not None
        and not River.objects.visible_to(by).filter(pk=rule.river_id).exists()
    ):
        raise ValidationError({"river": _("该河道不在您的管辖范围内")})
    rule.full_clean()
    rule._history_user = by
    rule.save()
    return rule


@transaction.atomic
def save_policy(
    *, policy: AuthenticityPolicy, by: User, recompute_since: date | None = None
) -> AuthenticityPolicy:
    """Change the thresholds. With ``recompute_since``, the flags of patrols started since
    that day are recomputed in the background (after commit); others keep theirs."""
    require_office(by)
    _require_own_rule(policy.region, by)
    if policy.pk is not None:
        stored = AuthenticityPolicy.objects.select_related("region").get(pk=policy.pk)
        _require_own_rule(stored.region, by)
    policy.full_clean()
    policy._history_user = by
    policy.save()
    if recompute_since is not None:
        from patrols.tasks import recompute_flags

        recompute_flags.delay_on_commit(recompute_since.isoformat())
    return policy


def own_policy(*, by: User) -> AuthenticityPolicy:
    """The thresholds an office edits: its own region's row, or a new one starting from the
    thresholds now in force there (the default stays for everyone else)."""
    policy = AuthenticityPolicy.for_region(None if by.is_superuser else by.region)
    if by.is_superuser or (policy.region_id is not None and policy.region_id == by.region_id):
        return policy
    copy = AuthenticityPolicy(
        **{
            f.name: getattr(policy, f.name)
            for f in AuthenticityPolicy._meta.concrete_fields
            if f.name not in ("id", "region")
        }
    )
    copy.region = by.region
    return copy
