"""Agreements: create, validate, edit with optimistic locking, archive and restore."""
from datetime import date

import pytest

from tracker.extensions import db
from tracker.models import Contract, Service
from tracker.services import org as org_service

from .conftest import audit_rows, changes


def _form(org, supplier="IT", customer="FIN", **overrides) -> dict:
    data = {"supplier_id": str(org.departments[supplier].id), "customer_id": str(org.departments[customer].id),
            "service_id": "", "service_name": "Laptops", "standard": "Replace within 2 days",
            "criticality": "3", "target": "80", "floor": "", "transfer_price": "120.50",
            "start_date": "2026-01-01", "end_date": ""}
    data.update(overrides)
    return data


def _count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Contract))


def test_create_with_new_service_appears_in_list_and_is_audited(admin, org):
    response = admin.post("/admin/contracts/new", data=_form(org))
    assert response.status_code == 302
    con = db.session.scalar(db.select(Contract).join(Service).where(Service.name == "Laptops"))
    assert (con.supplier.code, con.customer.code, con.criticality, con.target, con.floor) == ("IT", "FIN", 3, 80.0,
                                                                                            None)
    assert str(con.transfer_price) == "120.50" and con.start_date == date(2026, 1, 1)
    assert "<td>Laptops</td>" in admin.get("/admin/contracts").get_data(as_text=True)
    assert changes(audit_rows("contract", "create")[-1])["service"] == [None, "Laptops"]
    assert audit_rows("service", "create")[-1].entity_id == con.service_id


def test_create_with_existing_service_of_the_supplier(admin, org):
    existing = org.contracts[("IT", "WH")].service
    response = admin.post("/admin/contracts/new", data=_form(org, service_id=str(existing.id), service_name=""))
    assert response.status_code == 302
    assert db.session.scalar(db.select(Contract).where(Contract.customer_id == org.departments["FIN"].id,
                                                       Contract.service_id == existing.id)) is not None


@pytest.mark.parametrize("overrides, field, message", [
    ({"customer": "IT"}, "customer_id", "Supplier and customer must be different departments."),
    ({"supplier": "EXT"}, "supplier_id", "The supplier must be an internal department"),
    ({"end_date": "2025-12-31"}, "end_date", "The agreement cannot end before it starts."),
    ({"service_name": ""}, "service_id", "Choose a service of the supplier or type a new service name."),
    ({"target": "101"}, "target", "Number must be between 0 and 100."),
    ({"floor": "85"}, "floor", "The floor must be below the target."),
    ({"transfer_price": "100000000000000000000"}, "transfer_price",
     "Enter a transfer price below 1,000,000,000,000."),
    ({"transfer_price": "1000000000000"}, "transfer_price", "Enter a transfer price below 1,000,000,000,000."),
    ({"transfer_price": "12.345"}, "transfer_price", "A transfer price has at most 2 decimals."),
])
def test_invalid_input_is_refused_next_to_the_field_and_kept(admin, org, overrides, field, message):
    supplier = overrides.pop("supplier", "IT")
    customer = overrides.pop("customer", "FIN")
    before = _count()
    response = admin.post("/admin/contracts/new", data=_form(org, supplier, customer, **overrides))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    # The error follows its own field (the macro renders label, input, then the feedback).
    assert page.index(f'id="{field}"') < page.index(message)
    assert "Replace within 2 days" in page  # typed standard kept
    assert _count() == before


