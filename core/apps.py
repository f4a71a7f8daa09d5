from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("基础：行政区划、用户与权限")

    def ready(self) -> None:
        from core import (
            compiled,
            lookups,  # noqa: F401  (registers ``__any``)
            pg_loaders,
        )
        from core.page_map import install_triggers

        compiled.install()
        pg_loaders.install()  # timestamptz read by fromisoformat (the same datetimes)
        # Every watched table gets the page maps' change trigger, new ones included.
        post_migrate.connect(
            install_triggers, sender=self, dispatch_uid="core.page_map.install_triggers"
        )
