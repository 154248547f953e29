from django.apps import AppConfig


class AccreditationConfig(AppConfig):
    name = "accreditation"
    verbose_name = "Accreditation"

    def ready(self):
        from accreditation import checks  # noqa: F401  (registers the deploy checks)
        from accreditation.services import decision_chasers  # noqa: F401  (its e-mail)
