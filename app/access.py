"""Who may open the app. On the loopback interface anybody on the machine may (the default); served on any
other address the app needs authentication: Streamlit's own OIDC login (``[auth]`` in
``.streamlit/secrets.toml``) or a reverse proxy that authenticates users and passes the user's name in a
header the app trusts. ``mlprov app`` refuses to serve beyond loopback without one of them, and every page
run checks it (``gate``).
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from enum import StrEnum
from pathlib import Path

from mlprov.errors import ConfigError

AUTH_ENV = "MLPROV_APP_AUTH"
HEADER_ENV = "MLPROV_APP_PROXY_HEADER"


class Auth(StrEnum):
    none = "none"
    oidc = "oidc"
    proxy = "proxy"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def secrets_files(cwd: Path | None = None) -> list[Path]:
    """Where Streamlit reads secrets from: the user's and the working directory's ``.streamlit/``."""
    return [Path.home() / ".streamlit" / "secrets.toml", (cwd or Path.cwd()) / ".streamlit" / "secrets.toml"]


def oidc_configured(cwd: Path | None = None) -> bool:
    """An ``[auth]`` table with a redirect URI, a cookie secret and a client id (directly or per provider)."""
    for path in secrets_files(cwd):
        try:
            auth = tomllib.loads(path.read_text(encoding="utf-8")).get("auth")
        except (OSError, tomllib.TOMLDecodeError):
            continue
        if not isinstance(auth, dict) or not auth.get("redirect_uri") or not auth.get("cookie_secret"):
            continue
        providers = [auth, *(v for v in auth.values() if isinstance(v, dict))]
        if any(p.get("client_id") for p in providers):
            return True
    return False


def check_serving(host: str, auth: Auth, proxy_header: str | None, cwd: Path | None = None) -> None:
    """Refuse (one line) a configuration that would serve the warehouse to the network unauthenticated."""
    if auth is Auth.proxy and not proxy_header:
        raise ConfigError("--auth proxy needs --proxy-header NAME: the header your reverse proxy sets to the user")
    if auth is Auth.oidc and not oidc_configured(cwd):
        raise ConfigError(
            "--auth oidc needs Streamlit's [auth] settings (redirect_uri, cookie_secret, client_id, "
            f"server_metadata_url) in {' or '.join(str(p) for p in secrets_files(cwd))}"
        )
    if auth is Auth.none and not is_loopback(host):
        raise ConfigError(
            f"refusing to serve the app on {host} without authentication: use --auth oidc (Streamlit login) "
            "or --auth proxy --proxy-header NAME behind an authenticating reverse proxy, or --host 127.0.0.1"
        )


def configured() -> tuple[Auth, str | None]:
    """The access mode the app was started with (``mlprov app`` passes it in the environment)."""
    try:
        auth = Auth(os.environ.get(AUTH_ENV, "none"))
    except ValueError:
        auth = Auth.none
    return auth, os.environ.get(HEADER_ENV) or None
