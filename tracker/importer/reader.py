"""Read the organization's spreadsheet: CSV files or an XLSX workbook → typed row records.

Nothing here touches the database. Reading happens in two steps so that an XLSX
workbook and a folder of CSV files share everything but the first one:

1. a *source* (CSV bytes or a worksheet) becomes a :class:`RawTable`: a header of
   normalised column names and rows of text cells, each with its line number;
2. :func:`parse_set` turns the raw tables into :class:`DepartmentRow`,
   :class:`ContractRow`, :class:`RatingRow` and :class:`PeriodRow` records, with a
   :class:`Problem` (``file:line: reason``) for every cell it cannot understand.

Excel habits are accepted: UTF-8 with or without BOM or cp1251, comma or semicolon,
``dd.mm.yyyy`` dates, a decimal comma, stray spaces, English or Russian words for
criticality, standard met and yes/no.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable

from ..text import CONTROL, CONTROL_IN_TEXT

__all__ = [
    "COLUMNS",
    "CRITERIA_COLUMNS",
    "FILES",
    "NO_KNOWN_FILE",
    "REQUIRED",
    "ContractRow",
    "DepartmentRow",
    "ImportSet",
    "PeriodRow",
    "Problem",
    "RatingRow",
    "RawTable",
    "decode",
    "normalise_header",
    "parse_set",
    "read_csv",
    "read_folder",
    "read_workbook",
    "problems_text",
    "uncached_formulas",
    "read_path",
    "sniff_delimiter",
]

#: File names (also the XLSX sheet names, with or without ``.csv``) in the order they are applied.
FILES = ("departments.csv", "contracts.csv", "periods.csv", "ratings.csv")
#: Reason of the one problem of a source that has none of :data:`FILES` (any subset of them may be imported).
NO_KNOWN_FILE = "none of " + ", ".join(FILES) + " found"

CRITERIA_COLUMNS = ("quality", "timeliness", "communication", "value")

#: Every column of every file, in the order the export writes them.
COLUMNS: dict[str, tuple[str, ...]] = {
    "departments.csv": ("code", "name", "kind", "parent_code", "head_email"),
    "contracts.csv": (
        "supplier_code", "customer_code", "service", "criticality", "target", "floor",
        "start_date", "end_date", "transfer_price", "standard",
    ),
    "ratings.csv": (
        "period", "supplier_code", "customer_code", "service", "respondent", *CRITERIA_COLUMNS,
        "recommend", "standard_met", "no_interaction", "comment",
    ),
    "periods.csv": ("label", "start_date", "end_date"),
}

#: Columns a file must have in its header row (the others may be absent or blank).
REQUIRED: dict[str, tuple[str, ...]] = {
    "departments.csv": ("code", "name"),
    "contracts.csv": ("supplier_code", "customer_code", "service"),
    "ratings.csv": ("period", "supplier_code", "customer_code", "service"),
    "periods.csv": ("label", "start_date", "end_date"),
}

_CRITICALITY = {
    "1": 1, "2": 2, "3": 3,
    "low": 1, "medium": 2, "high": 3,
    "низкая": 1, "средняя": 2, "высокая": 3,
}
_STANDARD_MET = {
    "met": "met", "partly": "partly", "missed": "missed",
    "выполнен": "met", "частично": "partly", "не выполнен": "missed",
    "n/a": None, "na": None, "-": None,
}
_YES_NO = {
    "yes": True, "y": True, "true": True, "1": True, "да": True,
    "no": False, "n": False, "false": False, "0": False, "нет": False,
}
_KINDS = {"internal": "internal", "external": "external", "внутреннее": "internal", "внешний": "external"}
#: First characters that make a spreadsheet read a cell as a formula or a command: OWASP's CSV-injection
#: list (= + - @ tab CR), ASVS 1.2.10's NUL, line feed, and the full-width forms some spreadsheets accept.
FORMULA_STARTS = "=+-@\t\r\n\x00\uff1d\uff0b\uff0d\uff20"
_NEUTRALISED = re.compile("^'(?=[" + re.escape(FORMULA_STARTS) + "])")
#: Control characters refused in any cell, except tab and line breaks in free text: the one rule of tracker.text.
_CONTROL = CONTROL
_CONTROL_IN_TEXT = CONTROL_IN_TEXT
_FREE_TEXT = frozenset({"comment", "standard"})


@dataclass(frozen=True)
class Problem:
    """One bad row or file: ``file:line: reason`` (line 0 for the file as a whole)."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"

    @property
    def column(self) -> str:
        """The column the reason names first (``quality '7': …`` → ``quality``), or ``""``.

        A whole-file refusal (line 0, e.g. "the workbook cannot be read") names no column.
        """
        if self.line == 0:
            return ""
        match = re.match(r"([\w.]+)(?: |:|$)", self.reason)
        if match is None:
            return ""
        word = match.group(1)
        known = set(COLUMNS.get(self.file, ())) | set(CRITERIA_COLUMNS) | {"respondent", "comment", "recommend"}
        return word if word in known or self.file not in COLUMNS else ""


