"""Cache busting only (STYLE.md): a save or delete of a record the office dashboard counts
drops every cached dashboard (``overview.selectors.dashboard.cached_dashboard``).

Single saves and deletes only: a bulk write (``QuerySet.update``, ``bulk_create``, a lab
import's COPY) sends no signal and shows within ``DASHBOARD_CACHE_SECONDS``. No delete
receiver is added to a model that has none: it would turn that model's fast bulk deletes into
row-by-row ones.
"""

from django.apps import apps
from django.db.models.signals import post_delete, post_save

from overview.selectors.dashboard import dashboard_changed

# What the dashboard and its summary tiles count. Not the users (a login saves one) nor the
# stored river statuses (written in bulk; the samples they come from are watched).
WATCHED = [
    "core.Region",
    "rivers.River",
    "rivers.Chief",
    "rivers.ChiefAssignment",
    "rivers.SluiceGate",
    "rivers.WaterBody",
    "patrols.Patrol",
    "patrols.DutyRule",
    "directives.Directive",
    "directives.InspectionRound",
    "directives.WorkOrder",
    "plans.Plan",
    "plans.Measure",
    "letters.LetterBatch",
    "letters.Letter",
    "monitoring.MonitoringPoint",
    "monitoring.Sample",
]


def _changed(sender, **kwargs) -> None:
    dashboard_changed()


def connect() -> None:
    for label in WATCHED:
        model = apps.get_model(label)
        uid = f"overview_dashboard_{label}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid)
        if post_delete.has_listeners(model):
            post_delete.connect(_changed, sender=model, dispatch_uid=uid)
