"""System checks of the service: its deployment settings (``check --deploy``)
and its workflow table."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.utils.module_loading import import_string


@register(Tags.security, deploy=True)
def staff_second_factor(app_configs, **kwargs):
    if not settings.STAFF_OTP_REQUIRED:
        return [
            Warning(
                "STAFF_OTP_REQUIRED is off: staff can reach the staff area without a "
                "second factor. Switch it off only for the local demo.",
                id="accreditation.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def timeline_anchor_key(app_configs, **kwargs):
    if len(settings.TIMELINE_ANCHOR_KEY) < 32:
        return [
            Warning(
                "TIMELINE_ANCHOR_KEY is missing or shorter than 32 characters: the daily "
                "anchors of the case timeline cannot be taken or checked, so a timeline "
                "rewritten by someone with database credentials would go unnoticed.",
                hint="Set it to a long random value kept outside the database, and keep it.",
                id="accreditation.W002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def demo_conveniences(app_configs, **kwargs):
    if settings.DEMO:
        return [
            Warning(
                "DEMO is on: the local demo's conveniences (a published secret key if "
                "none is set, plain HTTP, insecure cookies) are in force. Never on a "
                "service people use.",
                id="accreditation.W004",
            )
        ]
    return []


NO_SCAN = "proposals.services.evidence.no_scan"


@register(Tags.security, deploy=True)
def upload_scanner(app_configs, **kwargs):
    if settings.EVIDENCE_SCANNER == NO_SCAN:
        return [
            Warning(
                "EVIDENCE_SCANNER is the no-op scanner: uploaded documents are not checked "
                "for viruses. Set EVIDENCE_SCANNER=proposals.clamav.scan and CLAMAV_ADDRESS.",
                id="accreditation.W003",
            )
        ]
    return []


@register()
def workflow_guards(app_configs, **kwargs):
    """Every guard the transition table names imports, so a typo in a dotted
    path fails ``manage.py check`` rather than the first move that needs it."""
    from accreditation import workflow

    errors = []
    for path in workflow.guard_paths():
        try:
            function = workflow.guard(path)
        except ImportError as error:
            errors.append(
                Error(
                    f"The workflow guard {path!r} does not import: {error}",
                    hint="Fix the dotted path in accreditation.workflow.RULES.",
                    id="accreditation.E001",
                )
            )
            continue
        if not callable(function):
            errors.append(
                Error(f"The workflow guard {path!r} is not callable.", id="accreditation.E002")
            )
    return errors


@register()
def staff_home_counts(app_configs, **kwargs):
    """Every function the staff homes name imports (a typo fails ``check``)."""
    from accreditation import homes

    errors = []
    for path in homes.dotted_paths():
        try:
            import_string(path)
        except ImportError as error:
            errors.append(
                Error(
                    f"The staff home names {path!r}, which does not import: {error}",
                    id="accreditation.E003",
                )
            )
    return errors
