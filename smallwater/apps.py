from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmallwaterConfig(AppConfig):
    name = "smallwater"
    verbose_name = _("小微水体")

    def ready(self) -> None:
        from . import media  # noqa: F401  (registers who may read this app's uploads)
