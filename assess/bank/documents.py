"""The kinds of file: a bank of items, a competency framework, a sources registry, and the positions
an organisation has with the competency levels each requires.

Every file says what it is with a top-level `kind`; `Document` is the union
on that field.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from assess.bank.checks import Collector, check_unique_ids, duplicates
from assess.bank.model import Id, Item, LanguageCode, Model, Text

# The framework a bank uses when it names none: the one that ships.
DEFAULT_FRAMEWORK = "kompetensi-asn"


class Bank(Model):
    kind: Literal["bank"]
    id: Id
    title: Text
    language: LanguageCode = "id"
    version: Text = "1"
    description: Text | None = None
    authors: list[Text] = []
    licence: Text | None = None
    framework: Id = DEFAULT_FRAMEWORK
    items: list[Item] = []


class LevelDescriptor(Model):
    level: Annotated[int, Field(ge=1, le=5)]
    descriptor: Text
    # quoted: the standard's own words; paraphrase: the project's summary.
    basis: Literal["quoted", "paraphrase"]
    source: Id | None = None  # a sources-registry id; required for a quotation


class CompetencyTranslation(Model):
    name: Text | None = None
    description: Text | None = None
    levels: dict[Annotated[int, Field(ge=1, le=5)], Text] = {}


class Competency(Model):
    id: Id
    name: Text
    group: Text  # e.g. manajerial, teknis, sosial kultural
    description: Text | None = None
    levels: list[LevelDescriptor] = []
    translations: dict[LanguageCode, CompetencyTranslation] = {}

    @model_validator(mode="after")
    def _levels(self) -> Self:
        found = Collector()
        numbers = [lv.level for lv in self.levels]
        for i in duplicates(numbers):
            found.add("FRAMEWORK-LEVEL-DUPLICATE", ("levels", i, "level"), "level twice", level=numbers[i])
        for i, lv in enumerate(self.levels):
            if lv.basis == "quoted" and lv.source is None:
                found.add("FRAMEWORK-QUOTE-UNSOURCED", ("levels", i, "source"), "quote needs source")
        found.raise_if_any()
        return self


class Framework(Model):
    kind: Literal["framework"]
    id: Id
    title: Text
    language: LanguageCode = "id"
    version: Text = "1"
    description: Text | None = None
    competencies: Annotated[list[Competency], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique(self) -> Self:
        found = Collector()
        check_unique_ids(found, self.competencies, "competencies", "FRAMEWORK-DUPLICATE-ID")
        found.raise_if_any()
        return self


class Source(Model):
    """A law, article, book or standard that makes an item's key true."""

    id: Id
    kind: Literal["law", "book", "article", "standard", "web", "other"]
    citation: Text  # e.g. "UU 23/2014 tentang Pemerintahan Daerah"
    article: Text | None = None  # e.g. "Pasal 229 ayat (2)"
    quote: Text | None = None  # the wording, verbatim
    summary: Text | None = None
    mark: Literal["V", "P"]  # V: wording read in the text; P: secondary or partial source
    confirmed: Text  # how and where it was confirmed
    url: Text | None = None

    @model_validator(mode="after")
    def _says_something(self) -> Self:
        found = Collector()
        if self.quote is None and self.summary is None:
            found.add("SOURCES-NO-CONTENT", (), "quote or summary needed")
        found.raise_if_any()
        return self


class SourcesRegistry(Model):
    kind: Literal["sources"]
    id: Id
    title: Text
    sources: list[Source] = []

    @model_validator(mode="after")
    def _unique(self) -> Self:
        found = Collector()
        check_unique_ids(found, self.sources, "sources", "SOURCES-DUPLICATE-ID")
        found.raise_if_any()
        return self


# Position types of the ASN (UU 5/2014 Pasal 131; PP 11/2017): a JPT, an administration position
# (administrator, pengawas, pelaksana) or a functional one.
POSITION_TYPES = (
    "jpt-utama",
    "jpt-madya",
    "jpt-pratama",
    "administrator",
    "pengawas",
    "pelaksana",
    "fungsional",
)
Level = Annotated[int, Field(ge=1, le=5)]


class Position(Model):
    """A position (jabatan) and the level it requires of each competency of the file's framework."""

    id: Id
    name: Text
    type: Literal[
        "jpt-utama", "jpt-madya", "jpt-pratama", "administrator", "pengawas", "pelaksana", "fungsional"
    ]
    aliases: list[Text] = []  # other names lists give it ("Kepala Kelurahan")
    requires: dict[Id, Level]  # competency id -> required level
    sources: list[Id] = []  # sources-registry ids that set the type or the levels
    note: Text | None = None


class Positions(Model):
    kind: Literal["positions"]
    id: Id
    title: Text
    framework: Id = DEFAULT_FRAMEWORK
    # An example to be edited (levels not confirmed in the regulation): every HR page that uses it says so.
    example: bool = False
    description: Text | None = None
    positions: Annotated[list[Position], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique(self) -> Self:
        found = Collector()
        check_unique_ids(found, self.positions, "positions", "POSITIONS-DUPLICATE-ID")
        found.raise_if_any()
        return self


Document = Annotated[Bank | Framework | SourcesRegistry | Positions, Field(discriminator="kind")]
KINDS = ("bank", "framework", "sources", "positions")
