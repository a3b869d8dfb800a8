"""Reading YAML with one semantics: YAML 1.2 (core schema).

Reading uses yaml-rs (fast, safe, duplicate keys an error, alias expansion
bounded). Only when there are errors to locate does PyYAML compose the same
text into nodes, whose marks give line and column; its own (YAML 1.1) idea of
scalar types is never used for values. Writing is `assess.bank.yamlwrite`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml
import yaml_rs

from assess.bank.model import CONTROL_CHARACTERS
from assess.problems import Problem, ProblemsFound
from assess.sheets.read import decode as utf8_text

# Bounds alias expansion ("billion laughs"); a real bank replays none.
ALIAS_LIMITS = yaml_rs.AliasLimits(max_total_replayed_events=100_000, max_replay_stack_depth=32)
_PYYAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_POSITION = re.compile(r"line (\d+), column (\d+)")


# Characters YAML forbids in a stream (C0 controls but tab, LF and CR; DEL; C1 but
# NEL). yaml-rs stops at a NUL without a word, so they are refused here first.
_FORBIDDEN = CONTROL_CHARACTERS
# Line breaks to YAML 1.1 (PyYAML) but ordinary characters to YAML 1.2: swapped
# one for one before PyYAML composes, so that its lines and columns stay true.
_V11_BREAKS = "\x85\u2028\u2029"
_NO_V11_BREAKS = str.maketrans(_V11_BREAKS, "___")
MAX_FILE_BYTES = 64 * 1024 * 1024


def decode_yaml(data: bytes, file: str) -> str:
    """UTF-8 text (a byte-order mark allowed), or a located FILE-NOT-UTF8 / FILE-CONTROL-CHARACTER."""
    text = utf8_text(data, file)
    bad = _FORBIDDEN.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        code = f"U+{ord(bad.group()):04X}"
        raise ProblemsFound([Problem("FILE-CONTROL-CHARACTER", {"code": code}, file, line, column)])
    return text


def compose(text: str) -> yaml.Node | None:
    """PyYAML's node tree of `text` (for positions only), or None if PyYAML cannot read it."""
    try:
        return yaml.compose(text.translate(_NO_V11_BREAKS), Loader=_PYYAML_LOADER)
    except yaml.YAMLError:
        return None


def _events(text: str):
    return yaml.parse(text.translate(_NO_V11_BREAKS), Loader=_PYYAML_LOADER)


def parse(text: str, file: str) -> Any:
    """The data of one YAML document, or ProblemsFound naming where it breaks."""
    try:
        data = yaml_rs.loads(
            text,
            parse_datetime=False,
            alias_limits=ALIAS_LIMITS,
            duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.Error,
        )
    except yaml_rs.YAMLDecodeError as e:
        raise ProblemsFound(_syntax_problems(str(e), text, file)) from None
    if isinstance(data, list):
        second = _second_document(text)
        if second is not None:
            raise ProblemsFound([Problem("FILE-MULTIPLE-DOCUMENTS", {}, file, *second)])
    return data


def _second_document(text: str) -> tuple[int, int] | None:
    """Where a second document starts (its `---`), if the text has more than one."""
    starts = 0
    try:
        for event in _events(text):
            if isinstance(event, yaml.DocumentStartEvent):
                starts += 1
                if starts == 2:
                    return event.start_mark.line + 1, event.start_mark.column + 1
    except yaml.YAMLError:
        return None
    return None


# Constructs whose error is best shown where they began: an unclosed bracket or quote.
_UNCLOSED = ("while scanning a quoted scalar", "while parsing a flow", "while scanning a block scalar")
_TAB_INDENT = re.compile(r"^[ ]*\t", re.MULTILINE)


def _located_by_pyyaml(text: str) -> tuple[int, int, str] | None:
    """Line, column and reason of an unclosed construct, as PyYAML sees it."""
    try:
        for _ in _events(text):
            pass
    except yaml.MarkedYAMLError as e:
        if e.context and e.context.startswith(_UNCLOSED) and e.context_mark is not None:
            reason = f"{e.context}, {e.problem}" if e.problem else e.context
            return e.context_mark.line + 1, e.context_mark.column + 1, reason
    return None


