from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    name = "patrols"
    verbose_name = _("巡河")

    def ready(self) -> None:
        from . import (
            media,  # noqa: F401  (registers who may read this app's uploads)
            signals,
        )

        signals.connect()  # cache busting: the list's count
