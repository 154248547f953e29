"""The options of the lists' filters that are read from the database (the
rounds, local authorities, regions and assessors the case list offers; the
local authorities and regions the public register offers). They are the
same for everyone and read far more often than they change, so they are
kept between changes to them (``accreditation/kept.py``): a new round, a
renamed local authority or region, an assessor who joins, is renamed or
leaves replaces the token. The case list checks a value chosen against
the database; the register, against the options it shows."""

from django.apps import apps

from accreditation.kept import Version

OPTIONS = Version("filter-options")
KEPT_SECONDS = 600


def watch():
    """Connected at start-up."""
    User = apps.get_model("accreditation", "User")
    OPTIONS.watch(
        apps.get_model("accreditation", "Round"),
        apps.get_model("accreditation", "LocalAuthority"),
        apps.get_model("accreditation", "Region"),
    )
    # Signing in saves the last sign-in alone: not a change to the options.
    OPTIONS.watch(User, fields=("full_name", "email", "is_active"), through=(User.groups.through,))


def kept(key, read):
    """The options ``read()`` gives, kept as ``key``."""
    return OPTIONS.kept(key, read, KEPT_SECONDS)
