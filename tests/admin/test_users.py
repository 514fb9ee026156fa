"""Users: create (with a generated password shown once), edit, reset password, archive and restore."""
import pytest
import re

from tracker.extensions import db
from tracker.models import User
from tracker.services import users as user_service

from .conftest import audit_rows, changes


def _user(email: str) -> User | None:
    db.session.expire_all()
    return user_service.find_by_email(email)


def _demote_head_of(code: str) -> None:
    head = _user(f"head.{code.lower()}@test.local")
    head.role = "member"
    db.session.commit()


def test_create_with_generated_password_shown_once(admin, client, auth, org):
    _demote_head_of("MKT")
    response = admin.post("/admin/users/new", data={"email": "New.Head@Test.local", "name": "New head",
                                                    "role": "head", "department_id": str(org.departments["MKT"].id),
                                                    "password": ""})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    password = re.search(r'<code id="generated-password">([^<]+)</code>', response.get_data(as_text=True))[1]
    user = _user("new.head@test.local")
    assert user.role == "head" and user.department.code == "MKT"
    assert "<td>new.head@test.local</td>" in admin.get("/admin/users").get_data(as_text=True)
    assert password not in admin.get("/admin/users").get_data(as_text=True)
    assert changes(audit_rows("user", "create")[-1]) == {"email": [None, "new.head@test.local"], "role": [None, "head"]}
    auth.logout()
    auth.login("new.head@test.local", password)
    assert client.get("/rate/").status_code == 200


