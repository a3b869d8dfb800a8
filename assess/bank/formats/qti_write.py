"""IMS QTI 2.1 out: a content package (a zip with `imsmanifest.xml` and one `assessmentItem` per item).

Every item is valid against the QTI 2.1 XSD (the tests check each). Choices, true/false, ordering
and matching use the standard response-processing templates where they fit (`match_correct`,
`map_response`); numbers use a condition with the tolerance. The explanation is a `rubricBlock`
for tutors, an essay's rubric and model answer one for scorers. Metadata (competencies, difficulty,
topic, tags) are LOM keywords of the item's resource in the manifest.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from assess.bank.documents import Bank
from assess.bank.formats.common import multiple_response_fractions, write_tags
from assess.bank.formats.markup import markdown_to_html, markdown_to_inline_html
from assess.bank.formats.moodle_write import absolute_tolerances, rubric_text, writable
from assess.bank.model import ItemBase, Option
from assess.i18n import N_
from assess.problems import Phrase, Problem

QTI_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
TEMPLATES = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/"
TRUE_FALSE_IDS = ("true", "false")


def identifier(item_or_option_id: str) -> str:
    """A bank id as a QTI identifier (an XML name): one that starts with a digit gets a `_` in front."""
    return item_or_option_id if item_or_option_id[:1].isalpha() else "_" + item_or_option_id


def _block(markdown: str) -> str:
    return markdown_to_html(markdown, xhtml=True).strip()


def _inline(markdown: str) -> str:
    """An option as the question page shows it: inline, its lines joined."""
    return markdown_to_inline_html(" ".join(markdown.split()), xhtml=True)


def _text(text: str) -> str:
    """Element text that reads back as `text` (a carriage return as a reference: XML drops it)."""
    return escape(text).replace("\r", "&#13;")


def _value(text: str) -> str:
    return f"<value>{_text(text)}</value>"


def _outcomes(item: ItemBase) -> list[str]:
    return [
        '<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float">'
        "<defaultValue><value>0</value></defaultValue></outcomeDeclaration>",
        '<outcomeDeclaration identifier="MAXSCORE" cardinality="single" baseType="float">'
        f"<defaultValue><value>{item.max_points!r}</value></defaultValue></outcomeDeclaration>",
    ]


def _simple_choices(options) -> str:
    return "".join(
        f"<simpleChoice identifier={quoteattr(identifier(o.id))}>{_inline(o.text)}</simpleChoice>"
        for o in options
    )


def _choices(options, shuffle: bool = True, max_choices: int = 1) -> str:
    body = _simple_choices(options)
    flag = "true" if shuffle else "false"
    return f'<choiceInteraction responseIdentifier="RESPONSE" shuffle="{flag}" maxChoices="{max_choices}">{body}</choiceInteraction>'  # noqa: E501


def _mapping(entries: list[tuple[str, float]], upper: float, lower: float = 0.0) -> str:
    inner = "".join(f"<mapEntry mapKey={quoteattr(k)} mappedValue={quoteattr(repr(v))}/>" for k, v in entries)
    return f'<mapping lowerBound="{lower!r}" upperBound="{upper!r}" defaultValue="0">{inner}</mapping>'


def _template(name: str) -> str:
    return f'<responseProcessing template="{TEMPLATES}{name}"/>'


def _response(cardinality: str, base: str, correct: list[str], mapping: str = "") -> str:
    values = "".join(_value(v) for v in correct)
    return (f'<responseDeclaration identifier="RESPONSE" cardinality="{cardinality}" baseType="{base}">'
            f"<correctResponse>{values}</correctResponse>{mapping}</responseDeclaration>")  # fmt: skip


def _body(item: ItemBase, language: str, lost) -> tuple[str, str, str]:
    """(responseDeclaration, the interaction and anything after the stem, responseProcessing)."""
    top = item.max_points
    kind = item.type
    if kind == "single_choice":
        return (_response("single", "identifier", [identifier(item.key)]), _choices(item.options),
                _template("match_correct"))  # fmt: skip
    if kind == "true_false":
        words = ("True", "False") if language == "en" else ("Benar", "Salah")
        options = [Option(id=i, text=t) for i, t in zip(TRUE_FALSE_IDS, words, strict=True)]
        truth = TRUE_FALSE_IDS[0] if item.key else TRUE_FALSE_IDS[1]
        return (
            _response("single", "identifier", [truth]),
            _choices(options, shuffle=False),
            _template("match_correct"),
        )
    if kind == "multiple_response":
        key = set(item.key)
        right, wrong = multiple_response_fractions(len(key), len(item.options) - len(key))
        entries = [(identifier(o.id), (right if o.id in key else wrong) * top) for o in item.options]
        declaration = _response(
            "multiple", "identifier", [identifier(k) for k in item.key], _mapping(entries, top)
        )
        return declaration, _choices(item.options, max_choices=0), _template("map_response")
    if kind == "weighted_options":
        entries = [(identifier(o.id), o.points) for o in item.options]
        best = next(o.id for o in item.options if o.points == top)
        declaration = _response("single", "identifier", [identifier(best)], _mapping(entries, top))
        return declaration, _choices(item.options), _template("map_response")
    if kind == "ordering":
        body = _simple_choices(item.options)
        interaction = (
            f'<orderInteraction responseIdentifier="RESPONSE" shuffle="true">{body}</orderInteraction>'
        )
        declaration = _response("ordered", "identifier", [identifier(k) for k in item.key])
        return declaration, interaction, _template("match_correct")
    if kind == "matching":
        return _matching(item, top)
    if kind == "short_answer":
        return _short(item, top, lost)
    if kind == "numeric":
        return _numeric(item, top, lost)
    return _essay(item, lost)


def _matching(item, top: float) -> tuple[str, str, str]:
    pairs = [f"{identifier(p)} {identifier(c)}" for p, c in item.key.items()]
    entries = [(pair, top / len(pairs)) for pair in pairs]
    declaration = _response("multiple", "directedPair", pairs, _mapping(entries, top))
    prompts = "".join(f'<simpleAssociableChoice identifier={quoteattr(identifier(p.id))} matchMax="1">'
                      f"{_inline(p.text)}</simpleAssociableChoice>" for p in item.prompts)  # fmt: skip
    choices = "".join(f'<simpleAssociableChoice identifier={quoteattr(identifier(c.id))} matchMax="0">'
                      f"{_inline(c.text)}</simpleAssociableChoice>" for c in item.choices)  # fmt: skip
    opening = (
        f'<matchInteraction responseIdentifier="RESPONSE" shuffle="true" maxAssociations="{len(pairs)}">'
    )
    interaction = (
        f"{opening}<simpleMatchSet>{prompts}</simpleMatchSet><simpleMatchSet>{choices}</simpleMatchSet>"
    )
    interaction += "</matchInteraction>"
    return declaration, interaction, _template("map_response")


def _short(item, top: float, lost) -> tuple[str, str, str]:
    if not item.normalize_whitespace or item.unicode_form != "NFKC":
        lost(N_("white space and Unicode normalisation"))
    texts = [(a.text, a.credit) for a in item.accepted if a.text is not None]
    if len(texts) < len(item.accepted):
        lost(N_("a regular expression answer"))
    sensitive = "true" if item.case_sensitive else "false"
    entries = "".join(f"<mapEntry mapKey={quoteattr(t)} mappedValue={quoteattr(repr(c * top))} "
                      f'caseSensitive="{sensitive}"/>' for t, c in texts)  # fmt: skip
    mapping = (
        f'<mapping lowerBound="0.0" upperBound="{top!r}" defaultValue="0">{entries}</mapping>'
        if texts
        else ""
    )
    declaration = _response(
        "single", "string", [t for t, c in texts if c == 1][:1] or [t for t, _c in texts][:1], mapping
    )
    interaction = '<p><textEntryInteraction responseIdentifier="RESPONSE" expectedLength="30"/></p>'
    return declaration, interaction, _template("map_response")


def _numeric(item, top: float, lost) -> tuple[str, str, str]:
    if item.unit:
        lost(N_("the unit"))
    declaration = _response("single", "float", [repr(item.value)])
    interaction = '<p><textEntryInteraction responseIdentifier="RESPONSE" expectedLength="15"/></p>'
    branches = []
    for n, (credit, tolerance) in enumerate(absolute_tolerances(item, lost)):
        tag = "responseIf" if n == 0 else "responseElseIf"
        branches.append(
            f'<{tag}><equal toleranceMode="absolute" tolerance="{tolerance!r} {tolerance!r}">'
            '<variable identifier="RESPONSE"/><correct identifier="RESPONSE"/></equal>'
            f'<setOutcomeValue identifier="SCORE"><baseValue baseType="float">{credit * top!r}</baseValue>'
            f"</setOutcomeValue></{tag}>"
        )
    processing = (
        f"<responseProcessing><responseCondition>{''.join(branches)}</responseCondition></responseProcessing>"
    )
    return declaration, interaction, processing


def _essay(item, lost) -> tuple[str, str, str]:
    if item.min_words or item.max_words:
        lost(N_("word limits"))
    declaration = '<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="string"/>'
    interaction = '<extendedTextInteraction responseIdentifier="RESPONSE" expectedLines="15"/>'
    scorer = f'<rubricBlock view="scorer">{_block(rubric_text(item))}</rubricBlock>'
    return declaration, scorer + interaction, ""


def item_xml(item: ItemBase, language: str, lost) -> str:
    declaration, interaction, processing = _body(item, language, lost)
    if any(getattr(o, "feedback", None) for o in getattr(item, "options", [])):
        lost(N_("feedback per option"))
    if item.translations:
        lost(N_("translations"))
    if item.lint_ignore:
        lost(N_("lint_ignore"))
    explanation = (
        f'<rubricBlock view="tutor">{_block(item.explanation)}</rubricBlock>' if item.explanation else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<assessmentItem xmlns="{QTI_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{QTI_NS} {QTI_XSD}" identifier={quoteattr(identifier(item.id))} '
        f'title={quoteattr(item.id)} adaptive="false" timeDependent="false" xml:lang="{language}">\n'
        f"{declaration}\n{''.join(_outcomes(item))}\n"
        f"<itemBody>{explanation}<div>{_block(item.stem)}</div>{interaction}</itemBody>\n"
        f"{processing}\n</assessmentItem>\n"
    )


def _manifest(entries: list[tuple[str, str, list[str]]], bank_id: str) -> str:
    resources = []
    for ident, href, keywords in entries:
        words = "".join(
            f"<imsmd:keyword><imsmd:string>{_text(k)}</imsmd:string></imsmd:keyword>" for k in keywords
        )
        where = quoteattr(href)
        resources.append(
            f'<resource identifier={quoteattr("ITEM-" + ident)} type="imsqti_item_xmlv2p1" href={where}>'
            f"<metadata><imsmd:lom><imsmd:general><imsmd:identifier><imsmd:entry>{_text(ident)}</imsmd:entry>"
            f"</imsmd:identifier>{words}</imsmd:general></imsmd:lom></metadata>"
            f"<file href={where}/></resource>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
        'xmlns:imsmd="http://ltsc.ieee.org/xsd/LOM" '
        f"identifier={quoteattr('MANIFEST-' + bank_id)}>\n"
        "<metadata><schema>QTIv2.1 Package</schema><schemaversion>1.0.0</schemaversion></metadata>\n"
        f"<organizations/>\n<resources>\n{chr(10).join(resources)}\n</resources>\n</manifest>\n"
    )


def write(banks: Sequence[Bank], file: str) -> tuple[bytes, list[Problem]]:
    """The content package of every item of `banks` (zip bytes) and what QTI could not hold."""
    notes: list[Problem] = []
    entries = []
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for bank in banks:
            for item in writable([bank], "QTI 2.1", file, notes, wildcards=False):

                def lost(what: str, item: ItemBase = item) -> None:
                    params = {"what": Phrase(what), "format": "QTI 2.1"}
                    notes.append(Problem("EXPORT-NOT-CARRIED", params, file, item=item.id))

                href = f"items/{item.id}.xml"
                package.writestr(href, item_xml(item, bank.language, lost))
                keywords = write_tags(item, points=False, topic=True)
                entries.append((item.id, href, keywords))
        package.writestr("imsmanifest.xml", _manifest(entries, banks[0].id if banks else "bank"))
    return out.getvalue(), notes
