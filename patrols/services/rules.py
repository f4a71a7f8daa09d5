"""The office's settings: duty rules and authenticity thresholds (audited)."""

from datetime import date

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
def save_policy(
    *, policy: AuthenticityPolicy, by: User, recompute_since: date | None = None
) -> AuthenticityPolicy:
    """Change the thresholds. With ``recompute_since``, the flags of patrols started since
    that day are recomputed in the background (after commit); others keep theirs."""
    require_office(by)
    policy.full_clean()
    policy._history_user = by
    policy.save()
    if recompute_since is not None:
        from patrols.tasks import recompute_flags

        recompute_flags.delay_on_commit(recompute_since.isoformat())
    return policy
