"""No lost updates: a form two people can edit carries the version of what
it showed, and the save is refused if what is stored has changed since.

A version is a fingerprint of the fields the form edits, read from the row
under its lock, so no column or migration is needed and a change to fields
the form does not show never gets in the way. Forms take
:class:`VersionedFormMixin`, views :class:`StaleEditViewMixin`, and the
service checks with :func:`check_version` inside its transaction.
"""

import hashlib
import json

from django import forms

NEW = "new"


class StaleEdit(Exception):
    """What the form showed has been changed since: by someone else, or by
    the same person in another tab (a version does not say who)."""

    def __init__(self, current):
        super().__init__(
            "These details were saved again while you were editing them (by someone else, or "
            "by you in another tab or window), so your changes have not been saved. Below is "
            "what you entered, not what was saved: saving again replaces what was saved with "
            "it. To see what was saved first, open this page again in a new tab."
        )
        self.current = current


def fingerprint(values):
    """The version of a list of stored values (lists inside compare as sets)."""
    normal = [sorted(map(str, value)) if isinstance(value, list) else value for value in values]
    encoded = json.dumps(normal, default=str, sort_keys=True).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]


def version_of(instance, fields):
    """The version of ``fields`` of ``instance`` as stored; ``NEW`` when
    nothing has been saved yet."""
    if instance is None:
        return NEW
    return fingerprint(
        [instance._meta.get_field(name).value_from_object(instance) for name in sorted(fields)]
    )


def check_version(current, version):
    """Refuse the save unless ``version`` (from the page) is ``current`` (read
    under the row's lock). ``version`` None means the caller showed no page
    (a script, a test set-up)."""
    if version is not None and version != current:
        raise StaleEdit(current)


class VersionedFormMixin(forms.Form):
    """The hidden version of what the page showed. Missing or tampered
    with, it never matches, so the save is refused as stale."""

    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class StaleEditViewMixin:
    """For a ``FormView`` whose save may raise :class:`StaleEdit`: show the
    page again with what this person typed, the message, and the current
    version, so saving again replaces the other person's changes knowingly."""

    def stale(self, form, error):
        data = form.data.copy()
        data[form.add_prefix("version")] = error.current
        fresh = self.get_form_class()(**{**self.get_form_kwargs(), "data": data})
        fresh.is_valid()
        fresh.add_error(None, str(error))
        return self.form_invalid(fresh)
