"""Running the app under gunicorn (production) from the `lms` command."""

from __future__ import annotations

import multiprocessing
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


def default_workers() -> int:
    return multiprocessing.cpu_count() * 2 + 1


class GunicornServer(BaseApplication):
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if value is not None and key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def run_gunicorn(app: Flask, bind: str, workers: int, *, access_log: bool = True) -> None:
    options = {
        "bind": bind,
        "workers": workers,
        "threads": 2,
        "timeout": 60,
        "graceful_timeout": 20,
        "forwarded_allow_ips": "127.0.0.1,::1",
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "post_fork": lambda _server, _worker: fresh_connections(app),
    }
    GunicornServer(app, options).run()


def fresh_connections(app: Flask) -> None:
    """In a new worker: forget connections the pool may have opened before the fork (a socket
    shared by two processes corrupts both sessions); the worker opens its own as needed."""
    from lms.extensions import db

    if "sqlalchemy" not in app.extensions:
        return
    with app.app_context():
        db.engine.dispose(close=False)
