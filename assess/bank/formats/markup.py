"""Question text between the bank's Markdown and the HTML of Moodle and QTI.

The bank's text is a small Markdown (emphasis, code, lists, a line break per newline,
paragraphs; see `assess.templating`). HTML coming in is reduced to that: paragraphs,
line breaks, bold and italic, code, lists; a link keeps its text and address; a
table its cells, a row to a line; anything else its text. What has no place in
the bank (an image, a formula as MathML) is named so the import can report it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser

_BLOCKS = {"p", "div", "section", "article", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6",
           "table", "figure", "center", "address", "prompt", "itembody"}  # fmt: skip
_BOLD, _ITALIC = {"strong", "b"}, {"em", "i"}
_MARKS = {"strong": "**", "b": "**", "em": "*", "i": "*", "code": "`"}
_SKIPPED = {"script", "style", "head", "title", "math", "object", "audio", "video", "iframe", "svg"}
# Characters that mean something in the bank's Markdown: escaped where text has them.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_])")
_LIST_START = re.compile(r"^(\s*)([-+*]|\d+[.)])(\s)", re.MULTILINE)
_SPACES = re.compile(r"[ \t\r\n\f]+")
_RUNS = re.compile(r"(?<=\S) {2,}")


def escape_markdown(text: str) -> str:
    """Plain text as the bank's Markdown that shows it unchanged."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return _LIST_START.sub(lambda m: m[1] + m[2].replace(".", "\\.").replace(")", "\\)").replace(
        "-", "\\-").replace("+", "\\+") + m[3], text)  # fmt: skip


@dataclass
class Converted:
    markdown: str
    images: list[str] = field(default_factory=list)  # file names or addresses, in order
    dropped: list[str] = field(default_factory=list)  # other elements with no place (e.g. "math")