def test_head_without_department_refused_next_to_field_input_kept(admin):
    response = admin.post("/admin/users/new", data={"email": "x@test.local", "name": "Kept Name", "role": "member",
                                                    "department_id": "", "password": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A department head or colleague needs a department." in page
    assert page.index('id="department_id"') < page.index("needs a department")
    assert 'value="Kept Name"' in page and 'value="x@test.local"' in page
    assert _user("x@test.local") is None


def test_duplicate_email_refused(admin):
    response = admin.post("/admin/users/new", data={"email": "COO@test.local", "role": "coo", "department_id": "",
                                                    "password": "longenough"})
    assert "already exists" in response.get_data(as_text=True)


def test_edit_role_department_and_name(admin, org):
    _demote_head_of("MKT")
    user = org.users["member"]
    response = admin.post(f"/admin/users/{user.id}/edit", data={
        "name": "Promoted", "role": "head", "department_id": str(org.departments["MKT"].id),
        "version": str(user.version)})
    assert response.status_code == 302
    user = _user("member.it@test.local")
    assert (user.name, user.role, user.department.code) == ("Promoted", "head", "MKT")
    assert changes(audit_rows("user", "update")[-1]) == {"name": ["member.it", "Promoted"], "role": ["member", "head"],
                                                         "department": ["IT", "MKT"]}


def test_second_head_is_refused_next_to_the_department_naming_the_current_head(admin, org):
    response = admin.post("/admin/users/new", data={"email": "boss@test.local", "name": "Kept Name", "role": "head",
                                                    "department_id": str(org.departments["WH"].id), "password": ""})
    page = response.get_data(as_text=True)
    message = "WH already has a head: head.wh@test.local; make them a member first"
    assert response.status_code == 200 and message in page
    assert page.index('id="department_id"') < page.index(message)
    assert 'value="Kept Name"' in page and _user("boss@test.local") is None

    user = org.users["member"]
    response = admin.post(f"/admin/users/{user.id}/edit", data={
        "name": "", "role": "head", "department_id": str(org.departments["IT"].id), "version": str(user.version)})
    assert "IT already has a head: head.it@test.local; make them a member first" in response.get_data(as_text=True)
    assert _user("member.it@test.local").role == "member"


def test_head_can_be_saved_again_and_an_archived_head_leaves_room(admin, org):
    head = _user("head.it@test.local")
    response = admin.post(f"/admin/users/{head.id}/edit", data={
        "name": "Still head", "role": "head", "department_id": str(org.departments["IT"].id),
        "version": str(head.version)})
    assert response.status_code == 302
    assert admin.post(f"/admin/users/{head.id}/archive").status_code == 302
    response = admin.post("/admin/users/new", data={"email": "boss@test.local", "name": "", "role": "head",
                                                    "department_id": str(org.departments["IT"].id),
                                                    "password": "a-long-password"})
    assert response.status_code == 302
    assert _user("boss@test.local").role == "head"


def test_admin_cannot_demote_or_archive_themself(admin, org):
    me = org.users["admin"]
    response = admin.post(f"/admin/users/{me.id}/edit", data={"name": "", "role": "coo", "department_id": "",
                                                              "version": str(me.version)})
    assert "own admin role" in response.get_data(as_text=True)
    admin.post(f"/admin/users/{me.id}/archive")
    user = _user("admin@test.local")
    assert user.role == "admin" and user.archived_at is None


def test_reset_password_given_and_generated(admin, client, auth, org):
    coo = org.users["coo"]
    assert admin.post(f"/admin/users/{coo.id}/password", data={"password": "a-new-secret"}).status_code == 302
    response = admin.post(f"/admin/users/{coo.id}/password", data={"password": ""})
    generated = re.search(r'<code id="generated-password">([^<]+)</code>', response.get_data(as_text=True))[1]
    rows = audit_rows("user", "update")
    assert len(rows) == 2 and all("password" in changes(r) for r in rows)
    assert "a-new-secret" not in (rows[0].changes or "")
    auth.logout()
    assert auth.login("coo@test.local", "a-new-secret").status_code == 200  # the old one no longer works
    auth.login("coo@test.local", generated)
    assert client.get("/dashboard/").status_code == 200


def test_archived_user_cannot_log_in_and_restore(admin, client, auth, org):
    hr = org.users["hr"]
    admin.post(f"/admin/users/{hr.id}/archive")
    assert "<td>hr@test.local</td>" not in admin.get("/admin/users").get_data(as_text=True)
    assert "<td>hr@test.local</td>" in admin.get("/admin/users?archived=1").get_data(as_text=True)
    assert _user("hr@test.local").archived_at is not None
    auth.logout()
    assert auth.login("hr@test.local").status_code == 200  # the login form again, not a redirect
    auth.login("admin@test.local")
    admin.post(f"/admin/users/{hr.id}/restore")
    auth.logout()
    assert auth.login("hr@test.local").status_code == 302
    assert [r.action for r in audit_rows("user")] == ["archive", "restore"]


def test_list_filters_and_sorts(admin):
    page = admin.get("/admin/users?role=head").get_data(as_text=True)
    assert "head.it@test.local" in page and "coo@test.local" not in page
    page = admin.get("/admin/users?q=coo").get_data(as_text=True)
    assert "coo@test.local" in page and "head.it@test.local" not in page
    page = admin.get("/admin/users?sort=-email").get_data(as_text=True)
    assert page.index("member.it@test.local") < page.index("admin@test.local</td>")


def test_service_refusal_reads_in_web_words_on_the_form(admin, org, monkeypatch):
    """The form showed the command line's "(--department CODE)" (issue 17): it names the field instead."""
    from tracker.admin import routes as admin_routes

    real = user_service.create_user

    def department_gone(email, role, **kwargs):  # the department went away between the form and the save
        return real(email, role, **(kwargs | {"department_code": None}))

    monkeypatch.setattr(admin_routes.user_service, "create_user", department_gone)
    response = admin.post("/admin/users/new", data={"email": "x@test.local", "name": "Kept", "role": "head",
                                                    "department_id": "IT", "password": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and _user("x@test.local") is None
    assert "--department" not in page
    assert "A department head belongs to a department: choose it in the Department field." in page


def test_command_line_keeps_its_own_wording(org):
    with pytest.raises(user_service.UserError) as caught:
        user_service.create_user("y@test.local", "member", password="longenough1")
    assert "--department CODE" in str(caught.value)
    assert caught.value.web == "A colleague belongs to a department: choose it in the Department field."
