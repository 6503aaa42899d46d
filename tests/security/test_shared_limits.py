"""A1 across web nodes: with REDIS_URL, sign-in limits live in Redis and every node sees them."""

import uuid

import pytest
import redis

from tests.conftest import PASSWORD, csrf_from

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_limits(app_config):
    """Point the limiter at the machine's Redis under a prefix of this test's own."""
    prefix = f"sb-test-{uuid.uuid4().hex}"
    app_config.update({"RATELIMIT_STORAGE_URI": REDIS, "RATELIMIT_KEY_PREFIX": prefix})
    yield prefix
    connection = redis.Redis.from_url(REDIS)
    for key in connection.scan_iter(f"*{prefix}*"):
        connection.delete(key)


def wrong_sign_in(client, email):
    """Post a wrong password through the real form."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": "not it at all, sorry",
                                       "csrf_token": token})


def test_sign_in_failures_are_counted_in_redis_where_every_web_node_sees_them(
    redis_limits, app, make_user
):
    user = make_user("partner")
    node_one, node_two = app.test_client(), app.test_client()
    for _ in range(3):
        assert wrong_sign_in(node_one, user.email).status_code == 200
    for _ in range(2):
        assert wrong_sign_in(node_two, user.email).status_code == 200
    token = csrf_from(node_two.get("/login").get_data(as_text=True))
    blocked = node_two.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert blocked.status_code == 429
    keys = list(redis.Redis.from_url(REDIS).scan_iter(f"*{redis_limits}*"))
    assert keys, "the counts are kept in Redis"
