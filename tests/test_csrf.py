from __future__ import annotations


def test_post_without_csrf_token_is_refused(client, make_user) -> None:
    user = make_user("admin")
    response = client.post("/login", data={"username": user.username, "password": "x"},
                           csrf=False)
    assert response.status_code == 400
    assert "セキュリティ確認（CSRF）" in response.get_data(as_text=True)


def test_htmx_post_with_the_header_token_is_accepted(client, login_as) -> None:
    login_as("admin")
    response = client.post("/admin/counters", data={"number": "12", "name": "臨時",
                                                    "department": "citizens", "active": "y"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 303


def test_htmx_post_without_the_header_is_refused_and_changes_nothing(client, login_as) -> None:
    login_as("admin")
    response = client.post("/admin/counters", data={"number": "12", "name": "臨時",
                                                    "department": "citizens"},
                           headers={"HX-Request": "true"}, csrf=False)
    assert response.status_code == 400
    assert "12番窓口" not in client.get("/admin/counters").get_data(as_text=True)
