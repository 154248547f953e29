"""The organisation profile and its members: the rules, in one place.

Views collect the input; these functions decide what is stored. Each change
runs in one transaction that locks the organisation's row first, so two
people changing its members at once cannot leave it with no member or no
contact. Invitation e-mail is sent only once the transaction has committed.
Organisations are not cases: nothing here is written to a case timeline.
"""

from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse

from accreditation import clock, emails, throttle
from accreditation.access import require
from accreditation.models import (
    IdentifierClaim,
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    User,
)
from accreditation.models.organisations import (
    COLLEGE_KINDS,
    FAITH_KINDS,
    MAINTAINED_PRIMARY_KINDS,
    NON_EDUCATIONAL_KINDS,
    OTHER_EDUCATIONAL_KINDS,
    PROFILE_FIELDS,
    SCHOOL_KINDS,
    TRUST_KINDS,
    UKPRN_KINDS,
    URN_KINDS,
    hash_token,
)
from accreditation.roles import Role
from accreditation.services import accounts, activity
from accreditation.signals import parts_may_clash, profile_changed
from accreditation.versions import check_version, fingerprint, version_of

K = OrganisationKind

# The kinds as the person choosing one thinks of them; every kind once.
KIND_GROUPS = tuple(
    (label, tuple(kind for kind in OrganisationKind if kind in kinds))
    for label, kinds in (
        ("Schools", SCHOOL_KINDS),
        ("Colleges and universities", COLLEGE_KINDS),
        ("Trusts and federations", TRUST_KINDS),
        ("Dioceses and faith groups", FAITH_KINDS),
        ("Other educational organisations", OTHER_EDUCATIONAL_KINDS),
        ("Organisations outside education", NON_EDUCATIONAL_KINDS),
    )
)

IDENTIFIER_LABELS = {"urn": "URN", "ukprn": "UKPRN"}
DUPLICATE_URN = (
    "Another organisation already uses this URN. Select yes if it is your school's URN and the "
    "other registration is wrong, or select no"
)
DUPLICATE_UKPRN = (
    "Another organisation already uses this UKPRN. Select yes if it is your organisation's "
    "UKPRN and the other registration is wrong, or select no"
)
NOT_CONTESTED = {
    "urn": "Check the URN. If you work at the school that already uses it, ask one of its "
    "members to invite you",
    "ukprn": "Check the UKPRN. If you work at the organisation that already uses it, ask one of "
    "its members to invite you",
}
NSS_REFUSED = (
    "Only a maintained infant, junior, primary or middle school can claim to be a National "
    "Support School. Remove the claim or choose the right kind of organisation."
)


class OrganisationError(Exception):
    """A refusal with a message fit to show the person. ``field`` names the
    form field it belongs to, if any."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class AlreadyCreated(OrganisationError):
    """The very profile of an organisation the person is a member of, sent
    again (twice clicked, or from the back button): nothing new is made."""

    def __init__(self, organisation):
        super().__init__(f"You are already a member of {organisation.name}, with this profile")
        self.organisation = organisation


class InvitationUnusable(OrganisationError):
    """The link is unknown, expired, used or replaced."""


class WrongAccount(OrganisationError):
    """The signed-in person is not the one invited."""


def kind_fixed(organisation):
    """Why the organisation's kind cannot change now, or None: an accredited
    provider's kind is part of what it was accredited as (which type it may
    hold, whether it can lead a federation), so the register would show a
    provider that no longer meets its own accreditation."""
    RegisterEntry = apps.get_model("register", "RegisterEntry")
    if not RegisterEntry.objects.filter(
        organisation=organisation, state__in=("current", "notice_given")
    ).exists():
        return None
    return (
        f"{organisation.name} is an accredited provider on the register, so its kind of "
        "organisation cannot be changed here: it is part of its accreditation. If it has "
        f"changed, tell the accreditation team at {settings.CONTACT_EMAIL}"
    )


def needs_urn(kind):
    return kind in URN_KINDS


def needs_ukprn(kind):
    return kind in UKPRN_KINDS


def may_claim_national_support_school(kind):
    return kind in MAINTAINED_PRIMARY_KINDS


def profile_values(kind, values):
    """What to store for an organisation of ``kind``: the identifiers it
    does not have are cleared, and a National Support School claim from a
    kind that cannot make one is refused, never quietly dropped."""
    stored = {field: values[field] for field in PROFILE_FIELDS if field in values}
    stored["kind"] = kind
    if not needs_urn(kind):
        stored["urn"] = ""
    elif not stored.get("urn"):
        raise OrganisationError("Enter the school's URN", field="urn")
    if not needs_ukprn(kind):
        stored["ukprn"] = ""
    elif not stored.get("ukprn"):
        raise OrganisationError("Enter the UKPRN", field="ukprn")
    claims = bool(stored.get("claims_national_support_school"))
    if claims and not may_claim_national_support_school(kind):
        raise OrganisationError(NSS_REFUSED)
    stored["claims_national_support_school"] = claims
    return stored


def claimants(field, value, *, exclude=None):
    """The organisations holding this URN or UKPRN (but ``exclude``)."""
    if not value:
        return Organisation.objects.none()
    others = Organisation.objects.filter(**{field: value})
    if exclude is not None and exclude.pk is not None:
        others = others.exclude(pk=exclude.pk)
    return others


def identifier_in_use(field, value, *, exclude=None):
    """Is this URN or UKPRN already another organisation's?"""
    return claimants(field, value, exclude=exclude).exists()


