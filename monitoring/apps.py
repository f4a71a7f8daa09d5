from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("水质监测")

    def ready(self) -> None:
        from . import (
            media,  # noqa: F401  (registers who may read this app's uploads)
            signals,  # noqa: F401  (stored river statuses: cache busting)
        )
