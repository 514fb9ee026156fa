"""Survey-tool exports (Google Forms, Microsoft Forms, LimeSurvey) → rating rows, by a column mapping.

A mapping is a JSON object; column names are compared like import headers (case,
spaces and dashes do not matter)::

    {"recommend_column": "On a scale of 0-10, how would you rate Sudzilla?",
     "comment_column": "...why?",
     "criteria": {"quality": {"column": "Opening keynote", "scale": "0-10"},
                  "value": {"column": "Food", "scale": "labels",
                            "labels": {"Horrendous": 1, "Yum!": 4}}},
     "timestamp_column": "Timestamp", "period_by": "month", "date_order": "mdy",
     "respondent_column": null,
     "supplier": "EVENTS", "customer": "EXT", "service": "Sudzilla",
     "missing_comment": null}

Supplier, customer, service and period are each either fixed (``"supplier": "EVENTS"``)
or read from a column (``"supplier_column": "Team"``); the period is a fixed
``"period"`` label, a ``"period_column"`` of labels, or derived from the
``"timestamp_column"`` (``period_by`` ``month`` → ``YYYY-MM`` or ``quarter`` → ``YYYY-Qn``).
A criterion's scale is ``1-5`` (as is), ``1-10``, ``0-10`` (mapped linearly onto 1–5,
rounded half away from zero) or ``labels`` (each label to 1–5).

Each row is one respondent: the ``respondent_column`` when mapped, else
``survey:<hash>`` of the row's timestamp (to the second) and mapped answers, so the
same answers exported again with another timestamp format re-import as unchanged.
Survey tools do not force a comment on a low answer, and imported history is data: such
a row is imported without a comment (the preview counts them), or, when the mapping
gives a ``missing_comment`` text, with that text as its comment.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import PurePosixPath
from typing import Any

from ..analysis import round_half_away
from .reader import (ImportSet, Problem, RatingRow, RawTable, normalise_header, problems_text, read_csv, sheet_table,
                     uncached_formulas)
from .uploads import ImportFileError, check_upload

__all__ = ["MAPPING_KEYS", "SCALES", "check_mapping", "read_survey", "survey_set"]

SCALES = ("1-5", "1-10", "0-10", "labels")
_SCALE_RANGE = {"1-5": (1, 5), "1-10": (1, 10), "0-10": (0, 10)}
FIXED_OR_COLUMN = ("supplier", "customer", "service")
MAPPING_KEYS = (
    "recommend_column", "comment_column", "criteria", "timestamp_column", "period_by", "date_order", "period",
    "period_column", "respondent_column", "supplier", "supplier_column", "customer", "customer_column", "service",
    "service_column", "missing_comment",
)
DEFAULT_MISSING_COMMENT = None  # a blank comment stays blank


def check_mapping(mapping: Any) -> dict[str, Any]:
    """Return the mapping with defaults filled in.

    Raises
    ------
    ImportFileError
        The mapping is not an object, has unknown keys, lacks a supplier, customer,
        service or period source, or a criterion has an unknown scale or no labels.
    """
    if not isinstance(mapping, dict):
        raise ImportFileError("the mapping must be a JSON object")
    unknown = sorted(set(mapping) - set(MAPPING_KEYS))
    if unknown:
        raise ImportFileError("unknown mapping key(s): " + ", ".join(unknown))
    result = {k: v for k, v in mapping.items() if v not in (None, "", {})}
    for key in MAPPING_KEYS:
        if key != "criteria" and key in result and not isinstance(result[key], str):
            raise ImportFileError(f"mapping {key}: expected text")
    for name in FIXED_OR_COLUMN:
        if not (result.get(name) or result.get(f"{name}_column")):
            raise ImportFileError(f"mapping: give {name} (fixed for the file) or {name}_column")
    if not (result.get("period") or result.get("period_column") or result.get("timestamp_column")):
        raise ImportFileError("mapping: give period (fixed), period_column or timestamp_column")
    result.setdefault("period_by", "month")
    if result["period_by"] not in ("month", "quarter"):
        raise ImportFileError("mapping period_by: expected month or quarter")
    result.setdefault("date_order", "mdy")
    if result["date_order"] not in ("mdy", "dmy"):
        raise ImportFileError("mapping date_order: expected mdy or dmy")
    criteria = result.get("criteria", {})
    if not isinstance(criteria, dict):
        raise ImportFileError("mapping criteria: expected an object of criterion → {column, scale}")
    for key, spec in criteria.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("column"), str) or not spec["column"]:
            raise ImportFileError(f"mapping criteria.{key}: expected {{\"column\": …, \"scale\": …}}")
        scale = spec.setdefault("scale", "1-5")
        if scale not in SCALES:
            raise ImportFileError(f"mapping criteria.{key}: scale must be one of {', '.join(SCALES)}")
        if scale == "labels":
            labels = spec.get("labels")
            if not isinstance(labels, dict) or not labels or not all(
                    isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 5 for v in labels.values()):
                raise ImportFileError(f"mapping criteria.{key}: labels must map each answer text to 1–5")
    result["criteria"] = criteria
    result.setdefault("missing_comment", DEFAULT_MISSING_COMMENT)
    return result


def read_survey(filename: str, data: bytes) -> RawTable:
    """The survey export (CSV, or the first sheet of an XLSX) as a raw table with normalised headers.

    Raises
    ------
    ImportFileError
        The file is refused or cannot be read.
    """
    ext = check_upload(filename, data, allowed=(".csv", ".xlsx"))
    name = PurePosixPath(filename.replace("\\", "/")).name or "survey"
    try:
        if ext == ".csv":
            return read_csv(name, data)
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            table = sheet_table(name, book.worksheets[0])
        finally:
            book.close()
        problems = uncached_formulas(io.BytesIO(data))
        if problems:
            raise ImportFileError(problems_text(problems))
        return table
    except ImportFileError:
        raise
    except Exception as exc:  # a damaged file: csv, codec and openpyxl errors alike
        raise ImportFileError(f"the survey file cannot be read: {type(exc).__name__}: {exc}") from exc


def survey_set(table: RawTable, mapping: dict[str, Any], *, source: str = "") -> ImportSet:
    """Rating rows of a survey table under ``mapping`` (see :func:`check_mapping`), with a problem per bad cell.

    Raises
    ------
    ImportFileError
        The mapping is invalid (see :func:`check_mapping`).
    """
    mapping = check_mapping(mapping)
    result = ImportSet(source=source or table.file, files=["ratings.csv"])
    problems = result.problems
    index = {name: i for i, name in reversed(list(enumerate(table.header)))}

    def column(key: str) -> int | None:
        name = mapping.get(key)
        if not name:
            return None
        found = index.get(normalise_header(name))
        if found is None:
            problems.append(Problem(table.file, 1, f"{key} {name!r}: no such column in the file"))
        return found

    columns = {key: column(key) for key in (
        "recommend_column", "comment_column", "timestamp_column", "period_column", "respondent_column",
        "supplier_column", "customer_column", "service_column")}
    criteria = {}
    for key, spec in mapping["criteria"].items():
        found = index.get(normalise_header(spec["column"]))
        if found is None:
            problems.append(Problem(table.file, 1, f"{key} {spec['column']!r}: no such column in the file"))
        criteria[key] = (found, spec)
    if criteria:
        from ..services.settings import active_criteria  # the database, only when the mapping scores criteria

        known = [c.key for c in active_criteria()]
        for key in sorted(set(criteria) - set(known)):
            # Once for the mapping, not once per row of the file.
            problems.append(Problem(table.file, 1, f"criteria.{key}: unknown criterion; the mapping can score "
                                                   + ", ".join(known)))
    if problems:
        return result

    seen: dict[str, int] = {}
    organization_tz = None
    if columns["timestamp_column"] is not None:
        from ..services.settings import time_zone  # the database, only when the file has timestamps

        organization_tz = time_zone()
    for line, cells in table.rows:
        def cell(i: int | None) -> str:
            return (cells[i] if i is not None and i < len(cells) else "").strip()

        def bad(field: str, value: str, reason: str) -> None:
            problems.append(Problem(table.file, line, f"{field} {value!r}: {reason}"))

        supplier = re.sub(r"\s+", "", cell(columns["supplier_column"]) or mapping.get("supplier", ""))
        customer = re.sub(r"\s+", "", cell(columns["customer_column"]) or mapping.get("customer", ""))
        service = re.sub(r"\s+", " ", cell(columns["service_column"]) or mapping.get("service", ""))
        stamp: datetime | None = None
        if columns["timestamp_column"] is not None:
            raw = cell(columns["timestamp_column"])
            stamp = parse_timestamp(raw, mapping["date_order"], tz=organization_tz)
            if stamp is None:
                bad("timestamp", raw, "not a date and time (e.g. 2019-11-01 08:51:12 or 11/1/2019 8:51:12)")
        period = cell(columns["period_column"]).upper() or mapping.get("period", "").upper()
        if not period and stamp is not None:
            period = (f"{stamp.year}-{stamp.month:02d}" if mapping["period_by"] == "month"
                      else f"{stamp.year}-Q{(stamp.month - 1) // 3 + 1}")
        recommend = None
        raw = cell(columns["recommend_column"])
        if raw:
            recommend = _whole(raw, 0, 10)
            if recommend is None:
                bad("recommend", raw, "expected a whole number 0–10")
        scores: dict[str, int | None] = {}
        for key, (i, spec) in criteria.items():
            raw = cell(i)
            scores[key] = None if not raw else _score(raw, spec)
            if raw and scores[key] is None:
                expected = ("one of " + ", ".join(repr(k) for k in spec["labels"]) if spec["scale"] == "labels"
                            else f"a whole number {spec['scale'].replace('-', '–')}")
                bad(key, raw, f"expected {expected}")
        comment = cell(columns["comment_column"]) or None
        respondent = cell(columns["respondent_column"]).lower()
        if not respondent:
            answers = [stamp.replace(microsecond=0).isoformat() if stamp else "", supplier, customer, service,
                       period, recommend, comment or "", sorted((k, v) for k, v in scores.items() if v is not None)]
            digest = hashlib.sha1(json.dumps(answers, ensure_ascii=False).encode()).hexdigest()[:16]
            respondent = f"survey:{digest}"
        seen[respondent] = seen.get(respondent, 0) + 1
        if seen[respondent] > 1 and not cell(columns["respondent_column"]):
            respondent = f"{respondent}#{seen[respondent]}"  # the very same answers twice: still two respondents
        if comment is None and _needs_comment(scores, recommend):
            comment = mapping["missing_comment"]
        for field, value in (("supplier", supplier), ("customer", customer), ("service", service),
                             ("period", period)):
            if not value:
                problems.append(Problem(table.file, line, f"{field}: blank"))
        result.ratings.append(RatingRow(
            file=table.file, line=line, columns=frozenset(("respondent", "comment", *scores)),
            period=period, supplier_code=supplier, customer_code=customer, service=service,
            respondent=respondent, scores=scores, recommend=recommend, comment=comment,
        ))
    return result


def _needs_comment(scores: dict[str, int | None], recommend: int | None) -> bool:
    from ..services.ratings import RatingInput, comment_required

    return comment_required(RatingInput(scores=scores, recommend=recommend))


def _whole(raw: str, low: int, high: int) -> int | None:
    text = raw.replace(",", ".").strip()
    try:
        number = float(text)
    except ValueError:
        return None
    if not number.is_integer() or not low <= number <= high:
        return None
    return int(number)


def _score(raw: str, spec: dict[str, Any]) -> int | None:
    """A criterion answer on the mapping's scale as 1–5, or None when it is not on that scale."""
    if spec["scale"] == "labels":
        labels = {re.sub(r"\s+", " ", k.strip().lower()): v for k, v in spec["labels"].items()}
        return labels.get(re.sub(r"\s+", " ", raw.strip().lower()))
    low, high = _SCALE_RANGE[spec["scale"]]
    value = _whole(raw, low, high)
    if value is None:
        return None
    return int(round_half_away(1 + (value - low) * 4 / (high - low)))


