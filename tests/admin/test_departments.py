"""Departments: create, list, edit, archive and restore through the admin pages."""
import pytest

from tracker.extensions import db
from tracker.models import Department
from tracker.services.org import check_department_code

from .conftest import audit_rows, changes


def _dep(code: str) -> Department | None:
    db.session.expire_all()
    return db.session.scalar(db.select(Department).where(Department.code == code))


def test_create_appears_in_list_and_is_audited(admin):
    response = admin.post("/admin/departments/new", data={"code": "LEGAL", "name": "Legal affairs",
                                                          "kind": "internal", "parent_id": ""})
    assert response.status_code == 302
    page = admin.get("/admin/departments").get_data(as_text=True)
    assert "<td>Legal affairs</td>" in page
    dep = _dep("LEGAL")
    row = audit_rows("department", "create")[-1]
    assert row.entity_id == dep.id
    assert changes(row)["code"] == [None, "LEGAL"]


def test_duplicate_code_is_refused_next_to_the_field_with_input_kept(admin):
    response = admin.post("/admin/departments/new", data={"code": "it", "name": "Typed name kept",
                                                          "kind": "internal", "parent_id": ""})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Department IT already exists." in page
    # The message sits in the code field's feedback, and the typed values are still there.
    assert 'id="code"' in page and 'is-invalid' in page
    assert 'value="Typed name kept"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Department)) == 9


@pytest.mark.parametrize("code", ["PK/2", "PK 2", "..", "<b>", "A=B", "PK\t2", "HI!", "-PK", "_PK", "Ц1"])
def test_code_outside_the_rule_is_refused_next_to_the_field(admin, code):
    response = admin.post("/admin/departments/new", data={"code": code, "name": "Packing",
                                                          "kind": "internal", "parent_id": ""})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    reason = "Use only Latin letters, digits, “_” and “-”, starting with a letter or digit."
    if "\t" in code:  # the app-wide control-character rule (tracker/text.py) answers first
        reason = "contains the control character U+0009; remove it"
    assert reason in page
    assert page.index('id="code"') < page.index(reason)
    assert 'value="Packing"' in page
    assert db.session.scalar(db.select(Department).where(Department.name == "Packing")) is None


@pytest.mark.parametrize("code", ["PK-2", "pk_2", "7UP", "A" * 32])
def test_code_within_the_rule_is_accepted(admin, code):
    response = admin.post("/admin/departments/new", data={"code": code, "name": "Packing",
                                                          "kind": "internal", "parent_id": ""})
    assert response.status_code == 302
    assert _dep(code).name == "Packing"


def test_check_department_code_is_the_one_rule():
    assert check_department_code("PK-2") is None
    assert check_department_code("PK/2") == (
        "Use only Latin letters, digits, “_” and “-”, starting with a letter or digit.")
    assert check_department_code("IT\n") is not None
    assert check_department_code("") == "Enter a short code, e.g. IT."
    assert check_department_code("A" * 33) == "A code has at most 32 characters."


def test_old_code_outside_the_rule_can_still_be_renamed(admin):
    dep = Department(code="OLD.CODE", name="Old", kind="internal")
    db.session.add(dep)
    db.session.commit()
    response = admin.post(f"/admin/departments/{dep.id}/edit", data={
        "code": "OLD.CODE", "name": "Renamed", "kind": "internal", "parent_id": "", "version": str(dep.version)})
    assert response.status_code == 302
    assert _dep("OLD.CODE").name == "Renamed"


def test_filter_by_text_and_kind_and_sort(admin):
    page = admin.get("/admin/departments?kind=external").get_data(as_text=True)
    assert "Retail clients" in page and ">PROC<" not in page
    page = admin.get("/admin/departments?q=sal").get_data(as_text=True)
    assert ">SALES<" in page and ">PROC<" not in page
    page = admin.get("/admin/departments?sort=-code").get_data(as_text=True)
    assert page.index(">WH<") < page.index(">EXT<")
    page = admin.get("/admin/departments").get_data(as_text=True)
    assert page.index(">EXT<") < page.index(">WH<")


