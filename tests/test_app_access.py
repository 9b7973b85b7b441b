"""The app beyond the loopback interface: `mlprov app` refuses to serve the warehouse to the network
without authentication, and every page run is gated by the authentication it was started with."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mlprov.app import access
from mlprov.errors import ConfigError
from tests.conftest import run_cli

MAIN = str(Path(__file__).resolve().parents[1] / "app" / "main.py")
OIDC = """[auth]
redirect_uri = "https://mlprov.example.org/oauth2callback"
cookie_secret = "not-a-real-secret"
client_id = "mlprov"
client_secret = "also-not-real"
server_metadata_url = "https://login.example.org/.well-known/openid-configuration"
"""


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--host", "0.0.0.0"], "refusing to serve the app on 0.0.0.0 without authentication"),
        (["--host", "192.168.1.20", "--port", "9000"], "refusing to serve the app on 192.168.1.20"),
        (["--host", "0.0.0.0", "--auth", "proxy"], "--auth proxy needs --proxy-header NAME"),
        (["--host", "0.0.0.0", "--auth", "oidc"], "--auth oidc needs Streamlit's [auth] settings"),
    ],
)
def test_serving_beyond_loopback_without_authentication_is_refused(
    args: list[str], needle: str, tmp_path: Path
) -> None:
    proc = run_cli("app", *args, env={"HOME": str(tmp_path), "MLPROV_HOME": str(tmp_path / "home")}, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert lines[-1].startswith("mlprov: error: ") and needle in lines[-1], proc.stderr
    assert "Traceback" not in proc.stderr and "mlprov app: http://" not in proc.stderr


def test_which_configurations_may_serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for host in ("127.0.0.1", "127.0.0.2", "::1", "localhost"):
        access.check_serving(host, access.Auth.none, None, cwd=tmp_path)
    for host in ("0.0.0.0", "::", "10.0.0.5", "mlprov.internal"):
        with pytest.raises(ConfigError, match="without authentication"):
            access.check_serving(host, access.Auth.none, None, cwd=tmp_path)
    access.check_serving("0.0.0.0", access.Auth.proxy, "X-Remote-User", cwd=tmp_path)
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text(OIDC.replace('client_id = "mlprov"\n', ""))
    with pytest.raises(ConfigError, match=r"\[auth\] settings"):
        access.check_serving("0.0.0.0", access.Auth.oidc, None, cwd=tmp_path)
    secrets.write_text(OIDC)
    access.check_serving("0.0.0.0", access.Auth.oidc, None, cwd=tmp_path)
    secrets.write_text("[auth\nbroken")
    with pytest.raises(ConfigError):
        access.check_serving("0.0.0.0", access.Auth.oidc, None, cwd=tmp_path)


def _run_main(monkeypatch: pytest.MonkeyPatch, **env: str) -> AppTest:
    for key in (access.AUTH_ENV, access.HEADER_ENV):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    at = AppTest.from_file(MAIN, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_proxy_mode_without_the_header_shows_nothing_of_the_warehouse(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _run_main(monkeypatch, **{access.AUTH_ENV: "proxy", access.HEADER_ENV: "X-Remote-User"})
    assert [e.value for e in at.error] == [
        "Not authenticated: the request has no X-Remote-User header from the reverse proxy."
    ]
    assert not at.title and not at.metric and not at.dataframe


def test_oidc_mode_asks_to_log_in_first(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _run_main(monkeypatch, **{access.AUTH_ENV: "oidc"})
    assert [b.label for b in at.button] == ["Log in"]
    assert [t.value for t in at.title] == ["mlprov"] and not at.metric and not at.dataframe
