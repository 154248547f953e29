from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower

from accreditation.roles import STAFF_ROLES, Role
from accreditation.security import normalise_email


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=normalise_email(username))


class User(AbstractUser):
    """A person who signs in with an e-mail address and a password."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("Email address")
    full_name = models.CharField(max_length=200)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ci",
                violation_error_message="An account already uses this email address",
            ),
        ]
        indexes = [
            # The case list sorted by assessor walks the assessors in name
            # order (``case_list.KeysByAssessor``).
            models.Index(fields=["full_name"], name="user_full_name"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name

    @property
    def role_names(self):
        """The names of this user's role groups, read once per request."""
        if not hasattr(self, "_role_names"):
            self._role_names = frozenset(self.groups.values_list("name", flat=True))
        return self._role_names

    def has_role(self, role):
        return self.is_active and Role(role).value in self.role_names

    @property
    def is_staff_user(self):
        """Holds at least one staff role (not Django's admin-site flag)."""
        return self.is_active and bool(self.role_names & {r.value for r in STAFF_ROLES})