def duplicate_message(field):
    return DUPLICATE_URN if field == "urn" else DUPLICATE_UKPRN


def _identifier(stored):
    """The (field, value) of the identifier ``stored`` holds, or (None, "")."""
    for field in IDENTIFIER_LABELS:
        if stored.get(field):
            return field, stored[field]
    return None, ""


def _held(organisation):
    """The (field, value) of the identifier ``organisation`` holds."""
    return _identifier({field: getattr(organisation, field) for field in IDENTIFIER_LABELS})


def _claim(organisation, stored, *, contest):
    """How ``organisation`` will hold the identifier in ``stored`` (read
    before it changes): uncontested if no other organisation holds it, as
    before if it already held it, contested if the person says the others'
    registration is wrong; otherwise refused, with the advice to ask to be
    invited."""
    field, value = _identifier(stored)
    if field is None or not identifier_in_use(field, value, exclude=organisation):
        return IdentifierClaim.UNCONTESTED
    if organisation.pk is not None and getattr(organisation, field) == value:
        return organisation.identifier_claim
    if not contest:
        raise OrganisationError(duplicate_message(field), field="contest_identifier")
    return IdentifierClaim.CONTESTED


def _record_contested(actor, organisation, was):
    """On the activity log: a claim to an identifier others hold."""
    field, value = _held(organisation)
    if organisation.identifier_claim != IdentifierClaim.CONTESTED or was == (field, value):
        return
    others = sorted(claimants(field, value, exclude=organisation).values_list("name", flat=True))
    activity.record(
        actor,
        "identifier_contested",
        organisation,
        {f"contested_{field}": [None, value], "also_claimed_by": [None, others]},
    )


def _save(organisation):
    """Save, turning a URN or UKPRN taken uncontested in the meantime into
    the question the form asks about it."""
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:
        field, value = _held(organisation)
        if field and identifier_in_use(field, value, exclude=organisation):
            raise OrganisationError(duplicate_message(field), field="contest_identifier") from None
        raise


def _made_by(user, stored):
    return Organisation.objects.filter(memberships__user=user, **stored).order_by("-pk").first()


def already_created(user, values):
    """The organisation of ``user``'s with the very profile of ``values``
    (the form's), if any: the same profile sent again, whose URN is the
    one the person's first sending took."""
    try:
        return _made_by(user, profile_values(values["kind"], values))
    except OrganisationError:
        return None


def create_organisation(user, values):
    """Create the profile; its creator becomes a member and its contact.
    An identifier another organisation holds is claimed only if
    ``values["contest_identifier"]`` says the other registration is wrong."""
    stored = profile_values(values["kind"], values)
    with transaction.atomic():
        # One creation at a time for each person: the same profile sent
        # twice at once finds the first made, not an organisation whose
        # identifier it would have to contest.
        User.objects.select_for_update(no_key=True).get(pk=user.pk)
        if (made := _made_by(user, stored)) is not None:
            raise AlreadyCreated(made)
        organisation = Organisation(**stored)
        organisation.identifier_claim = _claim(
            organisation, stored, contest=values.get("contest_identifier")
        )
        _save(organisation)
        Membership.objects.create(user=user, organisation=organisation, is_contact=True)
        parts_may_clash.send(sender=Membership, user=user)
        activity.record(
            user,
            "organisation_created",
            organisation,
            {
                **activity.diff({}, activity.snapshot(organisation, PROFILE_FIELDS)),
                "contacts": [[], [user.email]],
            },
        )
        _record_contested(user, organisation, None)
    return organisation


def profile_version(organisation):
    return version_of(organisation, PROFILE_FIELDS)


