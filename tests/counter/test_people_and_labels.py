"""People see people's names and the names of things (issue 15 §5): the case history's 担当 is
the operator's display name, not the login id; the fee table shows fees by name, not code."""

from __future__ import annotations

import re

from tests.conftest import PASSWORD


def test_the_case_history_names_the_operator_not_their_login_id(client, open_case, operator) -> None:
    case = open_case()
    client.post("/login", data={"username": operator.username, "password": PASSWORD})
    body = client.get(f"/counter/cases/{case.id}").get_data(as_text=True)
    history = body.split("<tbody>")[-1]
    assert operator.display_name in history
    assert not re.search(rf"<td>{operator.username}</td>", history)


def test_the_fee_table_shows_names_not_codes_to_the_counter(client, login_as, procedures) -> None:
    login_as("operator")
    body = client.get("/register/fees").get_data(as_text=True)
    assert "住民票の写し" in body
    assert "resident_record_copy" not in body and "<th>コード</th>" not in body


def test_a_login_id_kept_on_a_row_is_shown_as_the_persons_name(app, make_user) -> None:
    from app.auth.services import display_name_of

    user = make_user("operator", "op9", display_name="窓口 花子")
    assert display_name_of(user.username) == "窓口 花子"
    assert display_name_of("(system)") == display_name_of("(sftp)") == "（システム）"
    assert display_name_of("gone-user") == "gone-user"  # an account no longer there: as it was kept
