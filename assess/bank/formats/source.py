"""Reading a foreign file safely: bounded size, text in a known encoding, XML through defusedxml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from assess.problems import Problem, ProblemsFound
from assess.sheets.read import decode

MAX_FILE_BYTES = 64 * 1024 * 1024  # a 10,000-question Moodle export is about 20 MB


def read_bytes(path: Path) -> bytes:
    file = str(path)
    if not path.exists():
        raise ProblemsFound([Problem("FILE-NOT-FOUND", {}, file)])
    if not path.is_file():
        raise ProblemsFound([Problem("FILE-NOT-REGULAR", {}, file)])
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ProblemsFound([Problem("FILE-TOO-LARGE", {"limit": MAX_FILE_BYTES // 2**20}, file)])
        data = path.read_bytes()
    except OSError as e:
        raise ProblemsFound([Problem("FILE-UNREADABLE", {"reason": e.strerror or str(e)}, file)]) from None
    if not data.strip():
        raise ProblemsFound([Problem("FILE-EMPTY", {}, file)])
    return data


@dataclass(frozen=True)
class Text:
    text: str
    warnings: tuple[Problem, ...] = ()


def text_of(data: bytes, file: str) -> Text:
    """UTF-8 (with or without a byte-order mark), else Windows-1252 with a warning (old Notepad files)."""
    try:
        return Text(decode(data, file))
    except ProblemsFound:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        # Bytes cp1252 leaves undefined: the UTF-8 problem, located at the first bad byte.
        decode(data, file, "IMPORT-NOT-TEXT")
        raise
    return Text(text, (Problem("IMPORT-ENCODING-CP1252", {}, file),))


# -- XML ------------------------------------------------------------------------------------------

_DECLARATION = re.compile(rb"<!(ENTITY|DOCTYPE)", re.IGNORECASE)


def parse_xml(data: bytes, file: str) -> Element:
    """The document's root element: entities and external references refused, syntax errors located."""
    import defusedxml.ElementTree as safe
    from defusedxml import DefusedXmlException

    try:
        return safe.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        where = _DECLARATION.search(data)
        line = data.count(b"\n", 0, where.start()) + 1 if where else None
        raise ProblemsFound([Problem("IMPORT-XML-ENTITIES", {}, file, line)]) from None
    except ParseError as e:
        line, column = e.position
        reason = str(e).split(":")[0]
        raise ProblemsFound(
            [Problem("IMPORT-XML-SYNTAX", {"reason": reason}, file, line, column + 1)]
        ) from None
