"""GOV.UK components used as designed: the service navigation holds the
signed-in person's sections (links only to pages they can open) with the
current one marked; each kind of field in error carries its own
component's error class; two or more buttons sit in a button group."""

import re

import pytest
from django.urls import reverse

from accreditation.roles import Role
from tests.casework import sign_in_verified
from tests.factories import MembershipFactory, UserFactory
from tests.test_organisation_profile import create, signed_in

pytestmark = pytest.mark.django_db


def navigation(response):
    """[(label, href, aria-current or None)] of the service navigation."""
    nav = re.search(
        r'<nav aria-label="Menu" class="govuk-service-navigation__wrapper">(.*?)</nav>',
        response.text,
        re.DOTALL,
    ).group(1)
    link = r'<a class="govuk-service-navigation__link" href="([^"]+)"(?: aria-current="(\w+)")?>'
    links = re.findall(link + r"(.*?)</a>", nav, re.DOTALL)
    return [
        (re.sub(r"<[^>]+>", "", text).strip(), href, current or None)
        for href, current, text in links
    ]


def labels(response):
    return [label for label, _, _ in navigation(response)]


def test_an_applicant_has_their_sections_and_the_current_one_is_marked(client):
    client.force_login(MembershipFactory().user)
    response = client.get(reverse("organisation-profile"))
    assert labels(response) == ["Home", "Proposals", "Organisation", "Guidance", "Register"]
    assert ("Organisation", "/organisation/", "page") in navigation(response)
    assert "Sign out" in response.text

    # A page inside a section marks the section, not as the page itself.
    inside = client.get(reverse("organisation-members"))
    assert ("Organisation", "/organisation/", "true") in navigation(inside)
    assert [c for _, _, c in navigation(inside)].count(None) == 4


@pytest.mark.parametrize(
    "roles, sections",
    [
        (
            [Role.CASEWORK_OFFICER],
            ["Staff home", "Cases", "Screening", "Assignment", "Advisory Group", "More"],
        ),
        (
            [Role.ASSESSOR],
            ["Staff home", "Cases", "Your assessments", "Letters", "Conflicts of interest"],
        ),
        (
            [Role.ADVISORY_GROUP_MEMBER],
            ["Staff home", "Cases", "Advisory Group", "Letters", "Conflicts of interest"],
        ),
        (
            [Role.DECISION_OFFICIAL],
            ["Staff home", "Cases", "Decisions", "Concerns", "Letters", "Conflicts of interest"],
        ),
        (
            [Role.ADMINISTRATOR],
            ["Staff home", "Conflicts of interest", "Staff users", "Reference data"],
        ),
    ],
)
def test_staff_have_the_sections_their_roles_give(client, roles, sections):
    user = UserFactory(roles=roles)
    sign_in_verified(client, user)
    response = client.get(reverse("staff-home"))
    assert labels(response) == sections
    assert ("Staff home", "/staff/", "page") in navigation(response)
    # Every section opens for them.
    for _, href, _ in navigation(response):
        assert client.get(href).status_code == 200, href


def more(client):
    """[(label, href)] of the links on the "More" page."""
    page = client.get(reverse("staff-more")).text
    main = re.search(r"<main.*?</main>", page, re.DOTALL).group(0)
    return re.findall(r'<a class="govuk-link[^"]*" href="([^"]+)">([^<]+)</a>', main)


def test_a_casework_officer_finds_the_rest_under_more_and_every_section_opens(client):
    """Thirteen sections: the daily work in the menu, the other eight listed
    on "More", each with what it is for; every one opens, and a page of a
    section under "More" marks "More" in the menu."""
    sign_in_verified(client, UserFactory(roles=[Role.CASEWORK_OFFICER]))
    listed = more(client)
    assert [label for _, label in listed] == [
        "Rounds",
        "Concerns",
        "Letters",
        "Reports",
        "Out-of-round requests",
        "Schedule",
        "Emails not sent",
        "Conflicts of interest",
    ]
    menu = navigation(client.get(reverse("staff-home")))
    assert len(menu) + len(listed) - 1 == 13
    for href in [href for _, href, _ in menu] + [href for href, _ in listed]:
        assert client.get(href).status_code == 200, href
    assert "Create, change and cancel rounds" in client.get(reverse("staff-more")).text
    inside = navigation(client.get(reverse("staff-round-calendar")))
    assert [(label, current) for label, _, current in inside if current] == [("More", "true")]
    on_more = navigation(client.get(reverse("staff-more")))
    assert ("More", "/staff/more/", "page") in on_more


