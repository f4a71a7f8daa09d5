from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OverviewConfig(AppConfig):
    """The app above the feature apps: the one place that reads from every one of them.

    ``core`` is the ground every app stands on and imports none of them; whatever reads
    across apps (home pages, dashboard, map, assessment, annual report) lives here and asks
    each app's selectors, never its models' internals.
    """

    name = "overview"
    verbose_name = _("工作概况")

    def ready(self) -> None:
        from overview import signals

        signals.connect()  # cache busting: the office dashboard
