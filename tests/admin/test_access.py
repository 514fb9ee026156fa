"""Only the customer-experience office reaches the admin area; everyone else gets 403 or the login page."""
import pytest

from tracker import create_app
from tracker.extensions import db

from .conftest import audit_rows

# Every admin URL with its arguments filled in; the list is checked against the URL map below.
ARGS = {"dep_id": 1, "con_id": 1, "user_id": 1, "period_id": 1, "criterion_id": 1}


def _admin_urls():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin."):
            continue
        # Arguments of routes added later get a placeholder; only the role check matters here.
        values = {k: ARGS.get(k, 1) for k in rule.arguments if k != "action"}
        if "action" in rule.arguments:
            options = ("open", "close") if "period" in rule.endpoint else ("retire", "restore")
            for action in options:
                path = rule.build({**values, "action": action}, append_unknown=False)[1]
                urls += [(m, path) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]
            continue
        path = rule.build(values, append_unknown=False)[1]
        urls += [(m, path) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return urls


ADMIN_URLS = _admin_urls()


def test_every_nav_endpoint_exists():
    endpoints = {path for _m, path in ADMIN_URLS}
    for path in ("/admin/", "/admin/periods", "/admin/departments", "/admin/contracts", "/admin/users",
                 "/admin/settings"):
        assert path in endpoints
    assert len(ADMIN_URLS) > 20


def test_anonymous_is_sent_to_login(client, org):
    for method, path in ADMIN_URLS:
        response = client.open(path, method=method)
        assert response.status_code == 302, (method, path)
        assert response.headers["Location"].startswith("/login"), (method, path)


@pytest.mark.parametrize("email", ["head.it@test.local", "coo@test.local", "hr@test.local", "member.it@test.local"])
def test_other_roles_get_403(client, auth, org, email):
    auth.login(email)
    for method, path in ADMIN_URLS:
        response = client.open(path, method=method, data={"code": "X", "name": "X", "reason": "x", "label": "x"})
        assert response.status_code == 403, (method, path)


def test_refused_posts_change_nothing(client, auth, org):
    auth.login("coo@test.local")
    proc = org.departments["PROC"]
    assert client.post(f"/admin/departments/{proc.id}/archive").status_code == 403
    assert client.post(f"/admin/periods/{org.period.id}/close").status_code == 403
    db.session.expire_all()
    assert proc.archived_at is None
    assert org.period.status == "open"
    assert audit_rows("department") == [] and audit_rows("period") == []
