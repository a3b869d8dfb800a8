"""IMS QTI 2.1 in: a content package (zip with `imsmanifest.xml`) or a single `assessmentItem` file.

Interactions with a counterpart become items: choice (single choice, multiple response, weighted
options by their mapping, true/false), order, match, text entry (short answer; numeric by its base
type and tolerance), extended text (essay). Others (hotspot, gap match, inline choice, items with
several interactions) are reported. Text is XHTML, brought to the bank's Markdown.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import Element, tostring

from assess.bank.formats import answers
from assess.bank.formats.common import Draft, made_rubric
from assess.bank.formats.markup import html_to_markdown
from assess.bank.formats.moodle_read import _rubric
from assess.bank.formats.source import check_zip, local_name, parse_xml
from assess.problems import Problem, ProblemsFound

INTERACTIONS = {
    "choiceInteraction", "orderInteraction", "matchInteraction", "textEntryInteraction",
    "extendedTextInteraction", "associateInteraction", "gapMatchInteraction", "inlineChoiceInteraction",
    "hotspotInteraction", "hottextInteraction", "sliderInteraction", "uploadInteraction",
    "drawingInteraction",
    "graphicOrderInteraction", "graphicAssociateInteraction", "graphicGapMatchInteraction",
    "selectPointInteraction", "positionObjectInteraction", "mediaInteraction", "customInteraction",
}  # fmt: skip
TRUE_FALSE_IDS = {"true", "false"}


def looks_like(data: bytes) -> bool:
    head = data[:65536]
    return re.search(rb"<(\w+:)?assessmentItem[\s>]", head) is not None


def bank_id(identifier: str) -> str:
    """A QTI identifier as a bank id: the `_` put before one that starts with a digit taken away."""
    return identifier[1:] if identifier.startswith("_") and identifier[1:2].isalnum() else identifier


def _strip_namespaces(root: Element) -> Element:
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = local_name(element.tag)
        for name in [n for n in element.attrib if n.startswith("{")]:
            element.attrib[local_name(name)] = element.attrib.pop(name)
    return root


def _member(package: zipfile.ZipFile, name: str, file: str) -> bytes:
    try:
        return package.read(name)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:  # a damaged member
        raise ProblemsFound(
            [Problem("IMPORT-NOT-ZIP", {"kind": "QTI", "reason": str(e)}, f"{file}!{name}")]
        ) from None


def read_package(path: Path, file: str) -> list[Draft]:
    check_zip(path, "QTI")
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        if "imsmanifest.xml" not in names:
            raise ProblemsFound([Problem("IMPORT-QTI-NO-MANIFEST", {}, file)])
        manifest = _strip_namespaces(
            parse_xml(_member(package, "imsmanifest.xml", file), f"{file}!imsmanifest.xml")
        )
        drafts: list[Draft] = []
        read: set[str] = set()  # each item file once, however often the manifest names it
        for resource in manifest.iter("resource"):
            if not resource.get("type", "").startswith("imsqti_item"):
                continue
            href = resource.get("href") or next((f.get("href") for f in resource.iter("file")), None)
            keywords = [s.text.strip() for k in resource.iter("keyword") for s in k.iter("string") if s.text]
            draft = Draft(len(drafts) + 1, None, tags=keywords)
            draft.field = href
            if href not in names:
                drafts.append(draft.refuse("IMPORT-QTI-MISSING", href=href or "-"))
                continue
            if href in read:
                drafts.append(draft.refuse("IMPORT-QTI-REPEATED", href=href))
                continue
            read.add(href)
            root = _strip_namespaces(parse_xml(_member(package, href, file), f"{file}!{href}"))
            drafts.append(read_item(root, draft))
    return drafts


def read_file(data: bytes, file: str) -> list[Draft]:
    root = _strip_namespaces(parse_xml(data, file))
    if root.tag != "assessmentItem":
        raise ProblemsFound([Problem("IMPORT-QTI-NOT-ITEM", {"found": root.tag}, file, 1)])
    return [read_item(root, Draft(1, None))]


def _markdown(elements: list[Element], draft: Draft, where: str) -> str:
    html = "".join(tostring(e, encoding="unicode", method="html") for e in elements)
    converted = html_to_markdown(html)
    for image in converted.images:
        draft.note("IMPORT-IMAGE", name=image, where=where)
        draft.draft_only = True
    return converted.markdown


def _inner(element: Element, draft: Draft, where: str) -> str:
    """The Markdown of an element's content (a choice's text)."""
    wrapper = Element("span")
    wrapper.text = element.text
    wrapper.extend(list(element))
    return _markdown([wrapper], draft, where)


def read_item(root: Element, draft: Draft) -> Draft:
    draft.given_id = bank_id(root.get("identifier", "")) or None
    body = root.find("itemBody")
    if body is None:
        return draft.refuse("IMPORT-NO-STEM")
    interactions = [e for e in body.iter() if e.tag in INTERACTIONS]
    if len(interactions) != 1:
        kind = "+".join(e.tag for e in interactions) or "none"
        return draft.refuse("IMPORT-TYPE-UNSUPPORTED", type=kind)
    interaction = interactions[0]
    rubrics = {r.get("view", ""): r for r in body.iter("rubricBlock")}
    for parent in body.iter():
        for child in list(parent):
            if child is interaction or child.tag == "rubricBlock":
                parent.remove(child)
    prompt = interaction.find("prompt")
    stem_parts = list(body) + ([prompt] if prompt is not None else [])
    if body.text and body.text.strip():
        wrapper = Element("p")
        wrapper.text = body.text
        stem_parts.insert(0, wrapper)
    draft.fields["stem"] = _markdown(stem_parts, draft, "itemBody")
    tutor = rubrics.get("tutor")
    if tutor is not None:
        draft.fields["explanation"] = _markdown(list(tutor), draft, "rubricBlock")
    if not draft.fields["stem"]:
        return draft.refuse("IMPORT-NO-STEM")
    declarations = {d.get("identifier"): d for d in root.iter("responseDeclaration")}
    response = declarations.get(interaction.get("responseIdentifier"))
    reader = _READERS.get(interaction.tag)
    if reader is None or response is None:
        return draft.refuse("IMPORT-TYPE-UNSUPPORTED", type=interaction.tag)
    reader(interaction, response, root, draft, rubrics)
    points = _max_score(root)
    if draft.skip is None and points is not None and points != 1 and draft.fields.get("type") not in (
        "weighted_options", "essay"):  # fmt: skip
        draft.fields["points"] = points
    return draft


def _number(text: str | None) -> float | None:
    try:
        return float((text or "").strip())
    except ValueError:
        return None


def _max_score(root: Element) -> float | None:
    for outcome in root.iter("outcomeDeclaration"):
        if outcome.get("identifier") == "MAXSCORE":
            value = outcome.find("defaultValue/value")
            return _number(value.text if value is not None else None)
    return None


def _correct(response: Element) -> list[str]:
    return [(v.text or "").strip() for v in response.iterfind("correctResponse/value")]


def _mapping(response: Element) -> dict[str, float]:
    return {
        e.get("mapKey", ""): _number(e.get("mappedValue")) or 0.0
        for e in response.iterfind("mapping/mapEntry")
    }


def _choice(interaction, response, root, draft: Draft, rubrics) -> None:
    choices = list(interaction.iter("simpleChoice"))
    ids = [c.get("identifier", "") for c in choices]
    correct = _correct(response)
    if set(ids) == TRUE_FALSE_IDS and response.get("cardinality") == "single" and len(correct) == 1:
        draft.fields.update(type="true_false", key=correct[0] == "true")
        return
    options = [
        {"id": bank_id(i), "text": _inner(c, draft, "simpleChoice")}
        for i, c in zip(ids, choices, strict=True)
    ]
    mapping = _mapping(response)
    if response.get("cardinality") == "single":
        if sum(1 for v in mapping.values() if v > 0) > 1:
            draft.fields.update(
                type="weighted_options",
                options=[
                    {**o, "points": max(mapping.get(i, 0.0), 0.0)} for o, i in zip(options, ids, strict=True)
                ],
            )  # noqa: E501
            return
        answers.choices(draft, options, [float(i in correct[:1]) for i in ids], single=True)
        return
    top = max(sum(v for v in mapping.values() if v > 0), 1e-12) if mapping else 1.0
    fractions = [mapping[i] / top if mapping else float(i in correct) for i in ids]
    if mapping and set(correct) != {i for i in ids if mapping.get(i, 0) > 0}:
        fractions = [float(i in correct) for i in ids]
    answers.choices(draft, options, fractions, single=False)


def _order(interaction, response, root, draft: Draft, rubrics) -> None:
    choices = list(interaction.iter("simpleChoice"))
    options = [
        {"id": bank_id(c.get("identifier", "")), "text": _inner(c, draft, "simpleChoice")} for c in choices
    ]
    draft.fields.update(type="ordering", options=options, key=[bank_id(v) for v in _correct(response)])


def _match(interaction, response, root, draft: Draft, rubrics) -> None:
    sets = list(interaction.iter("simpleMatchSet"))
    if len(sets) != 2:
        draft.refuse("IMPORT-TYPE-UNSUPPORTED", type="matchInteraction")
        return

    def listed(match_set):
        return [{"id": bank_id(c.get("identifier", "")), "text": _inner(c, draft, "simpleAssociableChoice")}
                for c in match_set.iter("simpleAssociableChoice")]  # fmt: skip

    prompts, choices = listed(sets[0]), listed(sets[1])
    key = {}
    for pair in _correct(response):
        source, _space, target = pair.partition(" ")
        key[bank_id(source)] = bank_id(target.strip())
    draft.fields.update(type="matching", prompts=prompts, choices=choices, key=key)


def _text_entry(interaction, response, root, draft: Draft, rubrics) -> None:
    if response.get("baseType") in ("float", "integer"):
        _numeric(response, root, draft)
        return
    mapping = response.findall("mapping/mapEntry")
    if mapping:
        top = _max_score(root) or max((_number(e.get("mappedValue")) or 0.0) for e in mapping) or 1.0
        given = [(e.get("mapKey", ""), (_number(e.get("mappedValue")) or 0.0) / top) for e in mapping]
        sensitive = any(e.get("caseSensitive") == "true" for e in mapping)
    else:
        given, sensitive = [(v, 1.0) for v in _correct(response)], False
    answers.short_answer(draft, [(t.replace("*", "\\*"), c) for t, c in given], sensitive)


def _numeric(response, root, draft: Draft) -> None:
    correct = _correct(response)
    value = _number(correct[0]) if correct else None
    if value is None:
        draft.refuse("IMPORT-NO-KEY")
        return
    top = _max_score(root) or 1.0
    given = []
    for branch in [*root.iter("responseIf"), *root.iter("responseElseIf")]:
        equal = branch.find("equal")
        score = branch.find("setOutcomeValue/baseValue")
        if equal is None or score is None:
            continue
        tolerance = _number(((equal.get("tolerance") or "").split() or ["0"])[0]) or 0.0
        if equal.get("toleranceMode", "exact") == "exact":
            tolerance = 0.0
        elif equal.get("toleranceMode") == "relative":
            tolerance = abs(value) * tolerance / 100
        given.append(((_number(score.text) or 0.0) / top, value, tolerance))
    answers.numeric(draft, given or [(1.0, value, 0.0)])


def _extended(interaction, response, root, draft: Draft, rubrics) -> None:
    scorer = rubrics.get("scorer")
    text = _markdown(list(scorer), draft, "rubricBlock") if scorer is not None else ""
    levels, model = _rubric(re.sub(r"\\([\\`*_\[\]])", r"\1", text))
    if not levels:
        levels = made_rubric(_max_score(root) or 1.0)
        draft.note("IMPORT-RUBRIC-MADE")
    draft.fields.update(type="essay", rubric=levels)
    if model:
        draft.fields["model_answer"] = model


_READERS = {
    "choiceInteraction": _choice,
    "orderInteraction": _order,
    "matchInteraction": _match,
    "textEntryInteraction": _text_entry,
    "extendedTextInteraction": _extended,
}
