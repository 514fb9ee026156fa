"""Read an organizational network survey ("whom do you go to for help or advice?").

Nothing here touches the database: it reads, checks and rolls up. Three formats:

* **CSV** edge list plus a people file. The edge list has an asker column (``ego``,
  ``from``, ``source``, ``asker``, ``seeker``, ``person``) and an advisor column
  (``alter``, ``to``, ``target``, ``advisor``), optionally a weight (``edge``,
  ``weight``, ``value``, ``tie``): a full matrix in long form is fine, ``0`` means no
  tie, self-pairs are ignored (and counted). Any delimiter (``;`` ``,`` tab ``|``), a
  decimal comma, UTF-8 with or without BOM or cp1251. The people file has an id column
  (``id``, ``person``, ``person_id``, ``name``, ``node``, ``vertex``), the department
  column named by ``department_column`` and optionally ``level``.
* **Pajek** (``.net``/``.paj``): ``*Vertices``, ``*Arcs``/``*Edges`` (with layers
  ``*Arcs :1 "advice"`` and lines ``1: from to w``) and ``*Partition`` sections; the
  department is the partition ``department_column`` names (several, comma-separated,
  give a combined unit such as office × practice: ``office,practice`` → ``1-2``).
* **GraphML**: nodes with a data key named ``department_column``; an edge
  ``source → target`` means *source asks target* (undirected edges count both ways).

In every format an arc *A → B* means A asks B, so B's department supplies A's.
Every problem is a :class:`~tracker.importer.reader.Problem` (``file:line: reason``);
when there is any, the caller writes nothing.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from ..analysis.network import NetworkRollup, roll_up
from .reader import Problem, _number, decode, normalise_header

__all__ = [
    "NETWORK_EXTENSIONS",
    "NetworkRead",
    "Person",
    "Tie",
    "read_network",
    "read_network_files",
]

NETWORK_EXTENSIONS = (".csv", ".txt", ".net", ".paj", ".graphml")
ASKER_COLUMNS = ("ego", "from", "source", "asker", "seeker", "person", "respondent")
ADVISOR_COLUMNS = ("alter", "to", "target", "advisor", "adviser")
WEIGHT_COLUMNS = ("edge", "weight", "value", "tie")
ID_COLUMNS = ("id", "person", "person_id", "name", "node", "vertex", "ego")
DEPARTMENT_COLUMNS = ("department", "department_code", "dept", "unit")
#: Person ids and department codes longer than this are refused (codes are stored in 64 characters).
MAX_CODE = 64


@dataclass(frozen=True)
class Person:
    """One surveyed person: ``id``, ``department`` code, optional ``level``, where it was read."""

    id: str
    department: str
    level: str | None = None
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class Tie:
    """``asker`` goes to ``advisor`` for advice (read at ``file:line``)."""

    asker: str
    advisor: str
    file: str = ""
    line: int = 0


@dataclass
class NetworkRead:
    """What a survey's files say, with every problem found.

    ``ties`` holds each asker → advisor pair once (the first line that gives it);
    ``self_pairs`` counts lines pairing a person with themself with a positive weight
    (ignored as ties), ``duplicates`` the lines repeating a pair, ``zero`` the lines of
    weight 0 (no tie).
    """

    source: str
    people: dict[str, Person] = field(default_factory=dict)
    ties: list[Tie] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    relation: str | None = None
    department_column: str = ""
    self_pairs: int = 0
    duplicates: int = 0
    zero: int = 0
    _pairs: set = field(default_factory=set, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def rollup(self) -> NetworkRollup:
        """The department roll-up (see :func:`tracker.analysis.network.roll_up`); only when :attr:`ok`."""
        return roll_up(((t.asker, t.advisor) for t in self.ties),
                       {p.id: p.department for p in self.people.values()})


def _kind(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix in (".net", ".paj"):
        return "pajek"
    if suffix == ".graphml":
        return "graphml"
    return "csv"


def read_network_files(edges: str | Path, people: str | Path | None = None, *,
                       department_column: str | None = None, relation: str | None = None) -> NetworkRead:
    """:func:`read_network` of files on disk (file names in problems are the base names).

    Raises
    ------
    FileNotFoundError
        A path does not exist or is not a file.
    """
    edges = Path(edges)
    for path in (edges, people):
        if path is not None and not Path(path).is_file():
            raise FileNotFoundError(f"no such file: {path}")
    return read_network(edges.name, edges.read_bytes(),
                        None if people is None else Path(people).name,
                        None if people is None else Path(people).read_bytes(),
                        department_column=department_column, relation=relation)


def read_network(edges_name: str, edges_data: bytes, people_name: str | None = None,
                 people_data: bytes | None = None, *, department_column: str | None = None,
                 relation: str | None = None) -> NetworkRead:
    """Read a survey: an edge file (CSV, Pajek or GraphML by extension) and, for CSV, a people file.

    ``department_column`` names the people file's department column, the Pajek
    partition(s) or the GraphML node attribute; ``relation`` picks a Pajek layer by name
    or number (default: the first). Returns a :class:`NetworkRead` whose ``problems`` name
    file, line and reason for: a person in no department, a tie naming an unknown
    person, a weight that is not a number (or negative), a missing column or partition,
    an unreadable file. Never raises for bad content.
    """
    result = NetworkRead(source=edges_name, department_column=department_column or "")
    kind = _kind(edges_name)
    try:
        if kind == "pajek":
            _read_pajek(result, edges_name, _text(edges_name, edges_data, result), department_column, relation)
        elif kind == "graphml":
            _read_graphml(result, edges_name, edges_data, department_column)
        else:
            if people_data is None:
                result.problems.append(Problem(edges_name, 0, "a CSV edge list needs a people file "
                                                              "(person id and department code)"))
                return result
            if not _read_people_csv(result, people_name or "people.csv", _text(people_name, people_data, result),
                                    department_column):
                return result  # without the people every tie would be "unknown person" too
            _read_edges_csv(result, edges_name, _text(edges_name, edges_data, result))
    except _Unreadable:
        pass
    if not result.problems and not result.people:
        result.problems.append(Problem(edges_name, 0, "no people found"))
    return result


class _Unreadable(Exception):
    """A file could not be decoded; its problem is recorded already."""


def _text(name: str | None, data: bytes, result: NetworkRead) -> str:
    try:
        return decode(data)
    except UnicodeDecodeError as exc:  # pragma: no cover - cp1251 decodes almost anything
        result.problems.append(Problem(name or "", data[:exc.start].count(b"\n") + 1, "not a text file"))
        raise _Unreadable from exc


def _person_id(raw: str) -> str:
    """Person ids compared without spaces and leading zeros of numbers (``01`` is ``1``)."""
    text = re.sub(r"\s+", "", raw)
    return str(int(text)) if text.isdigit() else text


def _code(raw: str) -> str:
    text = re.sub(r"\s+", "", raw)
    number = _number(text) if text else None
    if number is not None and number == number.to_integral_value():
        return str(int(number))  # "1", "1.0" and "01" are one department
    return text


# --- CSV -----------------------------------------------------------------------------------


def _sniff(text: str) -> str | None:
    """The delimiter of a CSV text: the commonest of ``; , tab |`` in its first line, None for spaces."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {d: unquoted.count(d) for d in (";", "\t", "|", ",")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else None


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """Non-empty rows with their line numbers (as an editor counts them)."""
    delimiter = _sniff(text)
    rows = []
    if delimiter is None:  # whitespace-separated, as Pajek-style and UCINET edge lists are
        for line, raw in enumerate(text.splitlines(), start=1):
            if raw.strip():
                rows.append((line, raw.split()))
        return rows
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    for cells in reader:
        start, line = line, reader.line_num + 1
        if any(c.strip() for c in cells):
            rows.append((start, [c.strip() for c in cells]))
    return rows


