"""Login throttling and the login form's input (issue 14 §4 "Login throttling", "Bad input"):
the client's address comes from X-Forwarded-For only when a trusted proxy sends it; parallel
guesses cannot pass the limit; an address may fail more often than an account; an unknown login
name costs a password hash as a known one does; a login name no account can have is refused in
Japanese, never with a 500."""

from __future__ import annotations

import threading

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from app import create_app
from app.auth.models import LoginAttempt
from app.extensions import db
from app.web.proxy import networks
from tests.conftest import ON_POSTGRES, PASSWORD, make_config

WRONG = "ログイン名またはパスワードが正しくありません"
THROTTLED = "しばらくログインできません"


def _login(client, username: str, password: str, *, peer: str = "10.0.0.1", forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post("/login", data={"username": username, "password": password}, headers=headers,
                       environ_base={"REMOTE_ADDR": peer})


def _addresses(db_session) -> list[str]:
    return list(db_session.scalars(select(LoginAttempt.address).order_by(LoginAttempt.id)))


def test_the_forwarded_address_counts_only_from_a_trusted_proxy(client, db_session) -> None:
    _login(client, "nobody", "x", peer="127.0.0.1", forwarded="203.0.113.5")  # the local proxy
    _login(client, "nobody", "x", peer="10.0.0.9", forwarded="203.0.113.6")   # anyone else
    assert _addresses(db_session) == ["203.0.113.5", "10.0.0.9"]


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": ("10.1.0.0/24",), "PROXY_HOPS": 2}])
def test_the_trusted_proxies_and_their_hops_are_settings(client, db_session, app_config) -> None:
    _login(client, "nobody", "x", peer="10.1.0.7", forwarded="198.51.100.7, 10.2.0.1")
    _login(client, "nobody", "x", peer="127.0.0.1", forwarded="198.51.100.8, 10.2.0.1")
    assert _addresses(db_session) == ["198.51.100.7", "127.0.0.1"]


def test_a_trusted_proxy_that_is_not_an_address_stops_the_start() -> None:
    assert [str(n) for n in networks(["127.0.0.1", "10.0.0.0/8", "::1"])] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    with pytest.raises(ValueError, match="TRUSTED_PROXIES: 'proxy.internal'"):
        create_app(make_config("sqlite://", TRUSTED_PROXIES=("proxy.internal",)))


@pytest.mark.parametrize("app_config", [{"LOGIN_MAX_FAILURES_PER_ADDRESS": 8}])
def test_behind_the_proxy_one_clients_failures_lock_out_no_one_else(client, make_user, app_config) -> None:
    user = make_user("operator")
    for i in range(8):
        _login(client, f"nobody{i}", "x", peer="127.0.0.1", forwarded="203.0.113.5")
    assert THROTTLED in _login(client, user.username, PASSWORD, peer="127.0.0.1",
                               forwarded="203.0.113.5").get_data(as_text=True)
    assert _login(client, user.username, PASSWORD, peer="127.0.0.1", forwarded="203.0.113.6").status_code == 302


@pytest.mark.parametrize("app_config", [{"LOGIN_MAX_FAILURES_PER_ADDRESS": 8}])
def test_a_client_that_names_its_own_address_does_not_escape_the_limit(client, make_user, app_config) -> None:
    user = make_user("operator")
    for i in range(8):
        _login(client, f"nobody{i}", "x", peer="10.0.0.9", forwarded=f"203.0.113.{i}")
    assert THROTTLED in _login(client, user.username, PASSWORD, peer="10.0.0.9",
                               forwarded="203.0.113.200").get_data(as_text=True)


def test_an_address_may_fail_more_often_than_an_account(client, make_user) -> None:
    """Five failures of different people at one address (an office behind one address) lock no
    one out; five of one account lock that account."""
    user = make_user("operator")
    for i in range(5):
        _login(client, f"nobody{i}", "x")
    assert _login(client, user.username, PASSWORD).status_code == 302


def test_successful_logins_do_not_count(app, make_user) -> None:
    user = make_user("operator")
    for _ in range(8):
        other = app.test_client()
        assert _login(other, user.username, PASSWORD).status_code == 302


def test_an_unknown_login_name_costs_a_password_hash(client, make_user, monkeypatch) -> None:
    """The answer for an unknown name takes as long as for a known one because it does the same
    work: a hash check (of a dummy). Checked by the call, not by a stopwatch."""
    make_user("operator")
    checked: list[str] = []
    verify = PasswordHasher.verify

    def counting(self, hash, password):  # noqa: A002 - argon2's own parameter name
        checked.append(password)
        return verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    assert WRONG in _login(client, "no-such-person", "a-guess").get_data(as_text=True)
    assert WRONG in _login(client, "operator-user", "another-guess").get_data(as_text=True)
    assert checked == ["a-guess", "another-guess"]


GUESSES = 40


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serialises writers (BEGIN IMMEDIATE), so guesses cannot "
                    "overlap there; PostgreSQL runs them at once (set TEST_DATABASE_URL)")
def test_forty_parallel_guesses_cannot_pass_a_limit_of_five(app, make_user) -> None:
    username = make_user("operator").username
    db.session.close()  # the threads below do the logins
    barrier = threading.Barrier(GUESSES)
    answers: list[str] = []
    errors: list[BaseException] = []

    def guess(n: int) -> None:
        try:
            guesser = app.test_client()
            guesser.csrf_token()  # the session cookie before the race
            barrier.wait(30)
            answers.append(_login(guesser, username, f"guess-{n}", peer=f"10.3.0.{n}").get_data(as_text=True))
        except BaseException as exc:  # the main thread reports it
            errors.append(exc)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    checked = [a for a in answers if WRONG in a]
    refused = [a for a in answers if THROTTLED in a]
    assert (len(checked), len(refused)) == (5, GUESSES - 5)


@pytest.mark.parametrize(("username", "status", "message"), [
    ("a" * 65, 422, "ログイン名：ログイン名は64文字以内です。"),
    ("oper\x07ator", 422, "ログイン名：ログイン名に使えない文字が含まれています。"),
    ("oper\x00ator", 400, "使用できない文字が含まれています"),  # a NUL: app/web/guard.py, before the form
])
def test_a_login_name_no_account_can_have_is_refused_in_japanese(client, make_user, db_session,
                                                                 username, status, message) -> None:
    response = _login(client, username, PASSWORD)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert _addresses(db_session) == []


def test_an_account_cannot_be_made_with_a_control_character(client, login_as) -> None:
    login_as("admin")
    response = client.post("/admin/users", data={"username": "bell\x07name", "display_name": "田中\x07",
                                                 "role": "operator", "password": "long-enough-1"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "ログイン名：ログイン名は半角英数字で入力してください。" in body
    assert "氏名：氏名に使えない文字が含まれています。" in body
