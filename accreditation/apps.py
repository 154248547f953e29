from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _migrated(**kwargs):
    """A data migration's changes send no signal: what is kept is worked out again."""
    from accreditation import kept

    kept.all_changed()


class AccreditationConfig(AppConfig):
    name = "accreditation"
    verbose_name = "Accreditation"

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        from accreditation import (
            checks,  # noqa: F401  (registers the deploy checks)
            email_catalogue,  # noqa: F401  (registers the e-mails)
            homes,
            security,
        )
        from accreditation.queries import conflicts, options

        user_login_failed.connect(
            security.count_address_failure, dispatch_uid="sign-in-failures-by-address"
        )

        conflicts.watch()
        options.watch()
        homes.COUNTS_KEPT.watch_writes(ignoring=homes.WRITES_IGNORED)
        post_migrate.connect(_migrated, sender=self, dispatch_uid="kept-after-migrate")
