"""Providers are registered when the app is created, and a missing one stops the start."""

from __future__ import annotations

import pytest

from lms import create_app, progress
from lms.skills import targets
from tests.conftest import make_config


def test_every_page_kind_has_a_provider_once_the_app_exists(app):
    progress.check_providers()
    assert targets.target_sources()


def test_a_missing_progress_provider_fails_at_start(app, monkeypatch, tmp_path, database_url):
    providers = dict(progress._PROVIDERS)
    del providers["checkin"]
    monkeypatch.setattr(progress, "_PROVIDERS", providers)
    with pytest.raises(progress.MissingProvider, match="checkin"):
        create_app(make_config(database_url, tmp_path / "other"))


def test_a_missing_target_source_fails_at_start(app, monkeypatch, tmp_path, database_url):
    monkeypatch.setattr(targets, "_SOURCES", [])
    with pytest.raises(progress.MissingProvider, match="target source"):
        create_app(make_config(database_url, tmp_path / "other"))
