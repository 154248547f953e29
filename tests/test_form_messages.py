"""Error messages that say how to fix the problem, on every form of the
service: never Django's "This field is required.", "Enter a valid email
address." or "Select a valid choice. X is not one of the available
choices.", including for a value forged outside the choices; and
``autocomplete`` on every e-mail address and password field."""

import importlib
import inspect
import pkgutil
import re
from datetime import date

import pytest
from django import forms
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from accreditation.roles import Role
from tests.casework import sign_in_verified
from tests.factories import InvitationFactory, UserFactory

APPS = ["accreditation", "proposals", "assessments", "advisory_group", "feedback", "register"]

DJANGO_MESSAGES = [
    "This field is required.",
    "Enter a valid email address.",
    "Select a valid choice.",
    "is not one of the available choices",
    "Ensure this value has",
    "didn’t match",
]


def service_forms():
    """Every form class the service defines, in each app's forms package."""
    found = {}
    for app in APPS:
        package = importlib.import_module(f"{app}.forms")
        modules = [package] + [
            importlib.import_module(f"{app}.forms.{info.name}")
            for info in pkgutil.iter_modules(package.__path__)
        ]
        for module in modules:
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__.split(".")[0] in APPS:
                    found[f"{cls.__module__}.{cls.__name__}"] = cls
    return found


# Fields a form replaces when it is made (the scan reads the class), each
# checked as made by a test of its own below.
REPLACED_WHEN_MADE = {
    "proposals.forms.journey.SchoolForm.since",
    # Its choices and messages depend on the agenda item (advice or feedback).
    "advisory_group.forms.meetings.ViewForm.view",
}


def visible_fields():
    for name, cls in sorted(service_forms().items()):
        for field_name, field in cls.base_fields.items():
            if f"{name}.{field_name}" in REPLACED_WHEN_MADE:
                continue
            if not isinstance(field.widget, forms.HiddenInput):
                yield f"{name}.{field_name}", field


@pytest.mark.parametrize("with_partnership", [True, False])
def test_the_date_a_school_was_led_from_says_what_to_enter(with_partnership):
    from proposals.forms.journey import SchoolForm
    from proposals.queries.journey import SchoolsBasis

    basis = SchoolsBasis(
        title="", intro="", needed="", since_label="Since", with_partnership=with_partnership
    )
    since = SchoolForm(basis=basis, federation=True).fields["since"]
    assert since.error_messages["required"].startswith("Enter the date ")


def date_fields():
    from accreditation.forms.helpers import GovukDateField

    found = [(name, field) for name, field in visible_fields() if isinstance(field, GovukDateField)]
    from proposals.forms.journey import SchoolForm
    from proposals.queries.journey import SchoolsBasis

    basis = SchoolsBasis(title="", intro="", needed="", since_label="Since", with_partnership=False)
    return [*found, ("SchoolForm.since", SchoolForm(basis=basis, federation=True).fields["since"])]


def test_the_scan_finds_every_kind_of_date_field():
    kinds = {type(field).__name__ for _, field in date_fields()}
    assert {"NamedDateField", "PastDateField", "MeetingDateField", "DueDateField"} <= kinds
    assert "DeadlineDateField" in kinds


@pytest.mark.parametrize(
    "typed, month",
    [("Jan", 1), ("january", 1), ("MARCH", 3), ("Sept", 9), ("sep.", 9), (" Dec ", 12), ("6", 6)],
)
def test_every_date_takes_its_month_as_a_word_as_gov_uk_asks(typed, month):
    """GOV.UK's date input: "accept month names written out in full or
    abbreviated form (for example, january or jan)"."""
    for name, field in date_fields():
        assert field.clean(["5", typed, "2020"]) == date(2020, month, 5), name


@pytest.mark.parametrize("typed", ["Janvier", "Ja", "month", "1st"])
def test_a_month_that_is_no_month_is_refused_in_the_services_words(typed):
    for name, field in date_fields():
        with pytest.raises(forms.ValidationError) as refused:
            field.clean(["5", typed, "2020"])
        messages = " ".join(refused.value.messages)
        assert messages == field.real_date, (name, messages)
        assert "must be a real date" in messages


