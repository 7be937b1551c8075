"""Every environment variable the settings read is documented in .env.example, and parsing is typed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gridwork import env

ROOT = Path(__file__).resolve().parents[3]


def test_env_example_lists_every_variable() -> None:
    read = set()
    for source in (ROOT / "gridwork" / "settings.py", ROOT / "gridwork" / "env.py"):
        read |= set(re.findall(r'env_\w+\("([A-Z_]+)"', source.read_text()))
        read |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', source.read_text()))
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), flags=re.M))
    assert read - documented == set()
    assert documented - read == set()


def test_typed_parsing_refuses_nonsense(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(env.EnvError, match="X_BOOL"):
        env.env_bool("X_BOOL")
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(env.EnvError, match="X_INT"):
        env.env_int("X_INT", 1)
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "12")
    monkeypatch.setenv("X_LIST", " a, b ,,c ")
    assert env.env_bool("X_BOOL") is True
    assert env.env_int("X_INT", 1) == 12
    assert env.env_list("X_LIST", []) == ["a", "b", "c"]


def test_secret_key_generated_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = env.secret_key(tmp_path)
    assert len(first) > 40
    assert env.secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert env.secret_key(tmp_path) == "from-env"


def test_cache_url_picks_django_backends() -> None:
    assert env.cache_config("locmem://")["default"]["BACKEND"].endswith("LocMemCache")
    assert env.cache_config("dummy://")["default"]["BACKEND"].endswith("DummyCache")
    redis = env.cache_config("redis://127.0.0.1:6379/1")["default"]
    assert redis["BACKEND"].endswith("RedisCache") and redis["LOCATION"] == "redis://127.0.0.1:6379/1"
    with pytest.raises(env.EnvError, match="CACHE_URL"):
        env.cache_config("memcached://x")


def test_sqlite_writers_wait_a_bounded_time() -> None:
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite settings only")
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert 0 < database["OPTIONS"]["timeout"] <= 30
