from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = _("公众参与")

    def ready(self) -> None:
        from . import media  # noqa: F401  (registers who may read this app's uploads)