def test_the_scan_finds_the_forms():
    names = service_forms()
    assert "accreditation.forms.accounts.SignInForm" in names
    assert "proposals.forms.journey.TypeForm" in names


def test_every_choice_says_what_to_select_even_for_a_forged_value():
    wrong = [
        name
        for name, field in visible_fields()
        if isinstance(field, forms.ChoiceField | forms.ModelChoiceField)
        and not re.match(r"(Select|Choose) ", field.error_messages["invalid_choice"])
    ]
    assert not wrong, wrong


def test_every_required_field_says_what_to_enter():
    wrong = [
        name
        for name, field in visible_fields()
        if field.required and field.error_messages["required"] == "This field is required."
    ]
    assert not wrong, wrong


def test_every_required_text_refuses_text_nobody_can_see():
    """Zero-width spaces and direction marks alone are no answer: a concern,
    a reason, a response made of them is refused as an empty one."""
    from accreditation.forms.helpers import BoundedTextField

    texts = [
        (name, field)
        for name, field in visible_fields()
        if isinstance(field, BoundedTextField) and field.required
    ]
    assert len(texts) > 20
    for name, field in texts:
        with pytest.raises(forms.ValidationError) as refused:
            field.clean("\u200b \u200e\n\ufeff")
        assert refused.value.code == "required", name
        assert field.clean("\u200bA reason") == "\u200bA reason"


def test_every_text_of_several_lines_drops_control_characters_and_keeps_its_lines():
    """A bell, an escape and a direction override are dropped from every
    reason, comment and answer; tabs, line breaks and direction marks stay,
    and a null character is refused, not dropped."""
    from accreditation.forms.helpers import BoundedTextField

    texts = [
        (name, field) for name, field in visible_fields() if isinstance(field, BoundedTextField)
    ]
    for name, field in texts:
        sent = "A\x07 \x1b[1;31mreason\x1b[0m\u202e\u2067 in\tfull,\r\nover \u200ftwo\x85lines"
        assert field.clean(sent) == "A reason in\tfull,\nover \u200ftwo\nlines", name
        with pytest.raises(forms.ValidationError) as refused:
            field.clean("A reason\x00")
        assert refused.value.error_list[0].code == "null_characters_not_allowed", name


def test_an_answer_of_invisible_characters_is_no_answer():
    from accreditation.forms.helpers import blank_if_invisible

    for nothing in ("\u200b\u200c \u2060\n", "\u3164\u3164", "\u2800", "\ufe0f\u034f", "\u0301"):
        assert blank_if_invisible(nothing) == "", ascii(nothing)
    for something in (
        "\u200d\U0001f469",
        "\u2764\ufe0f",
        "\u05e9\u05b8\u05dc\u05d5\u05b9\u05dd",
        "\u0645\u0631\u062d\u0628\u0627",
        "1\ufe0f\u20e3",
    ):
        assert blank_if_invisible(something) == something, ascii(something)
    assert blank_if_invisible("") == ""


def test_every_length_limit_has_a_message_of_its_own():
    wrong = [
        name
        for name, field in visible_fields()
        if getattr(field, "max_length", None) and "max_length" not in field.error_messages
    ]
    assert not wrong, wrong


def test_every_email_address_field_takes_no_more_than_its_column_holds():
    """An address of 255 to 320 characters passes Django's form field but not
    the 254-character column it is saved to (on PostgreSQL, an error page)."""
    wrong = [
        name
        for name, field in visible_fields()
        if isinstance(field, forms.EmailField) and (field.max_length or 321) > 254
    ]
    assert not wrong, wrong


def test_every_email_address_field_says_what_format_to_use():
    wrong = [
        name
        for name, field in visible_fields()
        if isinstance(field, forms.EmailField)
        and "like name@example." not in field.error_messages.get("invalid", "")
    ]
    assert not wrong, wrong


# Someone's own address and passwords are filled in by the browser; someone
# else's address (an invitation, a co-partner's contact) is not ("off").
AUTOCOMPLETE = {"email", "off", "current-password", "new-password", "one-time-code"}


