"""gunicorn's settings wherever the service runs (``make run``, the image,
the load benchmark): gunicorn reads this file from the folder it starts in,
and options on its command line still win."""

# The case list's and the register's addresses carry their filters and
# search. gunicorn refuses a request line over 4 KiB with a bare error page
# of its own (and allows at most 8 KiB unless told no limit, which it caps
# at 1 MiB): a long search pasted into the address reaches the service,
# which cuts it to the search box's length and answers as usual.
limit_request_line = 0
