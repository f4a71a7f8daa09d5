"""django-axes with a Chinese name in the admin.

axes ships no Chinese catalogue: the project's locale/zh_Hans names its models and fields, and
this config its app (INSTALLED_APPS lists "core.axes_app.AxesConfig" instead of "axes").
"""

from axes.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AppConfig):
    verbose_name = _("登录防护")
