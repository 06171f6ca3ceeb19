from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhoneConfig(AppConfig):
    name = "tingsu.channels.phone"
    label = "channels_phone"
    verbose_name = _("Phone channel")