def _column(header: list[str], wanted: tuple[str, ...]) -> int | None:
    for name in wanted:
        if name in header:
            return header.index(name)
    return None


def _headerless(cells: list[str]) -> bool:
    return len(cells) >= 2 and all(_number(c) is not None or c.isdigit() for c in cells[:2]) and \
        all(_number(c) is not None for c in cells[2:3])


def _read_people_csv(result: NetworkRead, file: str, text: str, department_column: str | None) -> bool:
    """Read the people file into ``result``; False when its header is unusable (no row was read)."""
    rows = _rows(text)
    if not rows:
        result.problems.append(Problem(file, 1, "header row is missing"))
        return False
    header = [normalise_header(c) for c in rows[0][1]]
    id_col = _column(header, ID_COLUMNS)
    names = [normalise_header(n) for n in (department_column or "").split(",") if n.strip()]
    dept_cols = [header.index(n) if n in header else None for n in names]
    if not names:
        found = _column(header, DEPARTMENT_COLUMNS)
        dept_cols = [found]
        names = [header[found]] if found is not None else ["department"]
    if id_col is None:
        result.problems.append(Problem(file, rows[0][0], "no person id column (one of " + ", ".join(ID_COLUMNS) + ")"))
    missing = [n for n, c in zip(names, dept_cols) if c is None]
    if missing:
        result.problems.append(Problem(file, rows[0][0], "no department column " + ", ".join(repr(m) for m in missing)
                                       + " (columns: " + ", ".join(h for h in header if h) + ")"))
    if id_col is None or missing:
        return False
    result.department_column = ",".join(names)
    level_col = _column(header, ("level",))
    for line, cells in rows[1:]:
        cell = (lambda i: cells[i].strip() if i is not None and i < len(cells) else "")
        person = _person_id(cell(id_col))
        if not person:
            result.problems.append(Problem(file, line, "person id is blank"))
            continue
        parts = [_code(cell(i)) for i in dept_cols]
        if any(not p for p in parts):
            result.problems.append(Problem(file, line, f"person {person!r} is in no department "
                                                       f"({'/'.join(names)} is blank)"))
            continue
        _add_person(result, Person(person, "-".join(parts), cell(level_col) or None, file, line))
    return True


