from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectivesConfig(AppConfig):
    name = "directives"
    verbose_name = _("督办与工作指令")

    def ready(self) -> None:
        from . import media  # noqa: F401  (registers who may read this app's uploads)
