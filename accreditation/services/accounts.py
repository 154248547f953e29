"""Account services: registration, staff invitations, role changes.

Each runs in one transaction, so a failure leaves nothing half-written, and
sends its e-mail only once the transaction has committed.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.urls import reverse

from accreditation import clock, emails, throttle
from accreditation.access import require
from accreditation.models import Invitation, Organisation, User
from accreditation.models.organisations import hash_token
from accreditation.roles import STAFF_ROLES, Role
from accreditation.services import activity
from accreditation.signals import can_no_longer_assess, parts_may_clash
from accreditation.versions import check_version, fingerprint


class AccountError(Exception):
    """A refusal with a message fit to show the person."""


class AddressRefused(AccountError):
    """An invitation to an address that cannot take one."""


class AlreadyStaff(AddressRefused):
    """An invitation to an address whose account already holds a staff role."""


def create_applicant(*, email, full_name, password):
    """An applicant's account, for an address that has none (an invitation
    to join an organisation says so)."""
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password, full_name=full_name)
            user.groups.add(Group.objects.get(name=Role.APPLICANT))
            activity.record(
                user,
                "user_registered",
                user,
                {"email": [None, user.email], "groups": [[], [Role.APPLICANT]]},
            )
    except IntegrityError as error:
        raise AccountError(
            "An account already uses this email address. Sign in, or reset your password "
            "if you have forgotten it."
        ) from error
    return user


def register_applicant(*, email, full_name, password, base_url):
    """Create an applicant's account and e-mail them that it is ready. If
    the address already has an account, e-mail its owner that instead: the
    person registering sees the same page either way, so registration never
    tells anyone whether an address has an account. Returns the new user,
    or None."""
    context = {
        "service_name": settings.SERVICE_NAME,
        "sign_in": base_url + reverse("login"),
        "reset": base_url + reverse("password_reset"),
    }
    try:
        with transaction.atomic():
            user = create_applicant(email=email, full_name=full_name, password=password)
            emails.queue("accounts/registered", context, [user.email])
    except AccountError:
        _tell_the_owner(email, context)
        return None
    return user


def _tell_the_owner(email, context):
    """E-mail an address that already has an account that someone tried to
    register it (throttled, as anyone can ask for it)."""
    try:
        throttle.check("registration", address=email)
    except throttle.Throttled:
        return
    with transaction.atomic():
        emails.queue("accounts/already_registered", context, [email])


def invite_staff(*, email, full_name, roles, invited_by, base_url):
    """Create a single-use invitation and e-mail its link. Returns the token
    (only its hash is stored)."""
    roles = sorted({Role(role).value for role in roles})
    if not roles or not set(roles) <= {r.value for r in STAFF_ROLES}:
        raise AccountError("Choose at least one staff role.")
    staff = User.objects.filter(
        email__iexact=email.strip(), groups__name__in=[r.value for r in STAFF_ROLES]
    ).first()
    if staff is not None:
        raise AlreadyStaff(
            f"{staff.email} already has a staff account: change its roles from the staff users "
            "list instead of inviting them"
            if staff.is_active
            else f"{staff.email} already has a staff account, switched off: switch it back on "
            "from the staff users list instead of inviting them"
        )
    if User.objects.filter(email__iexact=email.strip(), is_active=False).exists():
        raise AddressRefused(
            f"The account of {email.strip()} is switched off: switch it back on in the Django "
            "admin before inviting them"
        )
    throttle.check("invitation", address=email, account=invited_by.pk)
    token = Invitation.new_token()
    with transaction.atomic():
        Invitation.objects.filter(
            email__iexact=email,
            organisation__isnull=True,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        ).update(revoked_at=clock.now())
        invitation = Invitation.objects.create(
            email=email.lower(),
            full_name=full_name,
            roles=roles,
            token_hash=hash_token(token),
            invited_by=invited_by,
            expires_at=clock.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        link = base_url + reverse("accept-invitation", args=[token])
        emails.queue(
            "accounts/staff_invitation",
            {
                "invitation": invitation,
                "link": link,
                # An applicant's account, say: they sign in with it to accept.
                "has_account": User.objects.filter(email__iexact=invitation.email).exists(),
            },
            [invitation.email],
            key=f"invitation:{invitation.pk}",
            secrets=[link],
        )
        activity.record(
            invited_by,
            "staff_invited",
            invitation,
            {"email": [None, invitation.email], "groups": [[], roles]},
        )
    return token


def find_invitation(token):
    """The usable staff invitation for ``token``, or None if it is unknown,
    used, revoked, expired, or an invitation to join an organisation."""
    return (
        Invitation.objects.usable(clock.now())
        .filter(token_hash=hash_token(token), organisation__isnull=True)
        .first()
    )


def staff_invitation_problem(token):
    """Why the staff invitation link with ``token`` cannot be used, in words
    for the person who opened it (``find_invitation`` found none)."""
    invitation = Invitation.objects.filter(
        token_hash=hash_token(token), organisation__isnull=True
    ).first()
    if invitation is None:
        return "This invitation link is not right. Check you copied all of it from the email."
    if invitation.accepted_at is not None:
        return (
            "This invitation link has already been used. If it was you, sign in. If not, ask "
            "the person who invited you to send a new one."
        )
    if invitation.revoked_at is not None:
        if Invitation.objects.filter(
            email__iexact=invitation.email,
            organisation__isnull=True,
            created_at__gt=invitation.created_at,
        ).exists():
            return (
                "This invitation link has been replaced by a newer one. Use the link in the most "
                "recent email, or ask for a new one."
            )
        return (
            "This invitation has been withdrawn. If you think you should have access, ask the "
            "person who invited you."
        )
    return "This invitation link has expired. Ask the person who invited you to send a new one."


def waiting_staff_invitation(email):
    """The staff invitation to ``email`` waiting to be accepted, or None."""
    return (
        Invitation.objects.usable(clock.now())
        .filter(email__iexact=email.strip(), organisation__isnull=True)
        .first()
    )


def organisations_of_address(email):
    """The names of the organisations the account with this address belongs to."""
    return list(
        Organisation.objects.filter(memberships__user__email__iexact=email.strip())
        .order_by("name")
        .values_list("name", flat=True)
    )


def withdraw_staff_invitation(invitation, *, by):
    """Withdraw a staff invitation not yet accepted: its link no longer
    works. False if it was accepted, or withdrawn, already (another tab, a
    double click)."""
    require(by, "accreditation.manage_users")
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None or locked.revoked_at is not None:
            return False
        locked.revoked_at = clock.now()
        locked.save(update_fields=["revoked_at"])
        activity.record(
            by,
            "staff_invitation_withdrawn",
            locked,
            {"email": [locked.email, None], "roles": [locked.roles, None]},
        )
    return True


def accept_invitation(token, *, full_name=None, password=None, user=None):
    """Use an invitation once: create the account (or add the roles to the
    signed-in account with the invited address). Two tabs racing get one
    account; the loser is told the link has been used."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .usable(clock.now())
            .filter(token_hash=hash_token(token), organisation__isnull=True)
            .first()
        )
        if invitation is None:
            raise AccountError(
                "This invitation link has expired or has already been used. Ask for a new one."
            )
        if user is None:
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise AccountError(
                    "An account already uses this email address. Sign in with it, then "
                    "open the invitation link again."
                )
            user = User.objects.create_user(
                email=invitation.email, password=password, full_name=full_name
            )
        elif user.email.lower() != invitation.email.lower():
            raise AccountError(
                f"This invitation is for {invitation.email}. Sign out, then open the link again."
            )
        before = activity.snapshot(user, ["groups"])
        user.groups.add(*Group.objects.filter(name__in=invitation.roles))
        invitation.accepted_at = clock.now()
        invitation.save(update_fields=["accepted_at"])
        activity.record(
            user,
            "staff_invitation_accepted",
            user,
            activity.diff(before, activity.snapshot(user, ["groups"])),
        )
        parts_may_clash.send(sender=User, user=user)
    return user