@dataclass
class RawTable:
    """A header row of normalised column names and the data rows as ``(line, cells)``."""

    file: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    #: Whole-file problems found while reading (an encoding that is neither UTF-8 nor cp1251).
    problems: list["Problem"] = field(default_factory=list)


@dataclass(slots=True)
class _Row:
    file: str
    line: int
    #: The columns the file has (a blank cell of a present column clears the value; an absent column keeps it).
    columns: frozenset[str] = field(default_factory=frozenset, compare=False, repr=False)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(slots=True)
class DepartmentRow(_Row):
    """A row of departments.csv."""

    code: str = ""
    name: str = ""
    kind: str = "internal"
    parent_code: str | None = None
    head_email: str | None = None


@dataclass(slots=True)
class ContractRow(_Row):
    """A row of contracts.csv (criticality 1–3; target and floor in points 0–100)."""

    supplier_code: str = ""
    customer_code: str = ""
    service: str = ""
    criticality: int = 2
    target: float | None = None
    floor: float | None = None
    start_date: date | None = None
    end_date: date | None = None
    transfer_price: Decimal | None = None
    standard: str | None = None


@dataclass(slots=True)
class RatingRow(_Row):
    """A row of ratings.csv (scores 1–5 by criterion key, None for N/A)."""

    period: str = ""
    supplier_code: str = ""
    customer_code: str = ""
    service: str = ""
    respondent: str = ""
    scores: dict[str, int | None] = field(default_factory=dict)
    recommend: int | None = None
    standard_met: str | None = None
    no_interaction: bool = False
    comment: str | None = None

    @property
    def link(self) -> tuple[str, str, str]:
        return (self.supplier_code, self.customer_code, self.service)


@dataclass(slots=True)
class PeriodRow(_Row):
    """A row of periods.csv."""

    label: str = ""
    start_date: date | None = None
    end_date: date | None = None


