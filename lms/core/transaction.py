"""One transaction per request, as Indico's request handler does.

A view calls services and returns; it never commits. The request handler commits once, after a
response below 400, and rolls back after an error response, an exception, or a view that called
`discard_changes()`. Two deliberate exceptions to "all or nothing":

- `discard_changes()`: a failure answered with a redirect (a flashed message) or a page below
  400 drops what the request wrote so far, and nothing written after it is kept either.
- `keep_on_rollback(write)`: a write that must stand whatever the answer (a failed sign-in
  counted for the throttle, its audit record, an attempt whose time ran out submitted). The
  service does the write in the request's transaction as usual and registers a function that
  does it again; when the request rolls back, the handler runs the registered functions in a
  fresh transaction of their own and commits them, so that a refusal (a 4xx), a crash after the
  write or a discarded request still keeps them, and nothing else. The functions take ids and
  plain values, not loaded objects, and must be safe to run once more after a rollback.

Outside a request (the CLI, jobs, tests calling services) both are no-ops: the caller commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, g, has_request_context

from lms.extensions import db

_DISCARD = "lms_discard_changes"
_KEPT = "lms_kept_writes"


def discard_changes() -> None:
    """Drop what this request has written; the handler will commit nothing of it."""
    db.session.rollback()
    if has_request_context():
        setattr(g, _DISCARD, True)


def keep_on_rollback(write: Callable[[], object]) -> None:
    """Register `write` (already done in this transaction) to be done again and committed on
    its own if the request rolls back."""
    if has_request_context():
        g.setdefault(_KEPT, []).append(write)


def is_discarded() -> bool:
    return has_request_context() and bool(g.get(_DISCARD))


def finish(*, commit: bool) -> None:
    """End the request's transaction: commit it, or roll it back and redo the kept writes."""
    if commit and not is_discarded():
        db.session.commit()
        g.pop(_KEPT, None)
        return
    db.session.rollback()
    kept = g.pop(_KEPT, None)
    if not kept:
        return
    try:
        for write in kept:
            write()
        db.session.commit()
    except Exception:  # the answer is already decided; log rather than mask it
        db.session.rollback()
        logging.getLogger("lms").exception("a write kept on rollback could not be saved")


def register(app: Flask) -> None:
    @app.after_request
    def _commit(response):
        finish(commit=response.status_code < 400)
        return response

    @app.teardown_request
    def _rollback(error):
        if error is not None:
            finish(commit=False)