class _ToMarkdown(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []  # finished paragraphs
        self.line: list[str] = []  # the paragraph being built, as pieces
        self.lists: list[list] = []  # ["ul"|"ol", counter]
        self.skipping = 0
        self.links: list[str | None] = []
        self.result = Converted("")
        self.pre = 0
        self.marks: list[int] = []  # where each open emphasis started in `line`

    # -- building -----------------------------------------------------------------
    def _text(self, piece: str) -> None:
        self.line.append(piece)

    def _end_paragraph(self) -> None:
        text = "".join(self.line)
        if self.pre:
            lines = [ln.rstrip() for ln in text.split("\n")]
        else:
            lines = [_RUNS.sub(" ", ln).strip() if not _LIST_START.match(ln) else ln.rstrip()
                     for ln in text.split("\n")]  # fmt: skip
        text = "\n".join(ln for ln in lines if ln.strip())
        if text:
            in_list = self.lists and self.blocks and _LIST_START.match(self.blocks[-1].split("\n")[-1])
            if in_list and _LIST_START.match(text):
                self.blocks[-1] += "\n" + text  # items of one list stay one block
            else:
                self.blocks.append(text)
        self.line = []

    # -- events ---------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in _SKIPPED:
            self.skipping += 1
            if tag == "math":
                self.result.dropped.append("math")
            return
        if self.skipping:
            return
        if tag in _BLOCKS or tag == "tr":
            self._end_paragraph()
            self.pre += tag == "pre"
        elif tag == "br":
            self._text("\\\n")  # a hard line break in the bank's Markdown
        elif tag in _BOLD or tag in _ITALIC or (tag == "code" and not self.pre):
            self.marks.append(len(self.line))
            self._text(_MARKS[tag])
        elif tag in ("ul", "ol"):
            self._end_paragraph()
            self.lists.append([tag, 0])
        elif tag == "li":
            self._end_paragraph()
            depth = "   " * (len(self.lists) - 1)
            kind = self.lists[-1] if self.lists else ["ul", 0]
            kind[1] += 1
            self._text(depth + (f"{kind[1]}. " if kind[0] == "ol" else "- "))
        elif tag in ("td", "th"):
            if self.line:
                self._text(" | ")
        elif tag == "a":
            self.links.append(attributes.get("href"))
        elif tag in ("img", "image", "object"):
            source = attributes.get("src") or attributes.get("data") or attributes.get("href") or "?"
            self.result.images.append(source)
            alt = attributes.get("alt")
            if alt:
                self._text(escape_markdown(alt))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "img", "image"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping:
            return
        if tag in _BLOCKS or tag == "tr":
            self.pre -= tag == "pre" and self.pre > 0
            self._end_paragraph()
        elif tag in _BOLD or tag in _ITALIC or (tag == "code" and not self.pre):
            start = self.marks.pop() if self.marks else None
            if start is None or start >= len(self.line):
                return
            if not "".join(self.line[start + 1 :]).strip():
                del self.line[start:]  # nothing inside: no marks
            else:
                self._close_mark(start, _MARKS[tag])
        elif tag in ("ul", "ol"):
            self._end_paragraph()
            if self.lists:
                self.lists.pop()
        elif tag == "li":
            self._end_paragraph()
        elif tag == "a":
            href = self.links.pop() if self.links else None
            if href and not href.startswith(("#", "@@PLUGINFILE@@")):
                self._text(f" ({escape_markdown(href)})")

    def _close_mark(self, start: int, mark: str) -> None:
        # Markdown's emphasis must touch its text: spaces inside move outside the marks.
        inner = "".join(self.line[start + 1 :])
        stripped = inner.strip(" ")
        lead, trail = inner[: len(inner) - len(inner.lstrip(" "))], inner[len(inner.rstrip(" ")) :]
        del self.line[start:]
        self.line.append(f"{lead}{mark}{stripped}{mark}{trail}")

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.pre:
            self._text(escape_markdown(data))
        else:
            self._text(escape_markdown(_SPACES.sub(" ", data.replace("\xa0", " "))))


def html_to_markdown(text: str) -> Converted:
    """HTML as the bank's Markdown, with the images and other things it could not carry."""
    parser = _ToMarkdown()
    parser.feed(text)
    parser.close()
    parser._end_paragraph()
    result = parser.result
    result.markdown = "\n\n".join(parser.blocks).strip()
    return result


@cache
def _markdown(xhtml: bool):
    from markdown_it import MarkdownIt

    # The subset `assess.templating` shows participants (a test keeps the two the same); the rules may
    # not import template code, hence a second parser.
    options = {"xhtmlOut": True} if xhtml else {}
    return MarkdownIt("zero", options).enable(["emphasis", "backticks", "escape", "newline", "list"])


def markdown_to_html(text: str, *, xhtml: bool = False) -> str:
    """The bank's Markdown as the HTML participants see (XHTML for QTI when asked)."""
    return _markdown(xhtml).render(text.strip())


# A hard line break: the bank writes a backslash before the newline (an even run of backslashes before
# it is text); Moodle's PHP Markdown knows only two spaces before it.
_BACKSLASH_BREAK = re.compile(r"(?<!\\)((?:\\\\)*)\\\n")
_SPACES_BREAK = re.compile(r"(?<=\S) {2,}\n")


def moodle_markdown(text: str) -> str:
    """The bank's Markdown as Moodle's Markdown: a hard line break written with two spaces."""
    return _BACKSLASH_BREAK.sub(lambda m: m.group(1) + "  \n", text)


def from_moodle_markdown(text: str) -> str:
    """Moodle's Markdown as the bank's: two spaces before a newline become the bank's line break."""
    return _SPACES_BREAK.sub("\\\n", text)


def markdown_to_inline_html(text: str, *, xhtml: bool = False) -> str:
    """An option's Markdown as inline HTML (no paragraph around it)."""
    return _markdown(xhtml).renderInline(text.strip())


def plain_text(markup: str) -> str:
    """The text of HTML, entities decoded and white space collapsed (for answers and names)."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", markup)).split())
