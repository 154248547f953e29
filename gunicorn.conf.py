"""gunicorn's settings wherever the service runs (``make run``, the image,
the load benchmark): gunicorn reads this file from the folder it starts in,
and options on its command line still win."""

# The case list's and the register's addresses carry their filters and
# search. gunicorn refuses a request line over 4 KiB with a bare error page
# of its own (and allows at most 8 KiB unless told no limit, which it caps
# at 1 MiB): a long search pasted into the address reaches the service,
# which cuts it to the search box's length and answers as usual.
limit_request_line = 0

# Each worker process serves two requests at once on threads, so one
# waiting for the database does not hold the process's core idle; more
# threads only wait longer on each other for Python's lock. A connection is
# closed after each response (no keep-alive): a kept-alive connection stays
# with the worker that accepted it, so under load one worker queued requests
# while the other had none. Measured by benchmarks/load.py (200 people, 2
# workers): 2 threads without keep-alive, 95th percentile 220 and 270 ms;
# 4 threads, 490 ms without keep-alive and 840 ms with it; one thread (the
# sync worker), 410 ms.
#
# With threads, gunicorn's worker timeout (30 s) watches the worker process,
# not each request: a request that hangs is not ended by it, and holds one
# of its worker's two threads until it finishes.
# A client that opens a connection and sends nothing has it closed after
# 5 seconds.
threads = 2
keepalive = 0