def _syntax_problems(message: str, text: str, file: str) -> list[Problem]:
    if message.startswith("duplicate mapping key"):
        found = list(duplicate_keys(text, file))
        if found:
            return found
    if message.startswith("alias replay limit"):
        return [Problem("YAML-ALIAS-LIMIT", {}, file)]
    m = _POSITION.search(message)
    line, column = (int(m[1]), int(m[2])) if m else (None, None)
    reason = message.strip().splitlines()[-1].strip()
    if "tab" in reason.lower():
        # yaml-rs notices the tab late; the author needs the line that has it.
        tab = _TAB_INDENT.search(text)
        if tab is not None:
            line = text.count("\n", 0, tab.start()) + 1
            column = tab.end() - tab.start()
        return [Problem("YAML-TAB", {}, file, line, column)]
    unclosed = _located_by_pyyaml(text)
    if unclosed is not None:
        line, column, reason = unclosed
    return [Problem("YAML-SYNTAX", {"reason": reason}, file, line, column)]


def _key_identity(key: yaml.Node) -> object:
    """A mapping key as YAML 1.2 reads it: `1` and `0x1` are one key, `1` and `'1'` two."""
    if not isinstance(key, yaml.ScalarNode):
        return (id(key),)  # a complex key: never reported as repeated
    if key.style is not None:
        return ("str", key.value)
    try:
        value = yaml_rs.loads(f"k: {key.value}", parse_datetime=False)["k"]
    except (yaml_rs.YAMLDecodeError, TypeError, KeyError):
        value = key.value
    return (type(value).__name__, value)


def duplicate_keys(text: str, file: str) -> Iterator[Problem]:
    """Every repeated key of every mapping, with the line of its first use."""
    root = compose(text)
    if root is None:
        return
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:  # aliases share nodes: visit each once
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[object, yaml.Node] = {}
            for key, value in node.value:
                ident = _key_identity(key)
                if ident in first:
                    yield Problem(
                        "YAML-DUPLICATE-KEY",
                        {"key": key.value, "first": first[ident].start_mark.line + 1},
                        file,
                        key.start_mark.line + 1,
                        key.start_mark.column + 1,
                    )
                else:
                    first[ident] = key
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


class Locator:
    """Line and column of a place in a document, from PyYAML's node marks.

    A mapping key is found by its position among the mapping's keys in the
    parsed data (which keeps the file's order), so keys that are numbers,
    `true` or `null` are found as surely as text.
    """

    def __init__(self, text: str, data: Any):
        self.root = compose(text)
        self.data = data
        self._indexes: dict[int, dict] = {}  # id(mapping) -> {key: position}, built once each

    def _index_of(self, mapping: dict, key: Any) -> int | None:
        index = self._indexes.get(id(mapping))
        if index is None:
            index = self._indexes[id(mapping)] = {k: i for i, k in enumerate(mapping)}
        try:
            return index.get(key)
        except TypeError:  # an unhashable part cannot be a key
            return None

    def position(self, path: tuple, *, key: bool = False) -> tuple[int, int] | None:
        """1-based (line, column) of the deepest node on `path` that exists.

        With `key=True` and a path ending in a mapping key, the key's own
        position (for an unknown or repeated field name).
        """
        node, data = self.root, self.data
        if node is None:
            return None
        mark = node.start_mark
        for i, part in enumerate(path):
            last = i == len(path) - 1
            if isinstance(node, yaml.MappingNode) and isinstance(data, dict):
                index = self._index_of(data, part)
                if index is None or index >= len(node.value):
                    break
                key_node, node = node.value[index]
                data = data[part]
                mark = key_node.start_mark if (key and last) else node.start_mark
            elif (
                isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value)
            ):
                node = node.value[part]
                data = data[part] if isinstance(data, list) and part < len(data) else None
                mark = node.start_mark
            else:
                break
        return mark.line + 1, mark.column + 1
