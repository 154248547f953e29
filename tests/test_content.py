"""GOV.UK content style in everything the service shows: "email", never
"e-mail", in templates and in the strings the code puts on pages, in
messages and in emails."""

import ast
import re
from pathlib import Path

import pytest

from accreditation.templatetags.service import status_tag
from accreditation.workflow import STATUS_META, Status
from proposals.models import Proposal

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accreditation", "proposals", "assessments", "advisory_group", "feedback")
E_MAIL = re.compile(r"e-mail", re.IGNORECASE)
LOGGERS = {"debug", "info", "warning", "error", "exception", "critical"}


def templates():
    return sorted(p for p in (ROOT / "templates").rglob("*") if p.is_file())


def python_files():
    return sorted(
        p for app in APPS for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts
    )


def shown_strings(tree):
    """String constants that can reach a person: not docstrings, not log
    messages (which only developers read)."""
    hidden = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body:
            first = body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                hidden.add(id(first.value))
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            hidden.add(id(node.value))  # a bare string: a comment in all but name
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in LOGGERS
        ):
            hidden.update(id(arg) for arg in ast.walk(node) if isinstance(arg, ast.Constant))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in hidden
        ):
            yield node


@pytest.mark.parametrize("path", templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_say_email(path):
    for number, line in enumerate(path.read_text().splitlines(), 1):
        assert not E_MAIL.search(line), f"{path.relative_to(ROOT)}:{number}: {line.strip()}"


def test_strings_in_the_code_say_email():
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}"
        for path in python_files()
        for node in shown_strings(ast.parse(path.read_text()))
        if E_MAIL.search(node.value)
    ]
    assert not found, "\n".join(found)


def test_one_applicant_status_label_has_one_colour():
    colours = {}
    for meta in STATUS_META.values():
        colours.setdefault(meta.applicant_label, set()).add(meta.applicant_tag_colour)
    assert {label: c for label, c in colours.items() if len(c) > 1} == {}


@pytest.mark.parametrize("status", list(Status))
def test_the_status_tag_shows_the_workflows_colours(status):
    case = Proposal(status=status)
    meta = STATUS_META[status]
    for audience, label, colour in (
        ("applicant", meta.applicant_label, meta.applicant_tag_colour),
        ("staff", status.label, meta.colour),
    ):
        html = status_tag(case, audience)
        assert html == f'<strong class="govuk-tag govuk-tag--{colour}">{label}</strong>'


def test_every_page_that_shows_a_status_uses_the_status_tag():
    shown = re.compile(r"get_status_display|status_meta|applicant_label")
    for path in templates():
        assert not shown.search(path.read_text()), path.relative_to(ROOT)
