from django.apps import AppConfig


class AdvisoryGroupConfig(AppConfig):
    name = "advisory_group"
    verbose_name = "Advisory Group"
