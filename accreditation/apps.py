from django.apps import AppConfig


class AccreditationConfig(AppConfig):
    name = "accreditation"
    verbose_name = "Accreditation"

    def ready(self):
        from accreditation import (
            checks,  # noqa: F401  (registers the deploy checks)
            email_catalogue,  # noqa: F401  (registers the e-mails)
        )
        from accreditation.queries import conflicts, options

        conflicts.watch()
        options.watch()
