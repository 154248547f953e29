"""Which page of a list an address asks for, read the same way by every
paginated list."""


def nearest_page(paginator, asked):
    """The page ``asked`` names (the ``page`` parameter as sent), or the
    nearest there is: the first when it names none or one before the first
    (``0``, ``-1``, ``abc``), the last when it is past the end. Django's own
    ``get_page`` gives the last for a number before the first."""
    try:
        if int(asked) < 1:
            asked = 1
    except (TypeError, ValueError):
        pass  # not a whole number: ``get_page`` gives the first
    return paginator.get_page(asked)
