from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiversConfig(AppConfig):
    name = "rivers"
    verbose_name = _("河道名录与河长")

    def ready(self) -> None:
        from rivers import signals  # noqa: F401  the assignments' copy of their river's code