_EXCEL_EPOCH = datetime(1899, 12, 30)


def parse_timestamp(raw: str, date_order: str = "mdy", tz=None) -> datetime | None:
    """A survey timestamp: ISO (``2019-11-01 08:51:12.402``), ``11/1/2019 8:51:12`` (``date_order``),
    ``01.11.2019 08:51`` or an Excel serial number; None when it is none of those.

    A timestamp with an explicit UTC offset or ``Z`` is converted to ``tz`` (the
    organization's time zone, a ``tzinfo``) when given, so its period is the one of the
    organization's wall time; the result is naive wall time either way."""
    raw = raw.strip()
    if not raw:
        return None
    if re.fullmatch(r"\d{4,6}(\.\d+)?", raw):
        serial = float(raw)
        return _EXCEL_EPOCH + timedelta(days=serial) if 1 <= serial < 200000 else None
    match = re.fullmatch(
        r"(\d{1,4})([-./])(\d{1,2})\2(\d{1,4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*([AaPp][Mm])?)?"
        r"(Z|[+-]\d{2}:?\d{2})?", raw)
    if match is None:
        return None
    a, sep, b, c, hh, mm, ss, frac, ampm, offset = match.groups()
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    elif len(c) == 4:
        first, second = int(a), int(b)
        if sep == "." or (sep == "/" and date_order == "dmy") or first > 12:
            day, month = first, second
        else:
            month, day = first, second
        year = int(c)
    else:
        return None
    hour, minute, second = int(hh or 0), int(mm or 0), int(ss or 0)
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
    try:
        stamp = datetime(year, month, day, hour, minute, second, int((frac or "0").ljust(6, "0")[:6]))
    except ValueError:
        return None
    if offset and tz is not None:
        sign, digits = (1, "0000") if offset == "Z" else (1 if offset[0] == "+" else -1, offset[1:].replace(":", ""))
        shift = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if shift >= timedelta(hours=24):
            return None
        stamp = stamp.replace(tzinfo=timezone(sign * shift)).astimezone(tz).replace(tzinfo=None)
    return stamp




