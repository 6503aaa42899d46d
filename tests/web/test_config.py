"""Settings from the environment arrive in the type the app uses."""

from practice import create_app


def test_idle_timeout_from_the_environment_may_be_a_fraction(app_config, monkeypatch):
    monkeypatch.setenv("IDLE_TIMEOUT_MINUTES", "1.5")
    app_config.pop("IDLE_TIMEOUT_MINUTES", None)
    app = create_app(app_config)
    assert app.config["IDLE_TIMEOUT_MINUTES"] == 1.5