def test_every_email_address_and_password_field_has_autocomplete():
    wrong = [
        (name, field.widget.attrs.get("autocomplete"))
        for name, field in visible_fields()
        if isinstance(field.widget, forms.EmailInput | forms.PasswordInput)
        and field.widget.attrs.get("autocomplete") not in AUTOCOMPLETE
    ]
    assert not wrong, wrong


def assert_says(response, *messages):
    assert response.status_code == 200
    for message in messages:
        assert message in response.text, message
    for message in DJANGO_MESSAGES:
        assert message not in response.text, message


def autocomplete_of(response, name):
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', response.text).group(0)
    return re.search(r'autocomplete="([^"]*)"', tag).group(1)


@pytest.mark.django_db
class TestAccountForms:
    def test_sign_in_says_what_is_missing(self, client):
        response = client.post(reverse("login"), {"username": "", "password": ""})
        assert_says(response, "Enter your email address", "Enter your password")
        assert autocomplete_of(response, "username") == "email"
        assert autocomplete_of(response, "password") == "current-password"

    def test_sign_in_says_how_to_write_an_address(self, client):
        response = client.post(reverse("login"), {"username": "ada", "password": "x"})
        assert_says(response, "Enter an email address in the correct format, like name@example.com")

    def test_registration_says_what_is_missing(self, client):
        response = client.post(reverse("register"), {})
        assert_says(
            response,
            "Enter your full name",
            "Enter your email address",
            "Enter a password",
            "Enter your password again",
        )
        assert autocomplete_of(response, "email") == "email"
        assert autocomplete_of(response, "password1") == "new-password"
        assert autocomplete_of(response, "password2") == "new-password"

    def test_registration_refuses_a_name_of_ten_thousand_characters(self, client):
        response = client.post(
            reverse("register"),
            {"full_name": "x" * 10_000, "email": "ada", "password1": "a", "password2": "b"},
        )
        assert_says(
            response,
            "Your full name must be 200 characters or fewer",
            "Enter an email address in the correct format, like name@example.com",
        )

    def test_password_reset_says_what_is_missing(self, client):
        response = client.post(reverse("password_reset"), {"email": ""})
        assert_says(response, "Enter your email address")
        assert autocomplete_of(response, "email") == "email"
        response = client.post(reverse("password_reset"), {"email": "ada@"})
        assert_says(response, "Enter an email address in the correct format, like name@example.com")

    def test_choosing_a_new_password_says_what_is_missing(self, client):
        user = UserFactory()
        link = reverse(
            "password_reset_confirm",
            args=[
                urlsafe_base64_encode(force_bytes(user.pk)),
                default_token_generator.make_token(user),
            ],
        )
        form_url = client.get(link).url
        response = client.post(form_url, {"new_password1": "", "new_password2": ""})
        assert_says(response, "Enter a new password", "Enter your new password again")
        assert autocomplete_of(response, "new_password1") == "new-password"
        response = client.post(
            form_url,
            {"new_password1": "a-long-and-unusual-passphrase", "new_password2": "something else"},
        )
        assert_says(response, "Enter the same password in both fields")

    def test_the_security_code_says_what_is_missing(self, client):
        staff = UserFactory(roles=[Role.ASSESSOR])
        TOTPDevice.objects.create(user=staff, name="Authenticator app", confirmed=True)
        client.force_login(staff)
        response = client.post(reverse("otp-verify"), {"token": ""})
        assert_says(response, "Enter the security code from your authenticator app")
        assert autocomplete_of(response, "token") == "one-time-code"
        response = client.post(reverse("otp-verify"), {"token": "123"})
        assert_says(response, "Enter the 6 digits from your authenticator app")

    def test_accepting_an_invitation_says_what_is_missing(self, client):
        InvitationFactory(token="a-token-from-an-email")
        response = client.post(reverse("accept-invitation", args=["a-token-from-an-email"]), {})
        assert_says(response, "Enter your full name", "Enter a password")


