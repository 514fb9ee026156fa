"""Login, logout, protected pages and the ``next`` parameter."""
import pytest

from tracker.security import is_safe_next


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b'name="email"' in response.data


@pytest.mark.parametrize("path", ["/", "/admin/", "/rate/", "/dashboard/"])
def test_protected_pages_redirect_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_login_and_logout(client, auth, org):
    response = auth.login("admin@test.local", "pw")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    auth.logout()
    assert client.get("/admin/").status_code == 302


def test_wrong_password_gives_one_generic_message(client, auth, org):
    wrong_password = auth.login("admin@test.local", "nope").get_data(as_text=True)
    unknown_user = auth.login("nobody@test.local", "pw").get_data(as_text=True)
    assert "Invalid e-mail or password." in wrong_password
    assert "Invalid e-mail or password." in unknown_user


def test_role_sees_403_outside_its_area(client, auth, org):
    auth.login("head.it@test.local", "pw")
    assert client.get("/admin/").status_code == 403
    assert client.get("/rate/").status_code == 200


@pytest.mark.parametrize(
    "target, safe",
    [
        ("/rate/", True),
        ("/dashboard/?period=2026-Q3", True),
        ("//evil.example", False),
        ("///evil.example", False),
        ("/\\evil.example", False),
        ("\\\\evil.example", False),
        ("https://evil.example/", False),
        ("javascript:alert(1)", False),
        ("http:/evil.example", False),
        ("", False),
        (None, False),
        ("/%0a/evil", True),
        ("/\x0a/evil", False),
    ],
)
def test_is_safe_next(target, safe):
    assert is_safe_next(target) is safe


def test_login_follows_only_local_next(client, org):
    response = client.post("/login?next=//evil.example", data={"email": "admin@test.local", "password": "pw"})
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post("/login?next=/admin/", data={"email": "admin@test.local", "password": "pw"})
    assert response.headers["Location"] == "/admin/"



def test_header_names_the_role_only_when_it_differs_from_the_name(client, app, auth, org):
    """An account named like its role reads "Customer-experience office", not the same words twice."""
    from tracker.extensions import db
    from tracker.templating import role_label
    with app.test_request_context():
        admin_label, coo_label = role_label("admin"), role_label("coo")
    org.users["admin"].name = admin_label
    org.users["coo"].name = "Olga Petrova"
    db.session.commit()
    auth.login("admin@test.local")
    html = client.get("/audit/").get_data(as_text=True)
    # the user's menu in the bar: the name, the role in its tooltip and first line when it differs
    assert f'title="{admin_label}">{admin_label}</summary>' in html and f"{admin_label} · {admin_label}" not in html
    auth.logout()
    auth.login("coo@test.local")
    html = client.get("/audit/").get_data(as_text=True)
    assert f'title="Olga Petrova · {coo_label}">Olga Petrova</summary>' in html
    assert f'text-body-secondary">{coo_label}</li>' in html
