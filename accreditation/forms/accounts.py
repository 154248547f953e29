"""Forms for accounts and the staff area, laid out with crispy-forms-gds."""

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from accreditation import emails, throttle
from accreditation.forms.helpers import NameField, gds_helper
from accreditation.models import User
from accreditation.roles import STAFF_ROLES, Role
from accreditation.security import normalise_email
from accreditation.versions import VersionedFormMixin

# What is wrong with an address, and how to put it right.
EMAIL_ERRORS = {
    "required": "Enter your email address",
    "invalid": "Enter an email address in the correct format, like name@example.com",
    "max_length": "Enter an email address that is 254 characters or fewer",
}


FULL_NAME_ERRORS = {
    "required": "Enter your full name",
    "max_length": "Your full name must be 200 characters or fewer",
}


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages=EMAIL_ERRORS,
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )
    error_messages = {
        "invalid_login": "Enter a correct email address and password. Both are case-sensitive "
        "apart from the email address.",
        "inactive": "This account has been switched off. Contact the accreditation team.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("username"), Field.text("password"), submit="Sign in")


class PasswordFieldsMixin(forms.Form):
    """A new password typed twice and checked against the validators."""

    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        help_text="At least 12 characters. Avoid common words and passwords you use elsewhere.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter a password"},
    )
    password2 = forms.CharField(
        label="Confirm your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter your password again"},
    )

    def password_user(self):
        """An unsaved user the validators compare the password with."""
        return User(
            email=self.cleaned_data.get("email", ""),
            full_name=self.cleaned_data.get("full_name", ""),
        )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "Enter the same password in both fields")
        elif first:
            try:
                password_validation.validate_password(first, self.password_user())
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class RegistrationForm(PasswordFieldsMixin):
    full_name = NameField(
        label="Full name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages=FULL_NAME_ERRORS,
    )
    email = forms.EmailField(
        label="Email address",
        help_text="We will send email about your organisation's proposals here.",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages=EMAIL_ERRORS,
    )

    field_order = ["full_name", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("full_name"),
            Field.text("email"),
            Field.text("password1", field_width=20),
            Field.text("password2", field_width=20),
            submit="Create account",
        )

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])


class AcceptInvitationForm(PasswordFieldsMixin):
    full_name = NameField(
        label="Full name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages=FULL_NAME_ERRORS,
    )

    field_order = ["full_name", "password1", "password2"]

    def __init__(self, *args, email, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("full_name"),
            Field.text("password1", field_width=20),
            Field.text("password2", field_width=20),
            submit="Create account",
        )

    def password_user(self):
        return User(email=self.email, full_name=self.cleaned_data.get("full_name", ""))


class GdsPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages=EMAIL_ERRORS,
    )

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Through the outbox, so a mail server that is down loses nothing;
        the reset token is removed from the stored row once sent;
        throttled per address and per account (the page says the same)."""
        try:
            throttle.check("password_reset", address=to_email, account=context["user"].pk)
        except throttle.Throttled:
            return
        emails.queue("accounts/password_reset", context, [to_email], secrets=[context["token"]])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("email"), submit="Send reset link")


class GdsSetPasswordForm(SetPasswordForm):
    new_password1 = forms.CharField(
        label="New password",
        strip=False,
        help_text="At least 12 characters.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter a new password"},
    )
    new_password2 = forms.CharField(
        label="Confirm your new password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter your new password again"},
    )
    error_messages = {"password_mismatch": "Enter the same password in both fields"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("new_password1", field_width=20),
            Field.text("new_password2", field_width=20),
            submit="Change password",
        )


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Security code",
        help_text="The 6-digit code from your authenticator app",
        min_length=6,
        max_length=6,
        error_messages={
            "required": "Enter the security code from your authenticator app",
            "min_length": "Enter the 6 digits from your authenticator app",
            "max_length": "Enter the 6 digits from your authenticator app",
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("token", field_width=5), submit="Continue")

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError("Enter the 6 digits from your authenticator app")
        return token


STAFF_ROLE_CHOICES = [(r.value, r.label) for r in Role if r in STAFF_ROLES]


class StaffInvitationForm(forms.Form):
    full_name = NameField(
        label="Full name",
        max_length=200,
        error_messages={
            "required": "Enter their full name",
            "max_length": "Their full name must be 200 characters or fewer",
        },
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        # Someone else's address: the browser must not offer the officer's own.
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Enter an email address that is 254 characters or fewer",
        },
    )
    roles = forms.MultipleChoiceField(
        label="Roles",
        help_text="Select all that apply. One person never holds two parts in the same case.",
        choices=STAFF_ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one role",
            "invalid_choice": "Select roles from the list",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("full_name"),
            Field.text("email"),
            Field.checkboxes("roles", legend_size=Size.MEDIUM),
            submit="Send invitation",
        )


class StaffUserForm(VersionedFormMixin, forms.Form):
    # At least one, unless the person is an applicant too (``applicant``):
    # a person left with no staff role is no longer staff, and drops off
    # the staff users list; only an applicant still has a use for the
    # service then.
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=STAFF_ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one role. To stop this person using the service, "
            "switch their account off instead",
            "invalid_choice": "Select roles from the list",
        },
    )
    is_active = forms.TypedChoiceField(
        label="Can this person sign in?",
        choices=[("yes", "Yes"), ("no", "No, switch the account off")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes if this person can sign in",
            "invalid_choice": "Select yes if this person can sign in",
        },
    )

    def __init__(self, *args, applicant=False, **kwargs):
        super().__init__(*args, **kwargs)
        if applicant:
            self.fields["roles"].required = False
            self.fields["roles"].help_text = (
                "They are also a member of an applicant organisation: untick every role to "
                "leave them an applicant only."
            )
        self.helper = gds_helper(
            Field.checkboxes("roles", legend_size=Size.MEDIUM),
            Field.radios("is_active", legend_size=Size.MEDIUM),
            Field("version"),
            submit="Save",
        )
