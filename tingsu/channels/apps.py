from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "tingsu.channels"
    label = "channels"
    verbose_name = "Channels"
