"""The OpenAPI 3.1 description of the JSON API, as a plain Python dict.

Schemas are JSON Schema 2020-12 (the dialect of OpenAPI 3.1) and close every object
(``additionalProperties: false``), so the tests that validate real responses against
them notice an undocumented field as well as a missing one.
"""
from __future__ import annotations

import copy

__all__ = ["openapi_document"]


def _nullable(type_: str, **extra) -> dict:
    return {"type": [type_, "null"], **extra}


def _obj(properties: dict, required: list[str] | None = None, **extra) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
        **extra,
    }


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _page_of(name: str) -> dict:
    return _obj({
        "items": {"type": "array", "items": _ref(name)},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": 500},
        "total": {"type": "integer", "minimum": 0},
    })


CODE = {"type": "string", "description": "Department code"}
HEALTH = _nullable("number", minimum=0, maximum=100, description="Points 0–100")
DATE = {"type": "string", "format": "date"}
LINK = {"supplier": CODE, "customer": CODE, "service": {"type": "string"}}

SCHEMAS = {
    "Error": _obj({
        "error": _obj({
            "code": {"type": "integer"},
            "name": {"type": "string"},
            "message": {"type": "string"},
        }),
    }),
    "Index": _obj({
        "version": {"const": 1},
        "user": _obj({"email": {"type": "string"}, "role": {"enum": ["admin", "coo", "hr", "head", "member"]}}),
    }),
    "Department": _obj({
        "code": CODE,
        "name": {"type": "string"},
        "kind": {"enum": ["internal", "external"]},
        "parent": _nullable("string", description="Code of the parent department"),
        "archived": {"type": "boolean"},
    }),
    "Contract": _obj({
        "id": {"type": "integer"},
        **LINK,
        "criticality": {"type": "integer", "minimum": 1, "maximum": 3},
        "target": HEALTH,
        "floor": HEALTH,
        "start_date": {"type": ["string", "null"], "format": "date"},
        "end_date": {"type": ["string", "null"], "format": "date"},
        "transfer_price": _nullable("string", description="Decimal, as text"),
        "standard": _nullable("string"),
        "archived": {"type": "boolean"},
    }),
    "Period": _obj({
        "label": {"type": "string"},
        "start_date": DATE,
        "end_date": DATE,
        "status": {"enum": ["planned", "open", "closed"]},
    }),
    "Rating": _obj(
        {
            "id": {"type": "integer"},
            "period": {"type": "string", "description": "Period label"},
            "contract": {"type": "integer", "description": "Contract id"},
            **LINK,
            "health": HEALTH,
            "scores": {
                "type": "object",
                "description": "Criterion key → score 1–5; criteria answered N/A are absent",
                "additionalProperties": {"type": "integer", "minimum": 1, "maximum": 5},
            },
            "recommend": _nullable("integer", minimum=0, maximum=10),
            "standard_met": {"enum": ["met", "partly", "missed", None]},
            "no_interaction": {"type": "boolean"},
            "comment": {
                "type": ["string", "null"],
                "description": "Present only when the caller may read comments",
            },
        },
        required=["id", "period", "contract", "supplier", "customer", "service", "health", "scores",
                  "recommend", "standard_met", "no_interaction"],
    ),
    "LinkRef": _obj(dict(LINK)),
    "AnalysisDepartment": _obj({
        "code": CODE,
        "name": {"type": "string"},
        "kind": {"const": "internal"},
        "chain_strength": HEALTH,
        "bottleneck": {"oneOf": [_ref("LinkRef"), {"type": "null"}]},
        "relies_on_unrated": {"type": "boolean"},
        "cut_off": {"type": "boolean"},
        "dominates": {"type": "integer", "minimum": 0},
        "nps": _nullable("number", minimum=-100, maximum=100, description="Internal NPS, one decimal"),
        "nps_responses": {"type": "integer", "minimum": 0},
        "csat": _nullable("number", minimum=0, maximum=100, description="Percent, one decimal"),
        "standard_met": _nullable("number", minimum=0, maximum=1,
                                  description="Fraction 0–1 of 'standard met' answers, partly counting half"),
        "response_rate": _nullable("number", minimum=0, maximum=1, description="Fraction 0–1"),
    }),
    "WeakLink": _obj({
        "rank": {"type": "integer", "minimum": 1},
        **LINK,
        "health": {"type": "number", "minimum": 0, "maximum": 100},
        "stale": {"type": "boolean"},
        "criticality": {"type": "integer", "minimum": 1, "maximum": 3},
        "reach": {"type": "integer", "minimum": 1},
        "risk": {"type": "number", "minimum": 0},
        "severity": {"enum": ["critical", "warning"]},
    }),
    "BlindSpot": _obj({**LINK, "reach": {"type": "integer", "minimum": 1}}),
    "Analysis": _obj({
        "period": {"type": "string"},
        "target": {"type": "number"},
        "floor": {"type": "number"},
        "departments": {"type": "array", "items": _ref("AnalysisDepartment")},
        "weak_links": {"type": "array", "items": _ref("WeakLink")},
        "blind_spots": {"type": "array", "items": _ref("BlindSpot")},
        "cut_off": {"type": "array", "items": CODE},
    }),
    "DepartmentPage": _page_of("Department"),
    "ContractPage": _page_of("Contract"),
    "PeriodPage": _page_of("Period"),
    "RatingPage": _page_of("Rating"),
}

