from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("基础：行政区划、用户与权限")

    def ready(self) -> None:
        from core import (
            compiled,
            lookups,  # noqa: F401  (registers ``__any``)
        )

        compiled.install()
