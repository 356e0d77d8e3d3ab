"""A cache of rendered, sanitized page fragments that depend only on content, never on the reader:
in the worker's memory, or in Redis (shared by every worker) when `LMS_CACHE_URL` is set.

Keys carry the content stamp (`content_stamp`): the newest version id and the state of
retirement, which every publish and retirement changes. A new lesson version is therefore served
at once, in every language, and no entry ever needs deleting; stale ones age out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from flask_caching import Cache

from lms.content.models import ContentItem, ContentVersion
from lms.extensions import db

cache = Cache()
TIMEOUT = 24 * 3600
MISSING = "-"


def init_cache(app: Flask) -> None:
    url = app.config.get("CACHE_URL")
    if url:
        config = {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": url,
            "CACHE_KEY_PREFIX": "lms:fragment:",
            "CACHE_DEFAULT_TIMEOUT": TIMEOUT,
        }
    else:
        config = {
            "CACHE_TYPE": "SimpleCache",
            "CACHE_THRESHOLD": 5000,
            "CACHE_DEFAULT_TIMEOUT": TIMEOUT,
        }
    cache.init_app(app, config=config)


def content_stamp() -> str:
    """Changes with every publish (a new version id), retirement and return; one query."""
    newest, retired, last_retired = db.session.execute(
        sa.select(
            sa.select(sa.func.max(ContentVersion.id)).scalar_subquery(),
            sa.select(sa.func.count(ContentItem.retired_at)).scalar_subquery(),
            sa.select(sa.func.max(ContentItem.retired_at)).scalar_subquery(),
        )
    ).one()
    moment = last_retired.isoformat() if last_retired is not None else ""
    return f"{newest or 0}.{retired or 0}.{moment}"


def cached(key: str, build: Callable[[], Any]) -> Any:
    """The fragment under `key`, built (and stored) when absent; None is stored too."""
    if "cache" not in current_app.extensions or cache not in current_app.extensions["cache"]:
        init_cache(current_app)  # an app made without the courses blueprint's setup
    found = cache.get(key)
    if found is None:
        value = build()
        cache.set(key, MISSING if value is None else value)
        return value
    return None if found == MISSING else found