def _add_person(result: NetworkRead, person: Person) -> None:
    if len(person.id) > MAX_CODE or len(person.department) > MAX_CODE:
        result.problems.append(Problem(person.file, person.line, f"person {person.id[:20]!r}: id or department "
                                                                 f"code longer than {MAX_CODE} characters"))
    elif person.id in result.people:
        first = result.people[person.id]
        result.problems.append(Problem(person.file, person.line,
                                       f"person {person.id!r} is listed twice (first at line {first.line})"))
    else:
        result.people[person.id] = person


def _read_edges_csv(result: NetworkRead, file: str, text: str) -> None:
    rows = _rows(text)
    if not rows:
        result.problems.append(Problem(file, 1, "the edge list is empty"))
        return
    if _headerless(rows[0][1]):
        asker, advisor, weight = 0, 1, 2  # a row without a third cell is a tie
        data = rows
    else:
        header = [normalise_header(c) for c in rows[0][1]]
        asker, advisor, weight = (_column(header, ASKER_COLUMNS), _column(header, ADVISOR_COLUMNS),
                                  _column(header, WEIGHT_COLUMNS))
        if asker is None or advisor is None:
            result.problems.append(Problem(
                file, rows[0][0], "needs an asker column (" + ", ".join(ASKER_COLUMNS) + ") and an advisor column ("
                + ", ".join(ADVISOR_COLUMNS) + "); found " + ", ".join(h for h in header if h)))
            return
        data = rows[1:]
    for line, cells in data:
        cell = (lambda i: cells[i].strip() if i is not None and i < len(cells) else "")
        _add_tie(result, file, line, cell(asker), cell(advisor), cell(weight) if weight is not None else None)


def _add_tie(result: NetworkRead, file: str, line: int, asker_raw: str, advisor_raw: str,
             weight_raw: str | None) -> None:
    """Check one arc asker → advisor with an optional weight text and keep it when it is a tie."""
    if weight_raw is not None and weight_raw != "":
        number = _number(weight_raw)
        if number is None:
            result.problems.append(Problem(file, line, f"weight {weight_raw!r}: not a number"))
            return
        if number < 0:
            result.problems.append(Problem(file, line, f"weight {weight_raw!r}: must be 0 or more"))
            return
        if number == 0:
            result.zero += 1
            return
    asker, advisor = _person_id(asker_raw), _person_id(advisor_raw)
    bad = False
    for role, person in (("asker", asker), ("advisor", advisor)):
        if not person:
            result.problems.append(Problem(file, line, f"{role} is blank"))
            bad = True
        elif person not in result.people:
            result.problems.append(Problem(file, line, f"{role} {person!r}: unknown person code "
                                                       "(not in the people of the survey)"))
            bad = True
    if bad:
        return
    if asker == advisor:
        result.self_pairs += 1
        return
    key = (asker, advisor)
    if key in result._pairs:
        result.duplicates += 1
        return
    result._pairs.add(key)
    result.ties.append(Tie(asker, advisor, file, line))