#: What a survey column can be in the mapping form: one select per column.
COLUMN_ROLES = ("ignore", "criterion", "recommend", "comment", "respondent", "supplier", "customer", "service",
                "period", "timestamp")
#: Roles at most one column may have (``criterion`` and ``ignore`` may repeat).
_SINGLE_ROLES = tuple(r for r in COLUMN_ROLES if r not in ("ignore", "criterion"))
#: The scales the form offers for a criterion column (``labels`` needs its table: the advanced JSON).
FORM_SCALES = ("1-5", "1-10", "0-10")


def mapping_from_columns(columns: list[str], roles: list[str], criteria: list[str], scales: list[str],
                         fixed: dict[str, str] | None = None) -> dict[str, Any]:
    """The mapping that the form's one-select-per-column describes, checked (:func:`check_mapping`).

    Parameters
    ----------
    columns : list of str
        The survey's header, in order.
    roles, criteria, scales : list of str
        Per column: its role (one of :data:`COLUMN_ROLES`), and for a ``criterion`` column the
        criterion key and its scale (one of :data:`FORM_SCALES`); blank otherwise.
    fixed : dict, optional
        Values fixed for the file: ``supplier``, ``customer``, ``service``, ``period``, ``period_by``,
        ``date_order``, ``missing_comment``.

    Raises
    ------
    ImportFileError
        Naming every column at fault: an unknown role, a role given to two columns, a criterion
        column without its criterion or with an unknown scale, a criterion mapped twice; or what
        :func:`check_mapping` refuses (a supplier, customer, service or period with no source).

    >>> m = mapping_from_columns(["When", "Score", "Food"], ["timestamp", "recommend", "criterion"],
    ...                          ["", "", "quality"], ["", "", "1-5"], {"supplier": "IT", "customer": "WH",
    ...                          "service": "Help desk"})
    >>> m["recommend_column"], m["criteria"]
    ('Score', {'quality': {'column': 'Food', 'scale': '1-5'}})
    """
    problems: list[str] = []
    mapping: dict[str, Any] = {k: v.strip() for k, v in (fixed or {}).items() if v and v.strip()}
    seen: dict[str, str] = {}
    crit: dict[str, dict[str, str]] = {}
    for column, role, key, scale in zip(columns, roles, criteria, scales):
        role = (role or "ignore").strip()
        if role not in COLUMN_ROLES:
            problems.append(f"column '{column}': unknown role '{role}'")
        elif role == "criterion":
            key, scale = (key or "").strip(), (scale or "").strip() or "1-5"
            if not key:
                problems.append(f"column '{column}': choose which criterion it scores")
            elif key in crit:
                problems.append(f"column '{column}': criterion '{key}' is already column '{crit[key]['column']}'")
            elif scale not in FORM_SCALES:
                problems.append(f"column '{column}': scale '{scale}' must be one of {', '.join(FORM_SCALES)}")
            else:
                crit[key] = {"column": column, "scale": scale}
        elif role in _SINGLE_ROLES:
            if role in seen:
                problems.append(f"column '{column}': '{role}' is already column '{seen[role]}'")
            else:
                seen[role] = column
                mapping[f"{role}_column"] = column
    if problems:
        raise ImportFileError("; ".join(problems))
    if crit:
        mapping["criteria"] = crit
    return check_mapping(mapping)


