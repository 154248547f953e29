"""The Django admin, under /staff/admin/, for administrators only: reference
data (regions, local authorities), criteria frameworks before their first
use, users and their roles, and the beat schedule. Rounds are shown read-only:
casework officers run them on the round pages, whose service holds the rules
(an opened round's deadline only extended, no overlap, cancelled not deleted).

Every change made here is written to the activity log in the admin's own
transaction (instead of the admin's LogEntry table, so there is one audit of
what is not a case); an object's "History" opens its entries there. A
framework that a round has opened with, and its parts, criteria and guidance,
are shown read-only, and the models refuse the change too.
"""

import functools

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from accreditation import clock
from accreditation.access import second_factor_passed, second_factor_redirect
from accreditation.models import (
    ActivityEntry,
    Criterion,
    CriterionGuidance,
    Framework,
    LocalAuthority,
    Part,
    Region,
    Round,
    User,
)
from accreditation.models.framework import FrameworkFrozen, FrameworkPiece, frozen_version
from accreditation.roles import Role, own_roles_refusal
from accreditation.services import accounts, activity
from accreditation.signals import can_no_longer_assess, parts_may_clash
from assessments.services import assignment as assignment_services


class StaffAdminSite(admin.AdminSite):
    site_header = "Administration"
    site_title = "Administration"
    index_title = "Reference data, frameworks, rounds, users and the schedule"
    site_url = "/staff/"

    def has_permission(self, request):
        return (
            request.user.is_active
            and request.user.has_perm("accreditation.use_admin")
            and second_factor_passed(request)
        )

    def login(self, request, extra_context=None):
        """The service's own sign-in and second factor, never the admin's
        form: signed out, sign in; past both, go on; any other role, 403."""
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index", current_app=self.name)
        if not request.user.is_authenticated:
            return redirect_to_login(next_url)
        if not request.user.is_active or not request.user.has_perm("accreditation.use_admin"):
            raise PermissionDenied("The admin is for administrators.")
        return second_factor_redirect(request) or redirect(next_url)

    def password_change(self, request, extra_context=None):
        """Passwords change through the service's own reset journey."""
        return redirect("password_reset")

    def register(self, model_or_iterable, admin_class=None, **options):
        if admin_class is None or not issubclass(admin_class, AuditedAdmin):
            raise ImproperlyConfigured(
                f"{admin_class} does not write the activity log: subclass AuditedAdmin."
            )
        super().register(model_or_iterable, admin_class, **options)


site = StaffAdminSite(name="admin")


def _record(request, action, obj, before):
    activity.record(request.user, action, obj, activity.diff(before, activity.snapshot(obj)))


def _record_deletion(request, obj):
    """Written before the deletion, while the object can still be named."""
    activity.record(request.user, "admin_deleted", obj, activity.diff(activity.snapshot(obj), {}))


class AuditedAdmin(admin.ModelAdmin):
    """Writes each addition, change and deletion to the activity log, with
    the changed fields' old and new values (secrets masked): one entry per
    object, inline objects included."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # Before the form changes it: the "old" side of the change.
            obj._activity_before = activity.snapshot(obj)
        return obj

    def log_addition(self, request, obj, message):
        _record(request, "admin_added", obj, {})

    def log_change(self, request, obj, message):
        _record(request, "admin_changed", obj, obj._activity_before)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            _record_deletion(request, obj)

    def save_formset(self, request, form, formset, change):
        """Inline objects: each one added, changed or deleted gets its own entry."""
        for deleted in formset.deleted_forms:
            if deleted.instance.pk is not None:
                _record_deletion(request, deleted.instance)
        before = {
            inline.instance.pk: activity.snapshot(
                type(inline.instance)._default_manager.get(pk=inline.instance.pk)
            )
            for inline in formset.initial_forms
            if inline.has_changed() and inline not in formset.deleted_forms
        }
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            _record(request, "admin_added", obj, {})
        for obj, _ in formset.changed_objects:
            _record(request, "admin_changed", obj, before[obj.pk])

    def get_actions(self, request):
        """Actions (enable tasks, delete selected) run in one transaction
        with their log entries, one per object they changed."""
        return {
            name: (self._audited(func, name), name, description)
            for name, (func, _, description) in super().get_actions(request).items()
        }

    @staticmethod
    def _audited(action, name):
        @functools.wraps(action)
        def run(modeladmin, request, queryset):
            with transaction.atomic():
                before = {obj.pk: activity.snapshot(obj) for obj in queryset}
                response = action(modeladmin, request, queryset)
                for obj in modeladmin.model._default_manager.filter(pk__in=before):
                    changes = activity.diff(before[obj.pk], activity.snapshot(obj))
                    if changes:
                        activity.record(request.user, f"admin_{name}", obj, changes)
            return response

        return run

    def history_view(self, request, object_id, extra_context=None):
        content_type = ContentType.objects.get_for_model(self.model, for_concrete_model=False)
        query = urlencode(
            {"content_type__id__exact": content_type.pk, "object_id": unquote(object_id)}
        )
        changelist = reverse(
            "admin:accreditation_activityentry_changelist", current_app=self.admin_site.name
        )
        return redirect(f"{changelist}?{query}")


@admin.register(ActivityEntry, site=site)
class ActivityEntryAdmin(AuditedAdmin):
    """The log itself: read-only, as it is append-only."""

    list_display = ("created_at", "actor", "action", "object_label", "content_type")
    list_filter = ("action", "content_type")
    list_select_related = ("actor", "content_type")
    search_fields = ("object_label", "actor__email", "actor__full_name")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "actor",
        "action",
        "content_type",
        "object_id",
        "object_label",
        "changes",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Reference data -------------------------------------------------------------


@admin.register(Region, site=site)
class RegionAdmin(AuditedAdmin):
    search_fields = ("name",)


@admin.register(LocalAuthority, site=site)
class LocalAuthorityAdmin(AuditedAdmin):
    list_display = ("name", "code", "region")
    list_filter = ("region",)
    list_select_related = ("region",)
    search_fields = ("name", "code")


# --- Criteria frameworks ------------------------------------------------------------


def _frozen_version(obj):
    """The frozen version ``obj`` (a framework or a piece of one, or None
    when adding) belongs to, or None."""
    return None if obj is None or obj.pk is None else frozen_version(obj.frameworks())


def _frozen(obj):
    return _frozen_version(obj) is not None


class FrozenAware:
    """Read-only once the framework is frozen. On an inline, ``obj`` is the
    object the inline belongs to."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _frozen(obj)