# --- Pajek ---------------------------------------------------------------------------------

_SECTION = re.compile(r"^\*(\w+)\s*(.*)$")
_LAYER = re.compile(r'^:(\d+)\s*(?:"([^"]*)"|(\S+))?')


def _read_pajek(result: NetworkRead, file: str, text: str, department_column: str | None,
                relation: str | None) -> None:
    lines = text.splitlines()
    vertices: list[str] = []
    vertices_line = 0
    layers: dict[int, str] = {}
    arcs: list[tuple[int, int | None, list[str], bool]] = []  # (line, layer, tokens, undirected)
    partitions: dict[str, tuple[int, list[tuple[int, str]]]] = {}
    section, current_layer, partition = None, None, None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("%"):
            continue
        match = _SECTION.match(line)
        if match:
            word, rest = match.group(1).lower(), match.group(2).strip()
            if word == "vertices":
                if partition is not None:
                    section = "partition"
                elif not vertices_line:
                    section, vertices_line = "vertices", number
                else:
                    section = "ignore"
            elif word in ("arcs", "edges", "arcslist", "edgeslist"):
                partition = None
                section = word
                current_layer = None
                layer = _LAYER.match(rest)
                if layer:
                    current_layer = int(layer.group(1))
                    layers.setdefault(current_layer, layer.group(2) or layer.group(3) or str(current_layer))
            elif word == "partition":
                name = rest.strip('"')
                partition = name
                partitions[name] = (number, [])
                section = "wait"
            elif word == "matrix":
                result.problems.append(Problem(file, number, "*Matrix sections are not read; "
                                                             "save the network with *Arcs"))
                section = "ignore"
            else:  # *Network, *Vector, anything else
                partition = None
                section = "ignore"
            continue
        if section == "vertices":
            token = line.split()[0]
            vertices.append(_person_id(token))
        elif section in ("arcs", "edges", "arcslist", "edgeslist"):
            tokens = line.split()
            layer = current_layer
            if tokens and re.fullmatch(r"\d+:", tokens[0]):
                layer = int(tokens[0][:-1])
                layers.setdefault(layer, str(layer))
                tokens = tokens[1:]
            if section.endswith("list"):
                for target in tokens[1:]:
                    arcs.append((number, layer, [tokens[0], target], section == "edgeslist"))
            else:
                arcs.append((number, layer, tokens, section == "edges"))
        elif section == "partition" and partition is not None:
            partitions[partition][1].append((number, line.split()[0]))
    if not vertices_line:
        result.problems.append(Problem(file, 1, "no *Vertices section"))
        return

    # departments from the partition(s)
    names = [n.strip() for n in (department_column or "").split(",") if n.strip()]
    if not names:
        if len(partitions) == 1:
            names = list(partitions)
        else:
            shown = ", ".join(partitions) or "none"
            result.problems.append(Problem(file, vertices_line, "name the partition that gives the department "
                                                                f"(--department-column); partitions: {shown}"))
            return
    chosen = []
    for name in names:
        key = next((p for p in partitions if p.lower() in (name.lower(), name.lower() + ".clu")), None)
        if key is None:
            shown = ", ".join(partitions) or "none"
            result.problems.append(Problem(file, len(lines), f"partition {name!r} is missing; partitions: {shown}"))
        else:
            chosen.append(key)
    if len(chosen) != len(names):
        return
    result.department_column = ",".join(chosen)
    for i, person in enumerate(vertices):
        parts = []
        for name in chosen:
            start, values = partitions[name]
            if i >= len(values):
                result.problems.append(Problem(file, start, f"person {person!r} is in no department: partition "
                                                            f"{name!r} has {len(values)} values for "
                                                            f"{len(vertices)} vertices"))
                break
            parts.append(_code(values[i][1]))
        else:
            _add_person(result, Person(person, "-".join(parts), None, file, vertices_line + 1 + i))

    # the relation (layer)
    wanted = None
    if layers:
        if relation:
            wanted = next((k for k, v in layers.items() if v.lower() == relation.lower() or str(k) == relation), None)
            if wanted is None:
                result.problems.append(Problem(file, 1, f"relation {relation!r} is missing; relations: "
                                                        + ", ".join(f"{k} {v}" for k, v in sorted(layers.items()))))
                return
        else:
            wanted = min(layers)
        result.relation = layers[wanted]
    for number, layer, tokens, undirected in arcs:
        if wanted is not None and layer is not None and layer != wanted:
            continue
        if len(tokens) < 2:
            result.problems.append(Problem(file, number, "an arc needs two vertices"))
            continue
        weight = tokens[2] if len(tokens) > 2 else None
        _add_tie(result, file, number, tokens[0], tokens[1], weight)
        if undirected:
            _add_tie(result, file, number, tokens[1], tokens[0], weight)


