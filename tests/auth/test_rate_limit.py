"""Per-address login throttling with Flask-Limiter, in memory and in the running Redis."""

import uuid

import pytest

from tests.helpers import skip_or_fail


def _hammer(client, times: int) -> list[int]:
    return [
        client.post(
            "/login", data={"email": "x@example.com", "password": "wrong password"}
        ).status_code
        for _ in range(times)
    ]


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}


def test_login_attempts_per_address_are_limited(client):
    codes = _hammer(client, 5)
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]
    assert "Too many attempts" in client.post("/login", data={}).get_data(as_text=True)
    assert client.get("/login").status_code == 200  # reading the page is not limited


class TestRedisStorage:
    @pytest.fixture
    def app_config(self):
        try:
            import redis

            redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
        except Exception as error:  # any connection problem means no Redis here
            skip_or_fail(f"Redis is not reachable at 127.0.0.1:6379: {error}")
        return {
            "RATELIMIT_ENABLED": True,
            "LOGIN_RATE_LIMIT": "3 per minute",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
            "RATELIMIT_KEY_PREFIX": f"lms-test-{uuid.uuid4().hex}",
        }

    def test_limit_is_shared_through_redis(self, app, client):
        import redis

        assert _hammer(client, 4) == [200, 200, 200, 429]
        # A second app (another worker or host) sees the same counter.
        other = app.test_client()
        assert _hammer(other, 1) == [429]
        keys = redis.Redis(host="127.0.0.1", port=6379).keys(
            "*" + app.config["RATELIMIT_KEY_PREFIX"] + "*"
        )
        assert keys
        redis.Redis(host="127.0.0.1", port=6379).delete(*keys)