@pytest.mark.parametrize(
    "role, listed",
    [
        (Role.ASSESSOR, ["Letters", "Conflicts of interest"]),
        (Role.ADMINISTRATOR, ["Conflicts of interest", "Staff users", "Reference data"]),
    ],
)
def test_a_short_menu_has_no_more_and_the_more_page_still_lists_the_rest(client, role, listed):
    sign_in_verified(client, UserFactory(roles=[role]))
    assert "More" not in labels(client.get(reverse("staff-home")))
    assert [label for _, label in more(client)] == listed
    if "Letters" in listed:  # their cases' letters only, as the page says
        assert (
            "The letters issued for the cases you may see."
            in client.get(reverse("staff-more")).text
        )


def test_staff_who_are_applicants_too_find_their_applications(client):
    """Someone invited as staff who belongs to an organisation reaches the
    applicant pages from the staff menu, which marks the section there."""
    person = UserFactory(roles=[Role.APPLICANT, Role.ASSESSOR])
    MembershipFactory(user=person)
    sign_in_verified(client, person)
    menu = navigation(client.get(reverse("staff-home")))
    assert ("Your proposals", reverse("applicant-home"), None) in menu
    inside = navigation(client.get(reverse("proposal-dashboard")))
    assert [label for label, _, current in inside if current] == ["Your proposals"]
    # Staff who are not applicants are not offered it.
    sign_in_verified(client, UserFactory(roles=[Role.ASSESSOR]))
    assert "Your proposals" not in labels(client.get(reverse("staff-home")))


def test_the_case_list_marks_cases_not_staff_home(client):
    sign_in_verified(client, UserFactory(roles=[Role.CASEWORK_OFFICER]))
    response = client.get(reverse("staff-cases"))
    marked = [(label, current) for label, _, current in navigation(response) if current]
    assert marked == [("Cases", "page")]


def test_every_applicant_section_opens_for_an_applicant(client):
    client.force_login(MembershipFactory().user)
    response = client.get(reverse("applicant-home"))
    for _, href, _ in navigation(response):
        assert client.get(href).status_code == 200, href


def test_signed_out_people_see_the_guidance_the_register_and_sign_in(client):
    response = client.get(reverse("start"))
    assert labels(response) == ["Guidance", "Register", "Sign in"]


def tag(response, name):
    return re.search(rf'<(?:input|select|textarea)[^>]*name="{name}"[^>]*>', response.text).group(0)


def classes(response, name):
    return re.search(r'class="([^"]*)"', tag(response, name)).group(1).split()


def test_each_kind_of_field_in_error_has_its_own_error_class(client):
    signed_in(client)
    response = create(client, "academy_trust", local_authority="", name="", address="")
    assert classes(response, "local_authority") == ["govuk-select", "govuk-select--error"]
    assert classes(response, "address") == ["govuk-textarea", "govuk-textarea--error"]
    assert classes(response, "name") == ["govuk-input", "govuk-input--error"]
    # Fields without errors keep their plain class (and width).
    assert "govuk-input--error" not in classes(response, "schools_led_count")


def test_email_and_password_inputs_in_error_have_the_error_class(client):
    response = client.post(reverse("login"), {"username": "", "password": ""})
    assert classes(response, "username") == ["govuk-input", "govuk-input--error"]
    assert classes(response, "password") == ["govuk-input", "govuk-input--error"]


def test_two_buttons_sit_in_a_button_group():
    from django import forms
    from django.template import Context, Template

    from proposals.forms.journey import helper

    class TwoButtons(forms.Form):
        def __init__(self):
            super().__init__()
            self.helper = helper()

    html = Template("{% load crispy_forms_tags %}{% crispy form %}").render(
        Context({"form": TwoButtons()})
    )
    group = re.search(r'<div\s+class="govuk-button-group"\s*>(.*?)</div>', html, re.DOTALL)
    assert group, html
    assert group.group(1).count("<button") == 2


def test_a_selects_options_are_escaped_and_its_value_selected():
    from django import forms

    from accreditation.templatetags.service import select_options

    class Form(forms.Form):
        pick = forms.ChoiceField(
            choices=[("", "Any"), ('a"b', "<script>alert(1)</script>"), ("7", "Tom & Jerry's")]
        )

    html = select_options(Form({"pick": "7"})["pick"])
    assert html == (
        '<option value="">Any</option>'
        '<option value="a&quot;b">&lt;script&gt;alert(1)&lt;/script&gt;</option>'
        '<option value="7" selected>Tom &amp; Jerry&#x27;s</option>'
    )
    assert 'value="" selected' in select_options(Form({})["pick"])