def test_duplicate_active_agreement_is_refused_before_the_database(admin, org):
    it_wh = org.contracts[("IT", "WH")]
    data = _form(org, "IT", "WH", service_id="", service_name=it_wh.service.name.upper())
    response = admin.post("/admin/contracts/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "An active agreement for IT service for WH from IT to WH already exists." in page
    # Once the old one is archived the same link may be agreed again.
    admin.post(f"/admin/contracts/{it_wh.id}/archive")
    assert admin.post("/admin/contracts/new", data=data).status_code == 302
    # ...and then the archived one cannot be restored beside it.
    admin.post(f"/admin/contracts/{it_wh.id}/restore")
    db.session.expire_all()
    assert db.session.get(Contract, it_wh.id).archived_at is not None


def test_service_of_another_supplier_is_refused(admin, org):
    hr_service = org.contracts[("HR", "IT")].service
    response = admin.post("/admin/contracts/new", data=_form(org, service_id=str(hr_service.id), service_name=""))
    assert "This service belongs to another supplier, not IT" in response.get_data(as_text=True)


def test_list_filters_and_sorts(admin, org):
    it = org.departments["IT"]
    page = admin.get(f"/admin/contracts?supplier={it.id}").get_data(as_text=True)
    assert "IT service for MKT" in page and "HR service for IT" not in page
    page = admin.get(f"/admin/contracts?customer={it.id}").get_data(as_text=True)
    assert "HR service for IT" in page and "IT service for MKT" not in page
    page = admin.get("/admin/contracts?q=for+ext").get_data(as_text=True)
    assert "LOG service for EXT" in page and "SALES service for EXT" in page and "IT service for WH" not in page
    page = admin.get("/admin/contracts?sort=-supplier").get_data(as_text=True)
    assert page.index("WH service for LOG") < page.index("FIN service for HR")


def test_edit_saves_and_audits_old_and_new(admin, org):
    con = org.contracts[("HR", "FIN")]
    data = _form(org, "HR", "FIN", service_id=str(con.service_id), service_name="", criticality="2",
                 version=str(con.version))
    assert admin.post(f"/admin/contracts/{con.id}/edit", data=data).status_code == 302
    row = audit_rows("contract", "update")[-1]
    assert changes(row)["criticality"] == ["low", "medium"]
    assert changes(row)["standard"] == [None, "Replace within 2 days"]


def test_edit_of_a_stale_version_shows_both_and_keeps_the_saved_one(admin, org):
    con = org.contracts[("HR", "FIN")]
    loaded = str(con.version)
    base = _form(org, "HR", "FIN", service_id=str(con.service_id), service_name="", version=loaded)
    assert admin.post(f"/admin/contracts/{con.id}/edit", data={**base, "standard": "Theirs"}).status_code == 302
    response = admin.post(f"/admin/contracts/{con.id}/edit", data={**base, "standard": "Mine"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Someone else saved this record" in page and "Theirs" in page and "Mine" in page
    db.session.expire_all()
    assert db.session.get(Contract, con.id).standard == "Theirs"
    # The form now carries the current version, so saving again deliberately keeps "Mine".
    new_version = db.session.get(Contract, con.id).version
    assert f'name="version" type="hidden" value="{new_version}"' in page
    admin.post(f"/admin/contracts/{con.id}/edit", data={**base, "standard": "Mine", "version": str(new_version)})
    db.session.expire_all()
    assert db.session.get(Contract, con.id).standard == "Mine"


def test_concurrent_write_caught_by_the_version_column(app, org):
    """Two sessions load the same version; the second commit raises ConflictError, not a silent overwrite."""
    con = org.contracts[("HR", "FIN")]
    data = org_service.ContractInput(supplier_id=con.supplier_id, customer_id=con.customer_id,
                                     service_id=con.service_id, criticality=1, standard="second")
    # The row changes under our loaded object (another request's UPDATE).
    with db.engine.begin() as conn:
        conn.execute(db.update(Contract).where(Contract.id == con.id).values(standard="first", version=con.version + 1))
    with pytest.raises(org_service.ConflictError) as caught:
        org_service.update_contract(con, data, expected_version=con.version)
    assert caught.value.current["standard"] == "first"
    db.session.expire_all()
    assert db.session.get(Contract, con.id).standard == "first"


def test_archive_hides_keeps_and_restores(admin, org):
    con = org.contracts[("IT", "MKT")]
    admin.post(f"/admin/contracts/{con.id}/archive")
    assert "<td>IT service for MKT</td>" not in admin.get("/admin/contracts").get_data(as_text=True)
    assert "<td>IT service for MKT</td>" in admin.get("/admin/contracts?archived=1").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Contract, con.id).archived_at is not None
    admin.post(f"/admin/contracts/{con.id}/restore")
    db.session.expire_all()
    assert db.session.get(Contract, con.id).archived_at is None
    assert [r.action for r in audit_rows("contract")] == ["archive", "restore"]
