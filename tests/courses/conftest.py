"""Fixtures of the course tests: fake quiz and drill progress, a page-query counter."""

from __future__ import annotations

import pytest

from lms import progress


@pytest.fixture
def fake_scores(monkeypatch):
    """Quiz and drill progress taken from a dict the test fills: {(user_id, slug): ItemProgress}.
    The real providers are restored after the test."""
    scores: dict = {}

    def provider(user_ids, slugs):
        return {
            key: value for key, value in scores.items() if key[0] in user_ids and key[1] in slugs
        }

    monkeypatch.setitem(progress._PROVIDERS, "quiz", provider)
    monkeypatch.setitem(progress._PROVIDERS, "scenario", provider)
    return scores


@pytest.fixture
def page_queries(queries):
    """`page_queries(client, url)` -> the number of SQL statements the page ran (and its text)."""

    def count(client, url):
        with queries() as statements:
            response = client.get(url)
            body = response.get_data(as_text=True)
        assert response.status_code == 200, body[:500]
        return len(statements), body

    return count