@pytest.mark.django_db
class TestForgedChoices:
    """A value posted from outside the page's choices, as a hand-made request
    sends it: a message in words, and nothing saved."""

    def test_an_organisation_with_a_forged_local_authority_and_kind_of_phase(self, client):
        from tests.test_organisation_profile import create, signed_in

        signed_in(client)
        response = create(
            client,
            "academy_trust",
            local_authority="999999",
            phase="university",
            name="x" * 10_000,
        )
        assert_says(
            response,
            "Select the local authority",
            "Select the phase of education",
            "The name must be 200 characters or fewer",
        )

    def test_a_staff_account_with_forged_roles_and_answer(self, client, settings):
        from accreditation.services import accounts

        settings.STAFF_OTP_REQUIRED = False
        client.force_login(UserFactory(roles=[Role.ADMINISTRATOR]))
        person = UserFactory(roles=[Role.ASSESSOR])
        response = client.post(
            reverse("staff-user", args=[person.pk]),
            {
                "roles": ["superuser"],
                "is_active": "maybe",
                "version": accounts.staff_version(person),
            },
        )
        assert_says(response, "Select roles from the list", "Select yes if this person can sign in")
        person.refresh_from_db()
        assert person.is_active


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "Your password must be 12 characters or more"),
        ("123456789012345", "Your password must include letters or symbols, not only numbers"),
        (
            "administrator",
            "Choose a password that is harder to guess: this one is commonly used",
        ),
        ("ada@example.org1", "Choose a password that is not like your name or email address"),
    ],
)
def test_a_weak_password_is_refused_with_how_to_choose_a_better_one(client, password, message):
    response = client.post(
        reverse("register"),
        {
            "full_name": "Ada Lovelace",
            "email": "ada@example.org",
            "password1": password,
            "password2": password,
        },
    )
    assert_says(response, message)
    for django_words in ["This password is", "The password is too similar"]:
        assert django_words not in response.text


FILTER_SETS = [
    "accreditation.queries.case_list.CaseFilter",
    "register.queries.register.RegisterFilter",
    "feedback.views.letters.LetterFilter",
    "feedback.views.concerns.ConcernFilter",
    "assessments.views.queue.QueueFilter",
]


@pytest.mark.parametrize("path", FILTER_SETS)
def test_every_list_filter_of_choices_says_what_to_select(path):
    """A value not among a filter's options (an old link, an address edited
    by hand) is refused in the service's words: "Select a type from the
    list", never "Select a valid choice. xyz is not one of the available
    choices"."""
    from django.utils.module_loading import import_string

    for name, found in import_string(path).base_filters.items():
        if issubclass(found.field_class, forms.ChoiceField):
            message = found.extra.get("error_messages", {}).get("invalid_choice", "")
            assert message.startswith("Select "), f"{path}.{name}"


@pytest.mark.django_db
def test_a_forged_filter_value_is_refused_in_the_services_words(client):
    page = client.get(reverse("register-search"), {"type": "xyz", "phase": "<b>"}).text
    assert "Select a type from the list" in page
    assert "Select a phase from the list" in page
    assert not [message for message in DJANGO_MESSAGES if message in page]
    officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
    sign_in_verified(client, officer)
    page = client.get(reverse("staff-cases"), {"status": "nonsense", "region": "x"}).text
    assert "Select statuses from the list" in page
    assert "Select a region from the list" in page
    assert not [message for message in DJANGO_MESSAGES if message in page]


def test_every_number_is_asked_in_a_text_box_with_the_numeric_keypad():
    """GOV.UK's way to ask for a whole number: ``type="text"`` with
    ``inputmode="numeric"``, styled as its text input (a number box takes no
    GOV.UK style, and its arrows and scrolling change what was typed)."""
    asked = []
    for name, cls in service_forms().items():
        for field_name, field in cls.base_fields.items():
            if not isinstance(field, forms.IntegerField) or field.widget.is_hidden:
                continue
            asked.append(f"{name}.{field_name}")
            assert field.widget.input_type == "text", f"{name}.{field_name}"
            attrs = field.widget.attrs | field.widget_attrs(field.widget)
            assert attrs.get("inputmode") == "numeric", f"{name}.{field_name}"
    assert "accreditation.forms.rounds.RoundForm.year" in asked
    assert "accreditation.forms.rounds.CalendarForm.deadline_days" in asked