def end_sessions(user):
    """Sign ``user`` out everywhere: delete every session that holds them.
    Sessions last ``SESSION_COOKIE_AGE`` (half an hour), so few are live."""
    user_id = str(user.pk)
    ended = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=clock.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == user_id
    ]
    Session.objects.filter(session_key__in=ended).delete()


def staff_version(user):
    """The version of a staff member's roles and whether they can sign in."""
    staff = {r.value for r in STAFF_ROLES}
    roles = list(user.groups.filter(name__in=staff).values_list("name", flat=True))
    return fingerprint([roles, user.is_active])


def set_staff_roles(user, *, roles, is_active, by, version=None):
    """Change a staff member's roles, unless another administrator changed
    them since ``version``; switching the account off also ends their
    sessions. At least one staff role, unless they are an applicant too:
    with none, the person is no longer staff, nor on the staff users list,
    and only an applicant still has a use for the service."""
    if not roles and not user.has_role(Role.APPLICANT):
        raise AccountError("Choose at least one staff role.")
    with transaction.atomic():
        check_version(staff_version(User.objects.select_for_update().get(pk=user.pk)), version)
        before = activity.snapshot(user, ["groups", "is_active"])
        staff_groups = Group.objects.filter(name__in=[r.value for r in STAFF_ROLES])
        user.groups.remove(*staff_groups)
        user.groups.add(*staff_groups.filter(name__in=roles))
        user.is_active = is_active
        user.save(update_fields=["is_active"])
        after = activity.snapshot(user, ["groups", "is_active"])
        activity.record(by, "staff_roles_changed", user, activity.diff(before, after))
        parts_may_clash.send(sender=User, user=user)
        if not is_active or Role.ASSESSOR not in roles:
            can_no_longer_assess.send(sender=User, user=user, by=by)
        if not is_active:
            end_sessions(user)
