from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmartwaterConfig(AppConfig):
    name = "smartwater"
    verbose_name = _("智慧水务监测点")
