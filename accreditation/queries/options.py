"""The options of the lists' filters that are read from the database (the
rounds, local authorities, regions and assessors the case list offers; the
local authorities and regions the public register offers; the rounds the
assessor's queue and the letters offer). They are the
same for everyone and read far more often than they change, so they are
kept between changes to them (``accreditation/kept.py``): a new round, a
renamed local authority or region, an assessor who joins, is renamed or
leaves replaces the token. The case list checks a value chosen against
the database; the register, against the options it shows."""

from django.apps import apps

from accreditation.forms.helpers import select_choices
from accreditation.kept import Version

WATCHED = (
    ("accreditation", "Round"),
    ("accreditation", "LocalAuthority"),
    ("accreditation", "Region"),
    ("accreditation", "User"),
)

OPTIONS = Version("filter-options")
KEPT_SECONDS = 600


def watch():
    """Connected at start-up."""
    User = apps.get_model("accreditation", "User")
    OPTIONS.watch(*(apps.get_model(*label) for label in WATCHED if label[1] != "User"))
    # Signing in saves the last sign-in alone: not a change to the options.
    OPTIONS.watch(User, fields=("full_name", "email", "is_active"), through=(User.groups.through,))


def kept(key, read):
    """The options ``read()`` gives, kept as ``key``."""
    return OPTIONS.kept(key, read, KEPT_SECONDS)


def field_choices(field):
    """[(value, label)] of the select bound ``field``, as ``select_choices``
    reads them; a model choice field's kept, by its form and name, when its
    model is one of those watched. Only for a field whose options are the
    same for everyone (its queryset does not depend on who asks)."""
    queryset = getattr(field.field, "queryset", None)
    meta = None if queryset is None else queryset.model._meta
    if meta is None or (meta.app_label, meta.object_name) not in WATCHED:
        return select_choices(field.field)
    form = type(field.form)
    return kept(
        f"{form.__module__}.{form.__qualname__}:{field.name}",
        lambda: select_choices(field.field),
    )
