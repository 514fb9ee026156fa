"""The one rule for control characters in text, shared by the importer, every form and every output.

Input (the importer, every form): a control character is refused, naming it (``U+000B``);
tab and line breaks are allowed in multi-line text (a comment, an agreement's standard).
Output (XLSX, SVG, GraphML): :func:`printable` drops what XML 1.0 cannot carry, so data
stored before the rule (or written by hand into the database) never breaks a file.
"""
from __future__ import annotations

import re

__all__ = ["CONTROL", "CONTROL_IN_TEXT", "NOT_XML", "control_character", "printable"]

#: Control characters refused in any single-line value (never typed on purpose; they break XML outputs) …
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: … and in multi-line text, where tab and line breaks are allowed.
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Characters XML 1.0 cannot carry at all (XLSX and SVG are XML): a writer emits them, every reader rejects them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def control_character(value: str | None, *, multiline: bool = False) -> str | None:
    """The first control character in ``value`` that the rule refuses, or None.

    ``multiline`` allows tab, line feed and carriage return (free text such as a comment).
    """
    if not value:
        return None
    found = (CONTROL_IN_TEXT if multiline else CONTROL).search(value)
    return found.group() if found else None


def printable(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot carry (tab and line breaks kept); for outputs."""
    return NOT_XML.sub("", value)
