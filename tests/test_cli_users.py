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
    result = runner.invoke(args=["create-user", "coo@example.com", "--role", "coo", "--password", "s3cret!"])
    assert result.exit_code == 0, result.output
    assert "Generated" not in result.output
    assert user_service.authenticate("coo@example.com", "s3cret!") is not None


def test_create_user_refuses_head_without_department(app, runner):
    result = runner.invoke(args=["create-user", "h@example.com", "--role", "head", "--password", "x"])
    assert result.exit_code != 0
    assert "needs a department" in result.output
    assert db.session.scalar(db.select(User).filter_by(email="h@example.com")) is None


def test_create_user_refuses_duplicate_and_unknown_department(app, runner):
    runner.invoke(args=["create-user", "a@example.com", "--role", "admin", "--password", "x"])
    again = runner.invoke(args=["create-user", "A@example.com", "--role", "admin", "--password", "x"])
    assert again.exit_code != 0 and "already exists" in again.output
    unknown = runner.invoke(args=["create-user", "m@example.com", "--role", "member", "--department", "NOPE",
                                  "--password", "x"])
    assert unknown.exit_code != 0 and "unknown department code 'NOPE'" in unknown.output
