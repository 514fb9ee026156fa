"""Settings: target and floor, HR comments, default language; criteria rename, reweight, add, retire."""
import re

import pytest

from tracker.extensions import db
from tracker.models import Criterion, Rating
from tracker.services import settings as settings_service
from tracker.services.ratings import RatingError, RatingInput, save_rating

from .conftest import audit_rows, changes


def _criterion(key: str) -> Criterion:
    db.session.expire_all()
    return db.session.scalar(db.select(Criterion).where(Criterion.key == key))


def test_save_settings_and_audit(admin):
    response = admin.post("/admin/settings", data={"target": "80", "floor": "55", "hr_sees_comments": "y",
                                                   "default_locale": "ru"})
    assert response.status_code == 302
    db.session.expire_all()
    values = settings_service.all_settings()
    assert (values["target"], values["floor"], values["hr_sees_comments"], values["default_locale"]) == (
        "80", "55", "yes", "ru")
    assert settings_service.target() == 80.0 and settings_service.floor() == 55.0
    assert changes(audit_rows("setting", "update")[-1]) == {
        "target": ["75", "80"], "floor": ["50", "55"], "hr_sees_comments": ["no", "yes"], "default_locale": ["en", "ru"]}
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert re.search(r'name="target"[^>]*value="80(\.0)?"', page)


