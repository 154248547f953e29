from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self):
        from assessments import case_roles, database_views, emails, receivers  # noqa: F401
        from assessments.services import requests  # noqa: F401  (its timeline event types)

        database_views.connect(self)
