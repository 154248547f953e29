"""Who may do what in the spine. Views check these through ``rules``."""

import rules

from accreditation import case_roles
from accreditation.roles import Role


@rules.predicate
def is_staff_user(user):
    return user.is_authenticated and user.is_staff_user


@rules.predicate
def is_administrator(user):
    return user.is_authenticated and user.has_role(Role.ADMINISTRATOR)


@rules.predicate
def is_applicant(user):
    return user.is_authenticated and user.has_role(Role.APPLICANT)


@rules.predicate
def is_casework_officer(user):
    return user.is_authenticated and user.has_role(Role.CASEWORK_OFFICER)


def is_member_of(user, organisation_id):
    """Whether ``user`` belongs to the organisation: asked once a page that
    changes nothing (``case_roles.remembering``), however many permissions
    name it, and not at all when the page chose the organisation through
    the person's membership (``current_organisation``)."""
    return case_roles.remembered(
        member_key(user, organisation_id),
        lambda: user.memberships.filter(organisation_id=organisation_id).exists(),
    )


def member_key(user, organisation_id):
    return ("member of", user.pk, organisation_id)


@rules.predicate
def is_member(user, organisation):
    if not user.is_authenticated or organisation is None:
        return False
    return is_member_of(user, organisation.pk)


rules.add_perm("accreditation.enter_staff_area", is_staff_user)
rules.add_perm("accreditation.manage_users", is_administrator)
rules.add_perm("accreditation.use_applicant_pages", is_applicant)
rules.add_perm("accreditation.act_for_organisation", is_applicant & is_member)
rules.add_perm("accreditation.retry_email", is_casework_officer)
rules.add_perm("accreditation.manage_rounds", is_casework_officer)
rules.add_perm("accreditation.view_schedule", is_casework_officer)
rules.add_perm("accreditation.preview_emails", is_casework_officer)


@rules.predicate
def can_see_case(user, case):
    from accreditation.queries.cases import seen_by, visible_to

    if case is None:
        return False
    seen = seen_by(case, user)
    if seen is not None:
        return seen
    return visible_to(user).filter(pk=case.pk).exists()


@rules.predicate
def does_casework(user):
    from accreditation.roles import CASEWORK_ROLES

    return user.is_authenticated and bool(user.role_names & CASEWORK_ROLES)


rules.add_perm("accreditation.do_casework", does_casework)
rules.add_perm("accreditation.view_case", does_casework & can_see_case)


@rules.predicate
def is_decision_official(user):
    return user.is_authenticated and user.has_role(Role.DECISION_OFFICIAL)


# Decisions: the queue, and a case's decision page for a decision official
# who may see the case (the workflow judges their part in it).
rules.add_perm("accreditation.use_decisions", is_decision_official)
rules.add_perm("accreditation.see_decision_case", is_decision_official & can_see_case)


@rules.predicate
def is_free_of_conflict(user, obj):
    """Not in conflict with the organisation ``obj`` is about (``obj`` has an
    ``organisation``): membership of it is a standing conflict."""
    from accreditation.queries.conflicts import is_conflicted

    return obj is not None and not is_conflicted(user, obj.organisation)


rules.add_perm("accreditation.free_of_conflict", is_free_of_conflict)

# The Django admin (accreditation.admin) is the administrators'; its site
# also asks for the staff second factor. These are the models it manages:
# the administrator may view, add, change and delete them (the admin narrows
# that further: frozen frameworks, the append-only activity log).
rules.add_perm("accreditation.use_admin", is_administrator)
ADMIN_MODELS = {
    "accreditation": (
        "region",
        "localauthority",
        "framework",
        "part",
        "criterion",
        "criterionguidance",
        "round",
        "user",
        "activityentry",
    ),
    "django_celery_beat": (
        "periodictask",
        "intervalschedule",
        "crontabschedule",
        "solarschedule",
        "clockedschedule",
    ),
}
for app_label, model_names in ADMIN_MODELS.items():
    rules.add_perm(app_label, is_administrator)
    for model_name in model_names:
        for action in ("view", "add", "change", "delete"):
            rules.add_perm(f"{app_label}.{action}_{model_name}", is_administrator)

# Round reports: the casework officers who run the rounds.
rules.add_perm("accreditation.view_reports", is_casework_officer)