PARAMETERS = {
    "page": {"name": "page", "in": "query", "description": "Page number, from 1",
             "schema": {"type": "integer", "minimum": 1, "default": 1}},
    "per_page": {"name": "per_page", "in": "query", "description": "Items per page; more than 500 gives 500",
                 "schema": {"type": "integer", "minimum": 1, "default": 50}},
    "label": {"name": "label", "in": "path", "required": True, "description": "Period label, e.g. 2026-Q3",
              "schema": {"type": "string"}},
    "period": {"name": "period", "in": "query", "description": "Only ratings of this period (label)",
               "schema": {"type": "string"}},
    "supplier": {"name": "supplier", "in": "query",
                 "description": "Only ratings of contracts from this supplier (code)", "schema": {"type": "string"}},
    "customer": {"name": "customer", "in": "query", "description": "Only ratings of contracts to this customer (code)",
                 "schema": {"type": "string"}},
}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


ERRORS = {
    "400": _error("A query parameter is not valid"),
    "401": _error("Not logged in and no valid bearer token"),
    "403": _error("The caller's role may not see this"),
    "404": _error("No such period"),
}


def _json_get(summary: str, schema: str, *, params=(), errors=("401",), description: str = "") -> dict:
    operation = {
        "summary": summary,
        "operationId": summary.lower().replace(" ", "_").replace("'", ""),
        "parameters": [{"$ref": f"#/components/parameters/{p}"} for p in params],
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": _ref(schema)}}},
            **{code: ERRORS[code] for code in errors},
        },
    }
    if description:
        operation["description"] = description
    return {"get": operation}


def _graph_get(summary: str, media_type: str) -> dict:
    return {"get": {
        "summary": summary,
        "operationId": summary.lower().replace(" ", "_"),
        "description": "Nodes: departments with code, name, kind, chain_strength, cut_off, dominates, "
                       "relies_on_unrated. Edges: one per contract (keyed by contract id) with contract, "
                       "supplier, customer, service, health, stale, criticality, reach, risk, severity. "
                       "Values that are none are left out. Roles coo, hr, admin.",
        "parameters": [{"$ref": "#/components/parameters/label"}],
        "responses": {
            "200": {"description": "The graph file", "content": {media_type: {"schema": {"type": "string"}}}},
            **{code: ERRORS[code] for code in ("401", "403", "404")},
        },
    }}


PAGE = ("page", "per_page")
DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "Internal service tracker API",
        "version": "1",
        "description": "Read-only JSON. Authenticate with `Authorization: Bearer <token>` (create a token on "
                       "your profile page) or a logged-in browser session. Heads see their own "
                       "department's departments, contracts and ratings; members see those departments, the "
                       "contracts they were added to as respondents and the ratings they gave; coo, hr and "
                       "admin see all.",
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearerAuth": []}, {"sessionCookie": []}],
    "paths": {
        "/": _json_get("API version", "Index"),
        "/openapi.json": {"get": {
            "summary": "This document",
            "operationId": "openapi",
            "responses": {
                "200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}},
                "401": ERRORS["401"],
            },
        }},
        "/departments": _json_get("List departments", "DepartmentPage", params=PAGE, errors=("400", "401")),
        "/contracts": _json_get("List contracts", "ContractPage", params=PAGE, errors=("400", "401")),
        "/periods": _json_get("List periods", "PeriodPage", params=PAGE, errors=("400", "401")),
        "/ratings": _json_get("List ratings", "RatingPage", params=PAGE + ("period", "supplier", "customer"),
                              errors=("400", "401")),
        "/analysis/{label}": _json_get(
            "Analyse a period", "Analysis", params=("label",), errors=("401", "403", "404"),
            description="Chain strength, bottlenecks, weak links, blind spots and departments cut off from "
                        "the external customer, as defined in the product brief. Roles coo, hr, admin.",
        ),
        "/analysis/{label}/graph.graphml": _graph_get("Graph as GraphML", "application/graphml+xml"),
        "/analysis/{label}/graph.gexf": _graph_get("Graph as GEXF", "application/gexf+xml"),
    },
    "components": {
        "schemas": SCHEMAS,
        "parameters": PARAMETERS,
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer", "description": "trk_<key>_<secret>"},
            "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session"},
        },
    },
}


def openapi_document() -> dict:
    """A fresh copy of the OpenAPI 3.1 description (callers may change it freely)."""
    return copy.deepcopy(DOCUMENT)