@dataclass
class ImportSet:
    """Everything read from one folder or workbook, with the problems found while reading."""

    source: str
    departments: list[DepartmentRow] = field(default_factory=list)
    contracts: list[ContractRow] = field(default_factory=list)
    ratings: list[RatingRow] = field(default_factory=list)
    periods: list[PeriodRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Files present in the source (any of them may be absent).
    files: list[str] = field(default_factory=list)


# --- step 1: sources → raw tables ---------------------------------------------------------


class UndecodableFile(ValueError):
    """A CSV file that is neither UTF-8 nor cp1251 as a whole; ``line`` and ``byte`` name the first bad byte."""

    def __init__(self, line: int, byte: int, reason: str):
        self.line, self.byte = line, byte
        super().__init__(reason)


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def decode(data: bytes) -> str:
    """Text of a CSV file, the encoding decided by the whole file: UTF-8 (a BOM is dropped) or cp1251.

    A file that is not valid UTF-8 is cp1251 (as Russian Excel writes) only when it holds
    no more UTF-8 multi-byte sequences than bytes that break UTF-8: a UTF-8 file with a
    stray byte is not read as cp1251 (that turned every name into mojibake).

    Raises
    ------
    UndecodableFile
        Neither encoding fits; the message names the line and the byte.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    sequences = len(_UTF8_SEQUENCE.findall(data))
    broken = data.decode("utf-8", errors="replace").count("\ufffd")  # runs of bytes that break UTF-8
    if sequences <= broken:
        try:
            return data.decode("cp1251")
        except UnicodeDecodeError as exc:
            first_bad = exc.start
            kind = "cp1251"
    else:
        kind = "UTF-8"
    line = data.count(b"\n", 0, first_bad) + 1
    line_start = data.rfind(b"\n", 0, first_bad) + 1
    column = len(data[line_start:first_bad].decode("utf-8" if kind == "UTF-8" else "cp1251", errors="replace")) + 1
    raise UndecodableFile(line, data[first_bad], (
        f"byte 0x{data[first_bad]:02X} (character {column} of the line) is not valid {kind}; "
        "the file is neither UTF-8 nor cp1251 as a whole. Save it as UTF-8 and upload it again"))


def sniff_delimiter(text: str) -> str:
    """``;`` or ``,``: whichever the header row has more of outside quotes (comma on a tie)."""
    first = text.split("\n", 1)[0]
    unquoted = re.sub(r'"[^"]*"', "", first)
    return ";" if unquoted.count(";") > unquoted.count(",") else ","


def normalise_header(name: str) -> str:
    """Column name compared case- and space-insensitively: `` Supplier Code`` → ``supplier_code``."""
    name = name.replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-]+", "_", name)


def read_csv(file: str, data: bytes, *, stream: bool = False) -> RawTable:
    """Raw table of one CSV file; line numbers are those a text editor shows (the header is line 1).

    A file that is neither UTF-8 nor cp1251 is an empty table with one problem naming the line and byte.
    With ``stream`` the header is read now and ``rows`` is an iterator that reads the rest as it is
    consumed (once): a large file is never held as a list of rows.
    """
    try:
        text = decode(data)
    except UndecodableFile as exc:
        return RawTable(file, [], [], [Problem(file, exc.line, str(exc))])
    reader = csv.reader(_lines(text), delimiter=sniff_delimiter(text))
    header: list[str] | None = None
    line = 1
    for cells in reader:
        line = reader.line_num + 1
        if any(c.strip() for c in cells):
            header = [normalise_header(c) for c in cells]
            break
    rows = _csv_rows(file, reader, line)
    return RawTable(file, header or [], rows if stream else list(rows))


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _lines(text: str):
    """The lines of ``text`` with their endings, as ``io.StringIO(text, newline="")`` gives them.

    One line at a time: a StringIO keeps a copy of the whole text at four bytes a character.
    """
    for match in _LINE.finditer(text):
        yield match.group()


class UnreadableCsv(csv.Error):
    """A CSV file that stops being readable part-way (raised while its rows are read); ``file`` names it."""

    def __init__(self, file: str, error: csv.Error):
        self.file = file
        super().__init__(str(error))


def _csv_rows(file: str, reader, line: int):
    """``(line, cells)`` of every non-blank row left in ``reader``; ``line`` is where the next row starts."""
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            for c in cells:
                if c and not c.isspace():
                    yield start, cells
                    break
    except csv.Error as exc:
        raise UnreadableCsv(file, exc) from exc


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def sheet_table(file: str, sheet: Any) -> RawTable:
    """The raw table of one worksheet: the first non-empty row is the header; empty rows are skipped."""
    header: list[str] | None = None
    rows = []
    for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_cell_text(v) for v in values]
        if header is None:
            if any(c.strip() for c in cells):
                header = [normalise_header(c) for c in cells]
            continue
        if any(c.strip() for c in cells):
            rows.append((line, cells))
    return RawTable(file, header or [], rows)


def read_workbook(path: Any) -> tuple[dict[str, RawTable], list[Problem]]:
    """Raw tables of an XLSX workbook (a path or a binary file) whose sheets are named like the files.

    A sheet may be named ``departments`` or ``departments.csv``.
    """
    from openpyxl import load_workbook  # only needed for workbooks

    book = load_workbook(path, read_only=True, data_only=True)
    tables: dict[str, RawTable] = {}
    try:
        for sheet in book.worksheets:
            file = _sheet_file(sheet.title)
            if file in COLUMNS:
                tables[file] = sheet_table(file, sheet)
    finally:
        book.close()
    return tables, uncached_formulas(path, list(COLUMNS))


def _sheet_file(title: str) -> str:
    title = title.strip().lower()
    return title if title.endswith(".csv") else f"{title}.csv"


def uncached_formulas(path: Any, files: Iterable[str] | None = None) -> list[Problem]:
    """A problem for each formula cell of the workbook at ``path`` that has no saved value.

    A formula is read by the value the spreadsheet saved with it; a workbook written by a
    program that does not calculate has none, and reading its cell as blank would import
    the wrong thing ("name is blank"). Only sheets read as ``files`` are checked (None: the
    first sheet, as a survey export is read). The sheets' XML is scanned for a formula
    first, so a workbook without any costs one pass over its bytes.
    """
    import zipfile

    from openpyxl import load_workbook

    if hasattr(path, "seek"):
        path.seek(0)
    with zipfile.ZipFile(path) as archive:
        if not any(_holds_formula(archive, name) for name in archive.namelist()
                   if name.startswith("xl/worksheets/") and name.endswith(".xml")):
            return []
    problems: list[Problem] = []
    books = []
    try:
        for data_only in (False, True):
            if hasattr(path, "seek"):
                path.seek(0)
            books.append(load_workbook(path, read_only=True, data_only=data_only))
        formulas, values = books
        sheets = formulas.worksheets if files is not None else formulas.worksheets[:1]
        for sheet in sheets:
            file = _sheet_file(sheet.title)
            if files is not None and file not in files:
                continue
            header: list[str] | None = None
            for line, (frow, vrow) in enumerate(zip(sheet.iter_rows(), values[sheet.title].iter_rows()), start=1):
                if header is None:
                    texts = [_cell_text(c.value) for c in vrow]
                    header = [normalise_header(t) for t in texts] if any(t.strip() for t in texts) else None
                for index, (fcell, vcell) in enumerate(zip(frow, vrow)):
                    if getattr(fcell, "data_type", None) == "f" and vcell.value is None:
                        column = header[index] if header and index < len(header) and header[index] else ""
                        problems.append(Problem(file if files is not None else sheet.title, line, (
                            f"{column + ' ' if column else ''}'{fcell.value}': cell {fcell.coordinate} of sheet "
                            f"{sheet.title} holds a formula with no saved value; open the workbook in Excel or "
                            "LibreOffice and save it, or paste the values")))
    finally:
        for book in books:
            book.close()
    return problems


def problems_text(problems: list[Problem], most: int = 5) -> str:
    """The first ``most`` problems in one line (``file:line: reason; …``), then how many more."""
    more = len(problems) - most
    return "; ".join(str(p) for p in problems[:most]) + (f" (and {more} more)" if more > 0 else "")


def _holds_formula(archive: Any, name: str) -> bool:
    """Whether the sheet XML ``name`` has a formula element, read in chunks (memory stays bounded)."""
    tail = b""
    with archive.open(name) as member:
        while chunk := member.read(1 << 20):
            if b"<f>" in tail + chunk or b"<f " in tail + chunk or b":f>" in tail + chunk or b":f " in tail + chunk:
                return True
            tail = chunk[-8:]
    return False


def read_folder(path: str | Path) -> tuple[dict[str, RawTable], list[Problem]]:
    """Raw tables of a folder of CSV files (file names compared case-insensitively)."""
    folder = Path(path)
    present = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    tables, problems = {}, []
    for file in FILES:
        if file in present:
            data = present[file].read_bytes()
            try:
                tables[file] = read_csv(file, data, stream=True)  # an undecodable file is a problem of its table
            except csv.Error as exc:
                problems.append(Problem(file, 0, f"cannot be read as CSV: {exc}"))
    return tables, problems


def read_path(path: str | Path) -> ImportSet:
    """Read a folder of CSV files or an ``.xlsx`` workbook into typed rows (see :func:`parse_set`).

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file or folder: {path}")
    if path.is_file() and path.suffix.lower() in (".xlsx", ".xlsm"):
        tables, problems = read_workbook(path)
    elif path.is_dir():
        tables, problems = read_folder(path)
    else:
        raise FileNotFoundError(f"not a folder of CSV files or an .xlsx workbook: {path}")
    try:
        result = parse_set(tables, source=str(path))
    except UnreadableCsv as exc:  # found while the rows were read: the file is the one problem
        result = ImportSet(source=str(path), files=[f for f in FILES if f in tables],
                           problems=[Problem(exc.file, 0, f"cannot be read as CSV: {exc}")])
    if problems:  # an unreadable file is its own problem, not "no file found"
        # A formula cell without a saved value is that, not also "is blank" for the same cell.
        cells = {(p.file, p.line, p.column) for p in problems}
        result.problems = problems + [p for p in result.problems
                                      if p.reason != NO_KNOWN_FILE and (p.file, p.line, p.column) not in cells]
    return result


# --- step 2: raw tables → typed rows -------------------------------------------------------


class _Cells:
    """The cells of one row by column name, collecting a problem per bad value."""

    __slots__ = ("table", "line", "problems", "values")

    def __init__(self, table: RawTable, line: int, cells: list[str], problems: list[Problem]):
        self.table, self.line, self.problems = table, line, problems
        self.values = values = {}
        found = False
        for index, name in _first_columns(table.header):
            if index >= len(cells):
                break  # as zip(): a short row lacks its last columns
            value = cells[index]
            value = value.strip() if value else ""
            if value[:1] == "'":
                value = _NEUTRALISED.sub("", value)
            values[name] = value
            found = found or (value and not value.isprintable())
        if found:  # only a row with a character that is not printable can hold a control character
            for name, value in values.items():
                control = (_CONTROL_IN_TEXT if name in _FREE_TEXT else _CONTROL).search(value)
                if control:
                    self.problem(name, value, f"contains the control character U+{ord(control.group()):04X}; "
                                              "remove it")

    def problem(self, column: str, value: str, reason: str) -> None:
        self.problems.append(Problem(self.table.file, self.line, f"{column} {value!r}: {reason}"))

    def text(self, column: str) -> str:
        return self.values.get(column, "")

    def code(self, column: str) -> str:
        # Codes never contain spaces; Excel users add them by accident around and inside.
        text = self.values.get(column, "")
        return "".join(text.split()) if " " in text or not text.isprintable() else text

    def optional(self, column: str) -> str | None:
        return self.text(column) or None

    def choice(self, column: str, mapping: dict, default: Any, expected: str) -> Any:
        raw = self.text(column)
        if not raw:
            return default
        key = re.sub(r"\s+", " ", raw.lower())
        if key not in mapping:
            self.problem(column, raw, f"expected {expected}")
            return default
        return mapping[key]

    def integer(self, column: str, low: int, high: int) -> int | None:
        raw = self.values.get(column, "")
        if not raw:
            return None
        if raw.isdigit() and raw.isascii():  # the common case, without a Decimal
            value = int(raw)
            if not low <= value <= high:
                self.problem(column, raw, f"out of range {low}–{high}")
                return None
            return value
        number = _number(raw)
        if number is None or number != number.to_integral_value():
            self.problem(column, raw, f"expected a whole number {low}–{high}")
            return None
        if not low <= number <= high:
            self.problem(column, raw, f"out of range {low}–{high}")
            return None
        return int(number)

    def decimal(self, column: str, low: float | None = None, high: float | None = None,
                places: int | None = None) -> Decimal | None:
        raw = self.text(column)
        if not raw:
            return None
        number = _number(raw)
        if number is None:
            self.problem(column, raw, "not a number")
            return None
        if places is not None and (abs(number) >= Decimal(10) ** 12
                                   or number != number.quantize(Decimal(1).scaleb(-places))):
            # The database keeps 12 digits and two decimals; a silent rounding would re-import as a change.
            self.problem(column, raw, f"expected a number with at most {places} decimals below 10¹²")
            return None
        if high is None and low is not None and number < low:
            self.problem(column, raw, f"must be {low:g} or more")
            return None
        if (low is not None and number < low) or (high is not None and number > high):
            self.problem(column, raw, f"out of range {low:g}–{high:g}")
            return None
        return number

    def date(self, column: str) -> date | None:
        raw = self.text(column)
        if not raw:
            return None
        parsed = _date(raw)
        if parsed is None:
            self.problem(column, raw, "not a date (use YYYY-MM-DD or DD.MM.YYYY)")
        return parsed


_FIRST_COLUMNS: dict[tuple[str, ...], tuple[tuple[int, str], ...]] = {}


def _first_columns(header: list[str]) -> tuple[tuple[int, str], ...]:
    """``(index, name)`` of each named column of ``header`` (the first of two with one name)."""
    key = tuple(header)
    found = _FIRST_COLUMNS.get(key)
    if found is None:
        seen: dict[str, int] = {}
        for index, name in enumerate(header):
            if name and name not in seen:
                seen[name] = index
        found = _FIRST_COLUMNS[key] = tuple((index, name) for name, index in seen.items())
    return found


def _number(raw: str) -> Decimal | None:
    text = raw.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


#: Excel 1900-system serial numbers taken as dates (1954-10-03 … 2119-01-10): a date cell saved as a number.
EXCEL_SERIALS = (20000, 80000)
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 0, so that 60 is Excel's phantom 1900-02-29 and 61 is 1900-03-01


def _date(raw: str) -> date | None:
    raw = raw.strip()
    serial = re.fullmatch(r"(\d{5})(?:[.,]\d+)?", raw)
    if serial:
        days = int(serial.group(1))  # a fraction is the time of day
        return _EXCEL_EPOCH + timedelta(days=days) if EXCEL_SERIALS[0] <= days <= EXCEL_SERIALS[1] else None
    for pattern, order in (
        (r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?", "ymd"),
        (r"(\d{1,2})\.(\d{1,2})\.(\d{4})", "dmy"),
        (r"(\d{1,2})/(\d{1,2})/(\d{4})", "dmy"),
    ):
        match = re.fullmatch(pattern, raw)
        if match:
            a, b, c = (int(g) for g in match.groups())
            year, month, day = (a, b, c) if order == "ymd" else (c, b, a)
            try:
                return date(year, month, day)
            except ValueError:
                return None
    return None


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _parse_department(c: _Cells, base: dict) -> DepartmentRow:
    return DepartmentRow(
        **base,
        code=c.code("code"),
        name=c.text("name"),
        kind=c.choice("kind", _KINDS, "internal", "internal or external"),
        parent_code=c.code("parent_code") or None,
        head_email=(c.text("head_email").lower() or None),
    )


def _parse_contract(c: _Cells, base: dict) -> ContractRow:
    return ContractRow(
        **base,
        supplier_code=c.code("supplier_code"),
        customer_code=c.code("customer_code"),
        service=re.sub(r"\s+", " ", c.text("service")),
        criticality=c.choice("criticality", _CRITICALITY, 2, "1–3, low, medium or high"),
        target=_float(c.decimal("target", 0, 100)),
        floor=_float(c.decimal("floor", 0, 100)),
        start_date=c.date("start_date"),
        end_date=c.date("end_date"),
        transfer_price=c.decimal("transfer_price", low=0, places=2),
        standard=c.optional("standard"),
    )


def _parse_rating(c: _Cells, base: dict) -> RatingRow:
    return RatingRow(
        **base,
        period=c.code("period").upper(),
        supplier_code=c.code("supplier_code"),
        customer_code=c.code("customer_code"),
        service=re.sub(r"\s+", " ", c.text("service")),
        respondent=c.text("respondent").lower(),
        scores={key: c.integer(key, 1, 5) for key in CRITERIA_COLUMNS if key in c.table.header},
        recommend=c.integer("recommend", 0, 10),
        standard_met=c.choice("standard_met", _STANDARD_MET, None, "met, partly, missed or blank"),
        no_interaction=c.choice("no_interaction", _YES_NO, False, "yes, no or blank"),
        comment=c.optional("comment"),
    )


def _parse_period(c: _Cells, base: dict) -> PeriodRow:
    return PeriodRow(**base, label=c.code("label").upper(), start_date=c.date("start_date"),
                     end_date=c.date("end_date"))


_PARSERS = {
    "departments.csv": ("departments", _parse_department),
    "contracts.csv": ("contracts", _parse_contract),
    "ratings.csv": ("ratings", _parse_rating),
    "periods.csv": ("periods", _parse_period),
}


def parse_set(tables: dict[str, RawTable], *, source: str = "") -> ImportSet:
    """Typed rows of every table, and a :class:`Problem` for each missing column or bad cell.

    Only the files present are imported (their rows are checked against the database
    for what they refer to); with none of :data:`FILES` the one problem is
    :data:`NO_KNOWN_FILE`. A cell that cannot be read leaves its field at the default
    and adds a problem, so one pass reports every bad value of every row.
    """
    result = ImportSet(source=source, files=[f for f in FILES if f in tables])
    same: dict[str, str] = {}
    if not result.files:
        result.problems.append(Problem(Path(source).name or "import", 0, NO_KNOWN_FILE))
    for file in FILES:
        table = tables.get(file)
        if table is None:
            continue
        missing = [col for col in REQUIRED[file] if col not in table.header]
        if table.problems:
            result.problems.extend(table.problems)
            continue
        if not table.header:
            result.problems.append(Problem(file, 1, "header row is missing"))
            continue
        if missing:
            result.problems.append(Problem(file, 1, "missing required column " + ", ".join(missing)))
            continue
        attr, parse = _PARSERS[file]
        columns = frozenset(table.header)
        rows = getattr(result, attr)
        required = REQUIRED[file]
        shared = _SHARED.get(file, ())
        for line, cells in table.rows:
            row_cells = _Cells(table, line, cells, result.problems)
            for col in required:
                if not row_cells.values.get(col):
                    result.problems.append(Problem(file, line, f"{col} is blank"))
            row = parse(row_cells, {"file": file, "line": line, "columns": columns})
            for name in shared:  # one string object per code, service and period however many rows name it
                value = getattr(row, name)
                setattr(row, name, same.setdefault(value, value))
            rows.append(row)
    return result


#: Fields whose values repeat across many rows (stored once, see :func:`parse_set`).
_SHARED = {
    "contracts.csv": ("supplier_code", "customer_code", "service"),
    "ratings.csv": ("period", "supplier_code", "customer_code", "service", "respondent"),
}
