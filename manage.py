#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accreditation.settings")
    if not os.environ.get("SECRET_KEY"):
        # A developer's machine: no secret means a local run. Production sets
        # SECRET_KEY (the web server refuses to start without it), so its
        # commands keep DEMO as configured.
        os.environ.setdefault("DEMO", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
