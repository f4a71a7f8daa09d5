from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("一河一策")

    def ready(self) -> None:
        from . import media  # noqa: F401  (registers who may read this app's uploads)