class FrozenAwareAdmin(FrozenAware, AuditedAdmin):
    def get_actions(self, request):
        """No "delete selected": a bulk deletion would skip the check that
        the piece's framework is not frozen; each deletes from its own page."""
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        version = _frozen_version(obj)
        if version is not None:
            messages.warning(request, FrameworkFrozen.MESSAGE.format(version=version))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """New pieces go only into versions that are not frozen."""
        related = db_field.related_model
        if related is Framework or issubclass(related, FrameworkPiece):
            frozen = Framework.objects.frozen(clock.now()).values("pk")
            path = "pk" if related is Framework else related.framework_path + "__pk"
            kwargs["queryset"] = related._default_manager.exclude(**{f"{path}__in": frozen})
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class FrozenAwareInline(FrozenAware):
    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and not _frozen(obj)


class PartInline(FrozenAwareInline, admin.StackedInline):
    model = Part
    extra = 0
    show_change_link = True


class CriterionInline(FrozenAwareInline, admin.StackedInline):
    model = Criterion
    extra = 0
    show_change_link = True


class CriterionGuidanceInline(FrozenAwareInline, admin.StackedInline):
    model = CriterionGuidance
    extra = 0


class InUseFilter(admin.SimpleListFilter):
    """Versions in use (frozen) or not yet: the administrator's home counts
    those not yet in use and links here with this filter."""

    title = "in use"
    parameter_name = "in_use"

    def lookups(self, request, model_admin):
        return [("yes", "In use"), ("no", "Not yet in use")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(frozen=self.value() == "yes")
        return queryset


@admin.register(Framework, site=site)
class FrameworkAdmin(FrozenAwareAdmin):
    list_display = ("version", "title", "published_at", "in_use")
    list_filter = (InUseFilter,)
    inlines = [PartInline]

    def get_queryset(self, request):
        frozen = Framework.objects.frozen(clock.now()).filter(pk=OuterRef("pk"))
        return super().get_queryset(request).annotate(frozen=Exists(frozen))

    @admin.display(boolean=True, description="Frozen (in use)")
    def in_use(self, obj):
        return obj.frozen


@admin.register(Part, site=site)
class PartAdmin(FrozenAwareAdmin):
    list_display = ("__str__", "framework")
    list_filter = ("framework",)
    list_select_related = ("framework",)
    inlines = [CriterionInline]


@admin.register(Criterion, site=site)
class CriterionAdmin(FrozenAwareAdmin):
    list_display = ("code", "title", "part", "word_limit")
    list_filter = ("part__framework",)
    list_select_related = ("part__framework",)
    search_fields = ("code", "title")
    inlines = [CriterionGuidanceInline]


# --- Rounds ---------------------------------------------------------------------------


@admin.register(Round, site=site)
class RoundAdmin(AuditedAdmin):
    """Read-only: a round is created, changed and cancelled by a casework
    officer on the round pages, through the service that enforces the
    rules and writes the activity log."""

    list_display = ("__str__", "opens_at", "deadline", "framework", "cancelled_at")
    list_select_related = ("framework",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Users and roles ---------------------------------------------------------------


class UserEditForm(forms.ModelForm):
    """The staff users page's rules hold here too: nobody switches their own
    account off or removes their own administrator role (the last
    administrator could lock everyone out), nor gives themselves a role, and
    a person keeps a role (with none they drop off every list). ``acting``:
    who is editing, set by the admin."""

    acting = None

    class Meta:
        model = User
        fields = ("full_name", "is_active", "groups")

    def clean(self):
        cleaned = super().clean()
        groups = cleaned.get("groups")
        if groups is not None and not groups.exists():
            self.add_error("groups", "Choose at least one role")
        if self.acting is not None and self.instance.pk == self.acting.pk:
            if "is_active" in cleaned and not cleaned["is_active"]:
                self.add_error("is_active", "You cannot switch off your own account")
            if groups is not None and not groups.filter(name=Role.ADMINISTRATOR).exists():
                self.add_error("groups", "You cannot remove your own administrator role")
            elif groups is not None and (
                gained := {group.name for group in groups} - self.instance.role_names
            ):
                self.add_error("groups", own_roles_refusal(gained))
        can_assess = cleaned.get("is_active", True) and (
            groups is None or groups.filter(name=Role.ASSESSOR).exists()
        )
        if self.instance.pk and not can_assess:
            held = assignment_services.in_hand(self.instance)
            if held:
                # The staff users page names them before taking them off.
                self.add_error(
                    None,
                    f"{self.instance} is assessing, or writing the feedback of, {len(held)} "
                    f"case{pluralize(len(held))}: change their roles or access on the staff "
                    "users page, which names the cases they would be taken off first.",
                )
        return cleaned


@admin.register(User, site=site)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    """Users and their roles (the role groups). Django's superuser, staff
    flag and per-user permissions are not used by the service, so they are
    not offered. Nobody sets another person's password, nor makes an
    account with one, nor changes its address (a password reset goes to
    it): an administrator who could would be able to sign in as anyone (a
    decision official, say). Staff join by invitation (the staff users
    page; an address mistyped is invited again, right), applicants by
    registering, and a forgotten password is reset by its owner from an
    email."""

    form = UserEditForm
    fieldsets = (
        (None, {"fields": ("email", "full_name")}),
        ("Roles", {"fields": ("is_active", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("email", "last_login", "date_joined")
    list_display = ("full_name", "email", "roles", "is_active")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            form.acting = request.user
        return form

    list_filter = ("groups", "is_active")
    search_fields = ("full_name", "email")
    ordering = ("full_name", "email")
    filter_horizontal = ("groups",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("groups", to_attr="role_groups"))
        )

    @admin.display(description="Roles")
    def roles(self, obj):
        return ", ".join(sorted(Role(group.name).label for group in obj.role_groups))

    def has_delete_permission(self, request, obj=None):
        """Accounts are switched off, never deleted: their casework and
        activity name them."""
        return False

    def save_related(self, request, form, formsets, change):
        """What the staff users page's service does after a change of roles
        or access: record a standing conflict for a member given staff
        roles, take someone who can no longer assess off their cases, and
        sign a switched-off account out everywhere."""
        super().save_related(request, form, formsets, change)
        user = form.instance
        parts_may_clash.send(sender=User, user=user)
        if not user.is_active or not user.groups.filter(name=Role.ASSESSOR).exists():
            can_no_longer_assess.send(sender=User, user=user, by=request.user)
        if not user.is_active:
            accounts.end_sessions(user)

    def has_add_permission(self, request):
        return False

    def user_change_password(self, request, id, form_url=""):
        raise PermissionDenied(
            "Nobody sets another person's password: they reset their own from an email."
        )


# --- The beat schedule ------------------------------------------------------------


@admin.register(PeriodicTask, site=site)
class PeriodicTaskAdmin(AuditedAdmin, beat_admin.PeriodicTaskAdmin):
    pass


@admin.register(IntervalSchedule, site=site)
class IntervalScheduleAdmin(AuditedAdmin, beat_admin.IntervalScheduleAdmin):
    pass


@admin.register(CrontabSchedule, site=site)
class CrontabScheduleAdmin(AuditedAdmin, beat_admin.CrontabScheduleAdmin):
    pass


@admin.register(SolarSchedule, site=site)
class SolarScheduleAdmin(AuditedAdmin, beat_admin.SolarScheduleAdmin):
    pass


@admin.register(ClockedSchedule, site=site)
class ClockedScheduleAdmin(AuditedAdmin, beat_admin.ClockedScheduleAdmin):
    pass