def update_organisation(organisation, values, *, actor, version=None):
    """Change the profile, unless someone changed it since ``version`` was
    read (``StaleEdit``). Whatever describes the organisation by it hears of
    it (``profile_changed``): drafts' declarations must be made again."""
    require(actor, "accreditation.act_for_organisation", organisation)
    stored = profile_values(values["kind"], values)
    with transaction.atomic():
        locked = _locked(organisation)
        check_version(profile_version(locked), version)
        if stored["kind"] != locked.kind and (fixed := kind_fixed(locked)):
            raise OrganisationError(fixed, field="kind")
        before = activity.snapshot(organisation, PROFILE_FIELDS)
        was = _held(locked)
        claim = _claim(locked, stored, contest=values.get("contest_identifier"))
        for field, value in stored.items():
            setattr(organisation, field, value)
        organisation.identifier_claim = claim
        changes = activity.diff(
            before | {"identifier_claim": locked.identifier_claim},
            activity.snapshot(organisation, (*PROFILE_FIELDS, "identifier_claim")),
        )
        if not changes:
            # Saved as it was: nothing for drafts' declarations to answer to.
            return organisation
        _save(organisation)
        activity.record(actor, "organisation_changed", organisation, changes)
        _record_contested(actor, organisation, was)
        profile_changed.send(sender=Organisation, organisation=organisation, actor=actor)
    return organisation


# --- Members -----------------------------------------------------------------


def _locked(organisation):
    """Lock the organisation's row: the member and contact checks below
    then see every other change to its members either before or after."""
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def removal_refusal(membership):
    """Why this member cannot be removed now, or None if they can."""
    members = Membership.objects.filter(organisation_id=membership.organisation_id)
    if not members.exclude(pk=membership.pk).exists():
        return (
            f"{membership.user} is the only member of {membership.organisation.name}. "
            "An organisation must always have at least one member."
        )
    other_contacts = members.filter(is_contact=True).exclude(pk=membership.pk)
    if membership.is_contact and not other_contacts.exists():
        return (
            f"{membership.user} is the only contact for {membership.organisation.name}. "
            "Choose another contact before removing them."
        )
    return None


def remove_member(membership, *, actor):
    require(actor, "accreditation.act_for_organisation", membership.organisation)
    with transaction.atomic():
        _locked(membership.organisation)
        membership = Membership.objects.select_related("user", "organisation").get(pk=membership.pk)
        refusal = removal_refusal(membership)
        if refusal:
            raise OrganisationError(refusal)
        membership.delete()
        activity.record(
            actor,
            "member_removed",
            membership.organisation,
            {"member": [membership.user.email, None]},
        )


def _contact_emails(organisation):
    return sorted(
        Membership.objects.filter(organisation=organisation, is_contact=True).values_list(
            "user__email", flat=True
        )
    )


def contacts_version(organisation):
    members = Membership.objects.filter(organisation=organisation)
    return fingerprint([list(members.values_list("pk", "is_contact"))])


def set_contacts(organisation, membership_ids, *, actor, version=None):
    """Make exactly these members the contacts, unless the members or the
    contacts changed since ``version``. At least one, all members."""
    require(actor, "accreditation.act_for_organisation", organisation)
    membership_ids = {int(pk) for pk in membership_ids}
    with transaction.atomic():
        _locked(organisation)
        check_version(contacts_version(organisation), version)
        members = Membership.objects.filter(organisation=organisation)
        chosen = set(members.filter(pk__in=membership_ids).values_list("pk", flat=True))
        if chosen != membership_ids:
            raise OrganisationError("Select contacts from the members listed", field="contacts")
        if not chosen:
            raise OrganisationError(
                "Select at least one contact. An organisation must always have a contact.",
                field="contacts",
            )
        before = _contact_emails(organisation)
        members.filter(pk__in=chosen).update(is_contact=True)
        members.exclude(pk__in=chosen).update(is_contact=False)
        activity.record(
            actor,
            "contacts_changed",
            organisation,
            activity.diff({"contacts": before}, {"contacts": _contact_emails(organisation)}),
        )


# --- Invitations -------------------------------------------------------------


def invitation_expiry():
    """When an invitation sent now stops working."""
    return clock.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


def invite_member(organisation, *, email, invited_by, base_url):
    """Invite a colleague by e-mail. The link works once and expires; a new
    invitation to the same address replaces any earlier one. Returns the
    invitation and its token (only the token's hash is stored)."""
    require(invited_by, "accreditation.act_for_organisation", organisation)
    email = email.strip().lower()
    token = Invitation.new_token()
    with transaction.atomic():
        _locked(organisation)
        members = Membership.objects.filter(organisation=organisation)
        if members.filter(user__email__iexact=email).exists():
            raise OrganisationError(
                f"{email} is already a member of {organisation.name}", field="email"
            )
        throttle.check("invitation", address=email, account=invited_by.pk)
        Invitation.objects.filter(
            organisation=organisation,
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        ).update(revoked_at=clock.now())
        invitation = Invitation.objects.create(
            email=email,
            organisation=organisation,
            roles=[],
            token_hash=hash_token(token),
            invited_by=invited_by,
            expires_at=invitation_expiry(),
        )
        link = base_url + reverse("organisation-join", args=[token])
        emails.queue(
            "organisation/invitation",
            {
                "invitation": invitation,
                "organisation": organisation,
                "invited_by": invited_by,
                "link": link,
            },
            [email],
            key=f"invitation:{invitation.pk}",
            secrets=[link],
        )
        activity.record(invited_by, "member_invited", organisation, {"invitation": [None, email]})
    return invitation, token


