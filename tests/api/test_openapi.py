"""The OpenAPI 3.1 document is valid, covers every API route, and real responses match its schemas."""
from __future__ import annotations

import jsonschema
import pytest
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tracker.api.openapi import openapi_document
from tracker.extensions import db
from tracker.models import Rating, Setting

from .conftest import bearer

BASE = "/api/v1"


@pytest.fixture
def document():
    return openapi_document()


def response_schema_validator(document, path, status, media_type="application/json"):
    """A JSON Schema 2020-12 validator for one documented response; refs resolve inside the document."""
    registry = Registry().with_resource("urn:api", Resource.from_contents(document, DRAFT202012))
    pointer = "/".join(p.replace("~", "~0").replace("/", "~1") for p in
                       ("paths", path, "get", "responses", str(status), "content", media_type, "schema"))
    return jsonschema.Draft202012Validator({"$ref": f"urn:api#/{pointer}"}, registry=registry,
                                           format_checker=jsonschema.FormatChecker())


def check(document, path, response):
    """Assert that ``response`` is documented for ``path`` and matches the schema."""
    assert str(response.status_code) in document["paths"][path]["get"]["responses"], (path, response.status_code)
    response_schema_validator(document, path, response.status_code).validate(response.get_json())


def test_document_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    validate_spec(document)


def test_document_is_served(client, org, token_for, document):
    response = client.get(f"{BASE}/openapi.json", headers=bearer(token_for("member.it@test.local")))
    assert response.get_json() == document


def test_every_api_route_is_documented(app, document):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(BASE + "/") and "GET" in rule.methods:
            routes.add(rule.rule[len(BASE):].replace("<label>", "{label}"))
    assert routes == set(document["paths"])


@pytest.fixture
def full_org(rated_org):
    """The rated worked example with recommend answers, one scored rating and an archived contract."""
    from tracker.services.ratings import RatingInput, save_rating

    save_rating(rated_org.contracts["IT", "LOG"], rated_org.period,
                RatingInput(scores={"quality": 5, "timeliness": 1}, recommend=3, standard_met="missed",
                            comment="slow"), respondent_key="someone@test.local")
    save_rating(rated_org.contracts["HR", "FIN"], rated_org.period, RatingInput(no_interaction=True),
                respondent_key="other@test.local")
    rating = db.session.scalar(db.select(Rating).filter_by(contract_id=rated_org.contracts["IT", "WH"].id))
    rating.recommend = 10
    rated_org.contracts["IT", "WH"].transfer_price = 1234.5
    rated_org.contracts["IT", "WH"].standard = "Answer within 4 hours"
    rated_org.departments["IT"].parent = rated_org.departments["FIN"]
    db.session.add(Setting(key="hr_sees_comments", value="yes"))
    db.session.commit()
    return rated_org


JSON_PATHS = ["/", "/departments", "/contracts", "/periods", "/ratings", "/analysis/{label}"]


@pytest.mark.parametrize("email", ["admin@test.local", "coo@test.local", "hr@test.local"])
@pytest.mark.parametrize("path", JSON_PATHS)
def test_every_json_response_matches_its_schema(client, full_org, token_for, document, email, path):
    response = client.get(BASE + path.replace("{label}", "2026-Q3"), headers=bearer(token_for(email)))
    assert response.status_code == 200
    check(document, path, response)


@pytest.mark.parametrize("email", ["head.it@test.local", "member.it@test.local"])
@pytest.mark.parametrize("path", ["/", "/departments", "/contracts", "/periods", "/ratings"])
def test_department_views_match_their_schema(client, full_org, token_for, document, email, path):
    response = client.get(BASE + path, headers=bearer(token_for(email)))
    assert response.status_code == 200
    assert response.get_json() != {}
    check(document, path, response)


def test_schema_rejects_what_it_should(document):
    """The schemas are closed and typed: an honest validation would catch a wrong response."""
    validator = response_schema_validator(document, "/ratings", 200)
    good = {"items": [], "page": 1, "per_page": 50, "total": 0}
    validator.validate(good)
    for bad in ({**good, "extra": 1}, {**good, "total": "0"}, {"items": [{"id": 1}], "page": 1, "per_page": 1,
                                                                 "total": 1}):
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(bad)


@pytest.mark.parametrize("path", list(JSON_PATHS) + ["/openapi.json"])
def test_401_matches_the_error_schema(client, org, document, path):
    response = client.get(BASE + path.replace("{label}", "2026-Q3"))
    assert response.status_code == 401
    check(document, path, response)


def test_errors_match_the_error_schema(client, full_org, token_for, document):
    head = bearer(token_for("head.it@test.local"))
    admin = bearer(token_for("admin@test.local"))
    check(document, "/analysis/{label}", client.get(f"{BASE}/analysis/2026-Q3", headers=head))
    check(document, "/analysis/{label}", client.get(f"{BASE}/analysis/nope", headers=admin))
    check(document, "/ratings", client.get(f"{BASE}/ratings?page=zero", headers=admin))
    for path in ("/analysis/{label}/graph.graphml", "/analysis/{label}/graph.gexf"):
        for headers, label, status in ((head, "2026-Q3", 403), (admin, "nope", 404)):
            response = client.get(BASE + path.replace("{label}", label), headers=headers)
            assert response.status_code == status
            check(document, path, response)


@pytest.mark.parametrize("path, media_type", [("/analysis/{label}/graph.graphml", "application/graphml+xml"),
                                              ("/analysis/{label}/graph.gexf", "application/gexf+xml")])
def test_graph_downloads_have_the_documented_media_type(client, full_org, token_for, document, path, media_type):
    response = client.get(BASE + path.replace("{label}", "2026-Q3"), headers=bearer(token_for("coo@test.local")))
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert media_type in document["paths"][path]["get"]["responses"]["200"]["content"]
