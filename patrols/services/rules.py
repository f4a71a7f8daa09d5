"""The office's settings: duty rules and authenticity thresholds (audited)."""

from django.db import transaction

from core.models import User
from core.scoping import require_office
from patrols.models import AuthenticityPolicy, DutyRule


@transaction.atomic
def save_duty_rule(*, rule: DutyRule, by: User) -> DutyRule:
    """Create or change a duty rule (office only); the duty page uses it from then on."""
    require_office(by)
    rule.full_clean()
    rule._history_user = by
    rule.save()
    return rule


@transaction.atomic
def save_policy(*, policy: AuthenticityPolicy, by: User) -> AuthenticityPolicy:
    """Change the thresholds; existing patrols keep their flags until recomputed."""
    require_office(by)
    policy.full_clean()
    policy._history_user = by
    policy.save()
    return policy
