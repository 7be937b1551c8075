"""Typed reading of environment variables for the settings."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from pathlib import Path


class EnvError(ValueError):
    """A variable is set to something that cannot be parsed."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise EnvError(f"{name}: expected a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise EnvError(f"{name}: expected an integer, got {raw!r}") from exc


def env_choice(name: str, default: str, choices: list[str]) -> str:
    value = os.environ.get(name) or default
    if value not in choices:
        raise EnvError(f"{name}: expected one of {', '.join(choices)}, got {value!r}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def var_dir() -> Path:
    """The folder for the SQLite file, the generated secret key and uploads."""
    path = Path(os.environ.get("GRIDWORK_VAR_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(directory: Path) -> str:
    """SECRET_KEY from the environment, or one generated on first run and kept in var/."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    key_file = directory / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    # The file holds a credential: create it readable by the owner only.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def env_field_keys(name: str, secret: str, deploy: bool) -> tuple[list[str], bool]:
    """FIELD_KEYS or FIELD_HMAC_KEYS (comma-separated, the first the current key), and whether
    the key was derived for development.

    Unset and without DEPLOY: one key derived from SECRET_KEY, for development and tests only,
    so the demo, `make run` and the tests run with encryption on. It is NOT for production: with
    DEPLOY the list stays empty and the system check (core.checks) refuses to start."""
    keys = env_list(name, [])
    if keys or deploy:
        return keys, False
    digest = hashlib.sha256(f"gridwork-dev-{name}\x00{secret}".encode()).digest()
    return [base64.urlsafe_b64encode(digest).decode().rstrip("=")], True


_CACHE_BACKENDS = {
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
    "dummy": "django.core.cache.backends.dummy.DummyCache",
    "redis": "django.core.cache.backends.redis.RedisCache",
}


def cache_config(url: str) -> dict[str, dict[str, str]]:
    """CACHES from a URL: `locmem://` (per process), `dummy://` (nothing kept), or
    `redis://host:port/db` (shared by every process: what several web processes need)."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    backend = _CACHE_BACKENDS.get(scheme)
    if backend is None:
        raise EnvError(f"CACHE_URL: expected locmem://, dummy:// or redis://…, got {url!r}")
    config = {"BACKEND": backend}
    if scheme == "redis":
        config["LOCATION"] = url
    return {"default": config}
