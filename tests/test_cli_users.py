"""``flask create-user``, ``backup`` and ``restore``."""
from tracker.extensions import db
from tracker.models import AuditLog, Department, User
from tracker.services import users as user_service


def test_create_user_with_generated_password(app, runner):
    db.session.add(Department(code="IT", name="IT", kind="internal"))
    db.session.commit()
    result = runner.invoke(args=["create-user", "Head.IT@Example.com", "--role", "head", "--department", "IT"],
                           input="\n\n")
    assert result.exit_code == 0, result.output
    password = result.output.split("Generated password: ")[1].strip()
    user = user_service.authenticate("head.it@example.com", password)
    assert user is not None and user.department.code == "IT" and user.role == "head"
    assert db.session.scalar(db.select(AuditLog).filter_by(entity="user", entity_id=user.id)).action == "create"


def test_create_user_with_given_password(app, runner):
    result = runner.invoke(args=["create-user", "coo@example.com", "--role", "coo", "--password", "s3cret!pw"])
    assert result.exit_code == 0, result.output
    assert "Generated" not in result.output
    assert user_service.authenticate("coo@example.com", "s3cret!pw") is not None


def test_create_user_refuses_head_without_department(app, runner):
    result = runner.invoke(args=["create-user", "h@example.com", "--role", "head", "--password", "longenough"])
    assert result.exit_code != 0
    assert "needs a department" in result.output
    assert db.session.scalar(db.select(User).filter_by(email="h@example.com")) is None


def test_create_user_refuses_duplicate_and_unknown_department(app, runner):
    runner.invoke(args=["create-user", "a@example.com", "--role", "admin", "--password", "longenough"])
    again = runner.invoke(args=["create-user", "A@example.com", "--role", "admin", "--password", "longenough"])
    assert again.exit_code != 0 and "already exists" in again.output
    unknown = runner.invoke(args=["create-user", "m@example.com", "--role", "member", "--department", "NOPE",
                                  "--password", "longenough"])
    assert unknown.exit_code != 0 and "unknown department code 'NOPE'" in unknown.output


def test_create_user_refuses_what_the_web_form_refuses(app, runner):
    db.session.add_all([Department(code="IT", name="IT", kind="internal"),
                        Department(code="EXT", name="Retail", kind="external")])
    db.session.commit()
    short = runner.invoke(args=["create-user", "a@example.com", "--role", "admin", "--password", "1"])
    assert short.exit_code != 0 and "at least 8 characters" in short.output
    external = runner.invoke(args=["create-user", "h@example.com", "--role", "head", "--department", "EXT",
                                   "--password", "longenough"])
    assert external.exit_code != 0 and "EXT is an external customer" in external.output
    coo = runner.invoke(args=["create-user", "c@example.com", "--role", "coo", "--department", "IT",
                              "--password", "longenough"])
    assert coo.exit_code != 0 and "belongs to no department" in coo.output
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0