def roles_of_mapping(columns: list[str], mapping: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Per column of ``columns``: ``(role, criterion key, scale)`` as a saved ``mapping`` has it
    (the form shows a saved mapping this way); ``("ignore", "", "")`` for a column it does not name."""
    by_column: dict[str, tuple[str, str, str]] = {}
    for role in _SINGLE_ROLES:
        column = mapping.get(f"{role}_column")
        if column:
            by_column.setdefault(column, (role, "", ""))
    for key, spec in (mapping.get("criteria") or {}).items():
        by_column.setdefault(spec.get("column", ""), ("criterion", key, spec.get("scale", "1-5")))
    return [by_column.get(c, ("ignore", "", "")) for c in columns]


def survey_header(filename: str, data: bytes) -> list[str]:
    """The survey's column names as the file writes them (the mapping form shows these; a mapping
    may name a column either way, as :func:`read_survey` normalises both sides).

    Raises
    ------
    ImportFileError
        The file is refused, cannot be read, or has no header row.
    """
    import csv

    from .reader import decode, sniff_delimiter

    table = read_survey(filename, data)  # every check of the upload, once
    if table.problems:
        raise ImportFileError(str(table.problems[0]))
    header: list[str] = []
    if filename.lower().endswith(".csv"):
        text = decode(data)
        for cells in csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text)):
            if any(c.strip() for c in cells):
                header = [c.strip() for c in cells]
                break
    else:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for values in book.worksheets[0].iter_rows(values_only=True):
                cells = ["" if v is None else str(v).strip() for v in values]
                if any(cells):
                    header = cells
                    break
        finally:
            book.close()
    if not header:
        raise ImportFileError(f"{filename}: the survey has no header row")
    return header