def test_edit_changes_and_audits_old_and_new(admin, org):
    dep = org.departments["MKT"]
    response = admin.post(f"/admin/departments/{dep.id}/edit", data={
        "code": "MKT", "name": "Marketing", "kind": "internal", "parent_id": str(org.departments["SALES"].id),
        "version": str(dep.version)})
    assert response.status_code == 302
    dep = _dep("MKT")
    assert dep.name == "Marketing" and dep.parent.code == "SALES"
    assert changes(audit_rows("department", "update")[-1]) == {"name": ["MKT", "Marketing"],
                                                                "parent": [None, "SALES"]}


def test_parent_cycle_and_external_supplier_are_refused(admin, org):
    sales, mkt = org.departments["SALES"], org.departments["MKT"]
    admin.post(f"/admin/departments/{mkt.id}/edit", data={"code": "MKT", "name": "MKT", "kind": "internal",
                                                          "parent_id": str(sales.id), "version": "1"})
    response = admin.post(f"/admin/departments/{sales.id}/edit", data={
        "code": "SALES", "name": "SALES", "kind": "internal", "parent_id": str(mkt.id), "version": "1"})
    assert "A department cannot be inside itself." in response.get_data(as_text=True)
    it = org.departments["IT"]
    response = admin.post(f"/admin/departments/{it.id}/edit", data={
        "code": "IT", "name": "IT", "kind": "external", "parent_id": "", "version": "1"})
    assert "an external customer cannot be a supplier" in response.get_data(as_text=True)
    assert _dep("IT").kind == "internal"


def test_stale_version_shows_both_versions_instead_of_overwriting(admin, org):
    dep = org.departments["FIN"]
    loaded_version = dep.version
    # Someone else renames it after our form was loaded.
    admin.post(f"/admin/departments/{dep.id}/edit", data={"code": "FIN", "name": "Finance", "kind": "internal",
                                                          "parent_id": "", "version": str(loaded_version)})
    response = admin.post(f"/admin/departments/{dep.id}/edit", data={
        "code": "FIN", "name": "Treasury", "kind": "internal", "parent_id": "", "version": str(loaded_version)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Someone else saved this record" in page
    assert "Finance" in page and "Treasury" in page
    assert _dep("FIN").name == "Finance"


def test_archive_hides_keeps_and_restores(admin, org):
    wh = org.departments["WH"]
    response = admin.post(f"/admin/departments/{wh.id}/archive")
    assert response.status_code == 302
    assert ">WH<" not in admin.get("/admin/departments").get_data(as_text=True)
    assert ">WH<" in admin.get("/admin/departments?archived=1").get_data(as_text=True)
    dep = _dep("WH")
    assert dep is not None and dep.archived_at is not None
    # Its agreements were archived with it, each audited.
    archived = {row.entity_id for row in audit_rows("contract", "archive")}
    assert archived == {org.contracts[k].id for k in (("PROC", "WH"), ("WH", "LOG"), ("IT", "WH"))}
    admin.post(f"/admin/departments/{wh.id}/restore")
    assert _dep("WH").archived_at is None
    assert ">WH<" in admin.get("/admin/departments").get_data(as_text=True)
    assert [r.action for r in audit_rows("department")] == ["archive", "restore"]


def test_list_shows_each_department_head(admin, org):
    """The departments list had no head column (issue 17)."""
    import re

    head = org.heads["IT"]
    head.name = "Irina Head"
    db.session.commit()
    page = admin.get("/admin/departments?per_page=100").get_data(as_text=True)
    assert '<th scope="col">Head</th>' in page
    row = next(r for r in page.split("<tr>") if "<td>IT</td>" in r)
    assert re.search(rf'<td class="dep-head"><a href="/admin/users/{head.id}/edit">Irina Head</a></td>', row)
    ext = next(r for r in page.split("<tr>") if "<td>EXT</td>" in r)
    assert '<td class="dep-head"></td>' in ext  # an external customer has no head to name
