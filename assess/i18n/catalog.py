"""Maintain the message catalogue (a developer's tool: `make messages`).

    python -m assess.i18n.catalog update   # extract msgids, merge into both .po, fill en, compile .mo
    python -m assess.i18n.catalog check    # exit 1 when a message is missing, empty or untranslated

English msgids are their own English translation, so `update` fills the en
catalogue; Indonesian translations are written by hand in id.po.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from assess.i18n import DOMAIN, LANGUAGES
from assess.resources import data_path, locale_dir

PACKAGE = Path(__file__).resolve().parent.parent  # the assess package
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "Nn_": (1, 2)}
# Messages that read the same in both languages (codes, symbols, proper names).
SAME_IN_BOTH = {
    "{n} item",
    "Options",
    "Status",
    "%(prog)s, version %(version)s",
    "default: {default}",
    "env var: {var}",
    "Points: {points}",
    "Error: {message}",
    "Invalid value: {message}",
    "Median",
    "t({df}) = {t}, p {p}",
    "V = {v}, p {p} ({method})",
    "level {level}",
}


def extract() -> Catalog:
    """Every message of the code and of the templates."""
    template = Catalog(domain=DOMAIN, project="assess")
    sources = [
        (PACKAGE, [("**.py", "python")], {}),
        (
            data_path("templates"),
            [("**.html", "jinja2.ext:babel_extract")],
            {"**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True", "lstrip_blocks": "True"}},
        ),
    ]
    for folder, method_map, options_map in sources:
        for filename, lineno, message, comments, context in extract_from_dir(
            folder,
            method_map=method_map,
            options_map=options_map,
            keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",),
        ):
            template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def po_path(lang: str) -> Path:
    return locale_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN, project="assess")
    with path.open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def compiled(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog)
    return buf.getvalue()


def update() -> None:
    template = extract()
    for lang in LANGUAGES:
        catalog = read(lang)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if lang == "en":
            # English msgids are the English text: the en catalogue mirrors them.
            for message in catalog:
                if message.id:
                    message.string = message.id
                    message.flags.discard("fuzzy")
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, catalog, width=100, omit_header=False, sort_output=False)
        path.with_suffix(".mo").write_bytes(compiled(catalog))


def _translated(string: object) -> bool:
    if isinstance(string, tuple | list):
        return all(s.strip() for s in string)
    return bool(string and str(string).strip())


def problems() -> list[str]:
    """Every way the catalogues fall short; empty when they are complete."""
    found = []
    wanted = {m.id for m in extract() if m.id}
    catalogs = {lang: read(lang) for lang in LANGUAGES}
    for lang, catalog in catalogs.items():
        have = {m.id: m for m in catalog if m.id}
        for mid in sorted(wanted, key=str):
            if mid not in have:
                found.append(f"{lang}: missing {mid!r}")
            elif not _translated(have[mid].string):
                found.append(f"{lang}: empty {mid!r}")
            elif have[mid].fuzzy:
                found.append(f"{lang}: fuzzy {mid!r}")
        mo = po_path(lang).with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compiled(catalog):
            found.append(f"{lang}: {mo.name} is not compiled from {po_path(lang).name} (make messages)")
    en = {m.id: m.string for m in catalogs["en"] if m.id}
    for m in catalogs["id"]:
        key = m.id if isinstance(m.id, str) else m.id[0]
        if m.id and m.string == en.get(m.id) and key not in SAME_IN_BOTH:
            found.append(f"id: same as English {m.id!r}")
    return found


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    left = problems()
    for line in left:
        print(line)
    sys.exit(1 if left else 0)