# --- GraphML -------------------------------------------------------------------------------


def _read_graphml(result: NetworkRead, file: str, data: bytes, department_column: str | None) -> None:
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
        result.problems.append(Problem(file, 1, "GraphML with a DOCTYPE or entities is refused"))
        return
    parser = expat.ParserCreate()
    keys: dict[str, str] = {}  # key id → attr.name (node keys)
    edge_keys: dict[str, str] = {}
    nodes: list[tuple[int, str, dict[str, str]]] = []
    edges: list[tuple[int, str, str, bool, dict[str, str]]] = []
    state: dict = {"directed": True, "element": None, "data": None, "text": []}

    def start(name, attrs):
        tag = name.rsplit("}", 1)[-1].split(":")[-1]
        line = parser.CurrentLineNumber
        if tag == "key":
            target = edge_keys if attrs.get("for") == "edge" else keys
            target[attrs.get("id", "")] = attrs.get("attr.name", attrs.get("id", ""))
            if attrs.get("for") in (None, "all"):
                edge_keys[attrs.get("id", "")] = attrs.get("attr.name", attrs.get("id", ""))
        elif tag == "graph":
            state["directed"] = attrs.get("edgedefault", "directed") != "undirected"
        elif tag == "node":
            state["element"] = (line, attrs.get("id", ""), {})
            nodes.append(state["element"])
        elif tag == "edge":
            directed = {"true": True, "false": False}.get(attrs.get("directed", ""), state["directed"])
            state["element"] = (line, attrs.get("source", ""), attrs.get("target", ""), not directed, {})
            edges.append(state["element"])
        elif tag == "data":
            state["data"], state["text"] = attrs.get("key", ""), []

    def end(name):
        tag = name.rsplit("}", 1)[-1].split(":")[-1]
        if tag == "data" and state["element"] is not None and state["data"] is not None:
            state["element"][-1][state["data"]] = "".join(state["text"]).strip()
            state["data"] = None
        elif tag in ("node", "edge"):
            state["element"] = None

    def chars(text):
        if state["data"] is not None:
            state["text"].append(text)

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        result.problems.append(Problem(file, exc.lineno, f"not well-formed XML: {expat.ErrorString(exc.code)}"))
        return
    names = [n.strip() for n in (department_column or "department").split(",") if n.strip()]
    ids = []
    for name in names:
        key = next((k for k, v in keys.items() if v.lower() == name.lower()), None)
        if key is None:
            result.problems.append(Problem(file, 1, f"no node attribute {name!r}; attributes: "
                                                    + (", ".join(sorted(set(keys.values()))) or "none")))
        ids.append(key)
    if None in ids:
        return
    result.department_column = ",".join(names)
    for line, node_id, values in nodes:
        parts = [_code(values.get(k, "")) for k in ids]
        person = _person_id(node_id)
        if not person:
            result.problems.append(Problem(file, line, "node without an id"))
        elif any(not p for p in parts):
            result.problems.append(Problem(file, line, f"person {person!r} is in no department "
                                                       f"({'/'.join(names)} is blank)"))
        else:
            _add_person(result, Person(person, "-".join(parts), None, file, line))
    weight_key = next((k for k, v in edge_keys.items() if v.lower() in WEIGHT_COLUMNS), None)
    for line, source, target, undirected, values in edges:
        weight = values.get(weight_key) if weight_key else None
        _add_tie(result, file, line, source, target, weight)
        if undirected:
            _add_tie(result, file, line, target, source, weight)