@pytest.mark.parametrize("target, floor, message", [
    ("70", "70", "The floor must be below the target."),
    ("60", "65", "The floor must be below the target."),
    ("120", "50", "Number must be between 0 and 100."),
    ("", "50", "This field is required."),
])
def test_invalid_settings_refused_with_input_kept(admin, target, floor, message):
    response = admin.post("/admin/settings", data={"target": target, "floor": floor, "default_locale": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert re.search(rf'name="floor"[^>]*value="{floor}"', page)
    assert re.search(rf'name="target"[^>]*value="{target}"', page)
    db.session.expire_all()
    assert settings_service.target() == 75.0 and settings_service.floor() == 50.0
    assert audit_rows("setting") == []


def test_service_refuses_floor_not_below_target(app):
    with pytest.raises(settings_service.SettingsError) as caught:
        settings_service.set_organization(target=60, floor=60, hr_sees_comments=False, default_locale="en")
    assert "floor" in caught.value.errors


def _rated(org) -> Rating:
    rating, _changed = save_rating(org.contracts[("IT", "WH")], org.period,
                                   RatingInput(scores={"quality": 5, "timeliness": 3, "communication": 4}),
                                   respondent_key="head.wh@test.local")
    db.session.commit()
    return rating


def test_rename_and_reweight_keep_history(admin, org):
    rating = _rated(org)
    assert rating.health == 75.0
    quality = _criterion("quality")
    response = admin.post(f"/admin/settings/criteria/{quality.id}/edit",
                          data={"name": "Quality of work", "name_ru": "Качество работы", "weight": "2"})
    assert response.status_code == 302
    quality = _criterion("quality")
    assert (quality.name, quality.name_ru, quality.weight) == ("Quality of work", "Качество работы", 2.0)
    db.session.expire_all()
    rating = db.session.get(Rating, rating.id)
    assert rating.health == 75.0
    assert {s.criterion.key: s.weight for s in rating.scores}["quality"] == 1.0
    assert changes(audit_rows("criterion", "update")[-1]) == {
        "name": ["Quality", "Quality of work"], "name_ru": ["Качество", "Качество работы"], "weight": [1.0, 2.0]}
    # A new rating uses the new weight: PRODUCT.md's example gives 81.25.
    new, _changed = save_rating(org.contracts[("IT", "LOG")], org.period,
                                RatingInput(scores={"quality": 5, "timeliness": 3, "communication": 4}))
    assert new.health == 81.25


def test_reweight_to_zero_refused_next_to_field(admin, org):
    quality = _criterion("quality")
    response = admin.post(f"/admin/settings/criteria/{quality.id}/edit",
                          data={"name": "Kept name", "name_ru": "", "weight": "0"})
    page = response.get_data(as_text=True)
    assert "The weight must be greater than 0." in page
    assert 'value="Kept name"' in page
    assert _criterion("quality").weight == 1.0


def test_add_criterion_appears_on_settings(admin):
    response = admin.post("/admin/settings/criteria/new", data={"name": "Flexibility", "name_ru": "Гибкость",
                                                                "weight": "1.5"})
    assert response.status_code == 302
    criterion = _criterion("flexibility")
    assert criterion.weight == 1.5 and criterion.position == 4
    assert "Flexibility" in admin.get("/admin/settings").get_data(as_text=True)
    assert [c.key for c in settings_service.active_criteria()][-1] == "flexibility"
    assert audit_rows("criterion", "create")[-1].entity_id == criterion.id


def test_add_criterion_invalid_keeps_input(admin):
    response = admin.post("/admin/settings/criteria/new", data={"name": "", "name_ru": "Гибкость", "weight": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "This field is required." in page and 'value="Гибкость"' in page


@pytest.mark.parametrize("name, name_ru, field", [
    ("Quality", "", "name"), ("  quality ", "", "name"), ("QUALITY", "Новое", "name"),
    ("Fresh", "качество", "name_ru"), ("Качество", "", "name"),
])
def test_add_criterion_with_a_taken_name_is_refused_next_to_the_field(admin, name, name_ru, field):
    before = db.session.scalar(db.select(db.func.count()).select_from(Criterion))
    response = admin.post("/admin/settings/criteria/new", data={"name": name, "name_ru": name_ru, "weight": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    message = next(m for m in ("Another criterion is already called “Quality”.",
                               "Another criterion is already called “Качество”.") if m in page)
    assert page.index(f'id="{field}"') < page.index(message)
    assert db.session.scalar(db.select(db.func.count()).select_from(Criterion)) == before


def test_rename_to_another_criterion_name_is_refused_but_own_name_is_kept(admin, org):
    quality = _criterion("quality")
    response = admin.post(f"/admin/settings/criteria/{quality.id}/edit",
                          data={"name": "timeliness", "name_ru": "", "weight": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Another criterion is already called" in page
    assert _criterion("quality").name == "Quality"
    response = admin.post(f"/admin/settings/criteria/{quality.id}/edit",
                          data={"name": "QUALITY", "name_ru": quality.name_ru or "", "weight": "2"})
    assert response.status_code == 302
    assert _criterion("quality").weight == 2.0


def test_retire_removes_from_form_keeps_old_scores_and_restore(admin, org):
    rating = _rated(org)
    value = _criterion("value")
    timeliness = _criterion("timeliness")
    admin.post(f"/admin/settings/criteria/{timeliness.id}/retire")
    assert [c.key for c in settings_service.active_criteria()] == ["quality", "communication", "value"]
    db.session.expire_all()
    rating = db.session.get(Rating, rating.id)
    assert rating.health == 75.0
    assert {s.criterion.key: s.score for s in rating.scores} == {"quality": 5, "timeliness": 3, "communication": 4}
    assert "retired" in admin.get("/admin/settings").get_data(as_text=True)
    # New ratings can no longer score it: the rating form takes the active criteria.
    with pytest.raises(RatingError, match="unknown criterion"):
        save_rating(org.contracts[("IT", "LOG")], org.period, RatingInput(scores={"timeliness": 4}))
    db.session.rollback()
    admin.post(f"/admin/settings/criteria/{timeliness.id}/restore")
    assert _criterion("timeliness").retired_at is None
    assert [r.action for r in audit_rows("criterion")] == ["archive", "restore"]
    assert value.retired_at is None


def test_last_criterion_cannot_be_retired(app):
    criteria = settings_service.active_criteria()
    for criterion in criteria[:-1]:
        settings_service.retire_criterion(criterion)
    with pytest.raises(settings_service.SettingsError):
        settings_service.retire_criterion(criteria[-1])
    assert len(settings_service.active_criteria()) == 1