def pending_invitations(organisation):
    return Invitation.objects.usable(clock.now()).filter(organisation=organisation)


def withdraw_member_invitation(invitation, *, by):
    """Withdraw an invitation to join the organisation not yet accepted (sent
    to a wrong address, say): its link no longer works. False if it was
    accepted, withdrawn or replaced already (another tab, a double click)."""
    require(by, "accreditation.act_for_organisation", invitation.organisation)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None or locked.revoked_at is not None:
            return False
        locked.revoked_at = clock.now()
        locked.save(update_fields=["revoked_at"])
        activity.record(
            by,
            "member_invitation_withdrawn",
            invitation.organisation,
            {"invitation": [locked.email, None]},
        )
    return True


class InvitationProblem:
    """Why a link does not work, in words for the person who opened it."""

    UNKNOWN = "This invitation link is not right. Check you copied all of it from the email."
    EXPIRED = "This invitation link has expired. Ask the person who invited you to send a new one."
    USED = (
        "This invitation link has already been used. If it was you, sign in. If not, ask the "
        "person who invited you to send a new one."
    )
    WITHDRAWN = (
        "This invitation has been withdrawn. If you think you should join the organisation, "
        "ask the person who invited you."
    )
    REVOKED = (
        "This invitation link has been replaced by a newer one. Use the link in the most "
        "recent email, or ask for a new one."
    )


def _organisation_invitations(token):
    """Invitations to join an organisation with this token (staff
    invitations are not for these pages)."""
    return Invitation.objects.filter(token_hash=hash_token(token), organisation__isnull=False)


def invitation_problem(invitation):
    """Why this invitation's link cannot be used now, or None if it can."""
    if invitation is None:
        return InvitationProblem.UNKNOWN
    if invitation.accepted_at is not None:
        return InvitationProblem.USED
    if invitation.revoked_at is not None:
        newer = Invitation.objects.filter(
            organisation=invitation.organisation_id,
            email__iexact=invitation.email,
            created_at__gt=invitation.created_at,
        )
        return InvitationProblem.REVOKED if newer.exists() else InvitationProblem.WITHDRAWN
    if invitation.expires_at <= clock.now():
        return InvitationProblem.EXPIRED
    return None


def find_invitation(token):
    """(invitation, None) if the link can be used now, else (None, the
    reason it cannot)."""
    invitation = (
        _organisation_invitations(token).select_related("organisation", "invited_by").first()
    )
    problem = invitation_problem(invitation)
    return (None, problem) if problem else (invitation, None)


def wrong_account(invitation, user):
    """The refusal to show when ``user`` is not the person invited, or None."""
    if user.email.lower() == invitation.email.lower():
        return None
    return (
        f"This invitation is for {invitation.email}, but you are signed in as {user.email}. "
        f"Sign out, then open the link again and sign in as {invitation.email}."
    )


def accept_invitation(token, user=None, *, full_name=None, password=None):
    """Use the link once: the signed-in ``user`` (or a new account made from
    ``full_name`` and ``password`` with the invited address) joins the
    organisation. Two tabs racing get one membership; the loser is told the
    link has been used. Returns the membership."""
    with transaction.atomic():
        invitation = (
            _organisation_invitations(token)
            .select_for_update(of=("self",))
            .select_related("organisation")
            .first()
        )
        problem = invitation_problem(invitation)
        if problem:
            raise InvitationUnusable(problem)
        if user is None:
            try:
                user = accounts.create_applicant(
                    email=invitation.email, full_name=full_name, password=password
                )
            except accounts.AccountError as error:
                raise OrganisationError(str(error)) from error
        refusal = wrong_account(invitation, user)
        if refusal:
            raise WrongAccount(refusal)
        user.groups.add(Group.objects.get(name=Role.APPLICANT))
        membership, created = Membership.objects.get_or_create(
            user=user, organisation=invitation.organisation
        )
        invitation.accepted_at = clock.now()
        invitation.save(update_fields=["accepted_at"])
        if created:
            activity.record(
                user, "member_joined", invitation.organisation, {"member": [None, user.email]}
            )
            parts_may_clash.send(sender=Membership, user=user)
    return membership
