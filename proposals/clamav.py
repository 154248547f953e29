"""The ClamAV scanner for uploads: clamd's INSTREAM command, spoken over
its unix socket or TCP with the standard library.

Select it with ``EVIDENCE_SCANNER=proposals.clamav.scan`` and say where
clamd listens with ``CLAMAV_ADDRESS`` (``unix:///run/clamav/clamd.ctl`` or
``tcp://clamav:3310``). It fails closed: a file that could not be scanned
is refused, never let through.
"""

import logging
import socket
import struct
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
INFECTED = "The selected file contains a virus"
UNAVAILABLE = "The selected file could not be checked for viruses. Try again later"


class ClamdError(Exception):
    """clamd could not be reached or did not give a verdict."""


def connect(address, timeout):
    """A socket connected to clamd at ``address``."""
    parts = urlsplit(address)
    if parts.scheme == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target = parts.path
    elif parts.scheme == "tcp" and parts.hostname and parts.port:
        sock = socket.socket(socket.AF_INET6 if ":" in parts.hostname else socket.AF_INET)
        target = (parts.hostname, parts.port)
    else:
        raise ClamdError(f"CLAMAV_ADDRESS must be unix:///path or tcp://host:port, not {address!r}")
    sock.settimeout(timeout)
    try:
        sock.connect(target)
    except OSError:
        sock.close()
        raise
    return sock


def instream(chunks, *, address, timeout):
    """Stream ``chunks`` (bytes) to clamd and return its verdict line, like
    ``stream: OK`` or ``stream: Eicar-Signature FOUND``."""
    try:
        with connect(address, timeout) as sock:
            sock.sendall(b"zINSTREAM\0")
            for chunk in chunks:
                if chunk:
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                received = sock.recv(4096)
                if not received:
                    break
                reply += received
    except OSError as error:
        raise ClamdError(f"clamd at {address} did not answer: {error}") from error
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()


def verdict(reply):
    """``None`` for a clean file, the signature's name for an infected one;
    anything else (an error, a size limit) raises ``ClamdError``."""
    if reply.endswith(" FOUND"):
        return reply.removeprefix("stream:").removesuffix(" FOUND").strip()
    if reply == "stream: OK":
        return None
    raise ClamdError(f"clamd gave no verdict: {reply!r}")


def scan(uploaded_file):
    """The ``EVIDENCE_SCANNER``: refuse an infected file, and a file that
    could not be scanned."""
    uploaded_file.seek(0)
    try:
        found = verdict(
            instream(
                uploaded_file.chunks(CHUNK_BYTES),
                address=settings.CLAMAV_ADDRESS,
                timeout=settings.CLAMAV_TIMEOUT_SECONDS,
            )
        )
    except ClamdError as error:
        logger.error("Upload %r refused unscanned: %s", uploaded_file.name, error)
        raise ValidationError(UNAVAILABLE, code="scan_failed") from error
    if found:
        raise ValidationError(INFECTED, code="infected")
