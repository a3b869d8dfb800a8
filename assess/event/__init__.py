"""The event model read from `assessment.yaml`: phases, blueprints, policies (pure: no I/O).

Later parts of the engine extend it with the fields they need.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from assess.bank.checks import Collector, duplicates
from assess.bank.model import Difficulty, Id, ItemType, Model, StrictBool, Text
from assess.event.policy import Grading, ReviewPolicy, ScoringPolicy


def _time_zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError("time_zone", "unknown time zone {name!r}", {"name": name}) from None
    return name


TimeZone = Annotated[str, AfterValidator(_time_zone)]
# Dates are written as text (2019-10-30): the loader keeps YAML dates as text.
Date = Annotated[dt.date, Field(strict=False)]


class EventInfo(Model):
    id: Id
    title: Text
    dates: Annotated[list[Date], Field(min_length=1)]
    place: Text | None = None
    time_zone: TimeZone = "Asia/Jakarta"
    organiser: Text | None = None
    # Learning hours (jam pelajaran): HR counts them per person and year against the 20 JP of
    # PP 11/2017 Pasal 203 ayat (4).
    jp: Annotated[float, Field(ge=0, le=1000)] | None = None


class Cell(Model):
    """How many items to draw for one competency (an item's first), difficulty and types."""

    competency: Id
    difficulty: Difficulty | None = None  # None: any difficulty
    count: Annotated[int, Field(ge=1)]
    # None: the blueprint's types. Set, it replaces them for this cell, so that an essay cell
    # can sit beside cells that draw no essays.
    types: Annotated[list[ItemType], Field(min_length=1)] | None = None


class Blueprint(Model):
    cells: Annotated[list[Cell], Field(min_length=1)]
    types: list[ItemType] | None = None  # None: every type
    banks: list[Id] | None = None  # bank ids; None: every bank of the event
    shuffle_items: StrictBool = True
    shuffle_options: StrictBool = True
    variants: Annotated[int, Field(ge=1, le=26)] = 1  # paper variants A, B, ...

    @property
    def count(self) -> int:
        return sum(c.count for c in self.cells)


class Phase(Model):
    """One test of the event (pre, post, ...).

    Its items come from its own `blueprint`, from another phase's items
    (`same_items: pre`), or from a parallel form of another phase
    (`parallel_to: pre`): the same cells, disjoint items, except `anchors`
    items shared with that phase.
    """

    id: Id
    title: Text | None = None
    blueprint: Blueprint | None = None
    same_items: Id | None = None
    parallel_to: Id | None = None
    anchors: Annotated[int, Field(ge=0)] = 0
    seed: Annotated[int, Field(ge=0)] | None = None
    time_limit_minutes: Annotated[int, Field(ge=1)] | None = None
    grace_seconds: Annotated[int, Field(ge=0)] = 60
    review: ReviewPolicy = ReviewPolicy()
    scoring: ScoringPolicy | None = None  # the event's policy unless set
    # What a result says beyond its score: nothing (a diagnostic pre-test), its band, or pass/fail.
    # None: `none` for the first phase, else `pass_fail` with a pass mark, `band` without.
    verdict: Literal["none", "band", "pass_fail"] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        found = Collector()
        given = [n for n in ("blueprint", "same_items", "parallel_to") if getattr(self, n) is not None]
        if len(given) != 1:
            found.add(
                "EVENT-PHASE-ITEMS", (), "blueprint, same_items or parallel_to", given=", ".join(given) or "-"
            )
        if self.anchors and self.parallel_to is None:
            found.add("EVENT-ANCHORS-WITHOUT-PARALLEL", ("anchors",), "anchors need parallel_to")
        found.raise_if_any()
        return self


class GoogleFormsImport(Model):
    """How `assess responses import --format google-forms` finds each row's participant.

    `match_by`: which participant field the export's rows are matched on:
    `email` (the default; the export's Email Address / Alamat email column),
    `nip` or `name`. `column`: the header of the column that holds it, when it
    is not one of the usual headers (Email Address / Alamat email / Email;
    NIP; Nama / Name / Nama lengkap / Full name), such as a question "NIP
    peserta" the form asked.
    """

    match_by: Literal["email", "nip", "name"] = "email"
    column: Text | None = None


class Imports(Model):
    """Settings of imports from outside the web app: `google_forms` (see GoogleFormsImport)."""

    google_forms: GoogleFormsImport = GoogleFormsImport()


class JoinLimits(Model):
    """How many join tries the web app takes per minute before it asks to wait.

    Per address: every phone behind one hotspot may share one address, so the
    default lets a whole class of 500 join in the same minute. Per code: a
    mistyped or guessed code is tried at most this often.
    """

    per_address_per_minute: Annotated[int, Field(ge=1)] = 600
    per_code_per_minute: Annotated[int, Field(ge=1)] = 10


class AnswerLimits(Model):
    """The longest text, in characters, that the web app takes as one answer of a type.

    A longer answer is refused with a message and never read (a number's field takes at most 64
    characters, whatever is set here). At most 100,000: a post is limited in size too.
    """

    short_answer: Annotated[int, Field(ge=1, le=100_000)] = 2_000
    essay: Annotated[int, Field(ge=1, le=100_000)] = 20_000


class HistoryLimits(Model):
    """How much of an attempt's answer history the store keeps (the latest answers are always kept).

    `versions_per_item`: the versions kept of one answer; beyond it the oldest go, but never the first.
    `bytes_per_attempt`: the stored size of all of an attempt's versions together; beyond it the
    attempt's oldest versions go, but never the first or the last of an answer.
    """

    versions_per_item: Annotated[int, Field(ge=2, le=10_000)] = 50
    bytes_per_attempt: Annotated[int, Field(ge=100_000, le=1_000_000_000)] = 2_000_000


class SaveLimits(Model):
    """How often one attempt's answers may be saved (autosaves and posted pages together): `per_second`
    on average, with bursts of `burst`. A save beyond it is asked to wait (HTTP 429, Retry-After)."""

    per_second: Annotated[float, Field(gt=0, le=1_000)] = 5.0
    burst: Annotated[int, Field(ge=1, le=10_000)] = 20


class Web(Model):
    """Settings of `assess serve`: `join_limits` (see JoinLimits); `connections_per_address`, the
    open connections one network address may hold (a hotspot that puts every phone behind one
    address needs 2 x participants); `trusted_proxy`, the address of a reverse proxy in front of
    the server, whose X-Forwarded-For header names the phone (no other sender's is believed);
    `answer_limits` (see AnswerLimits); `history` (see HistoryLimits); `save_limits` (see SaveLimits)."""

    join_limits: JoinLimits = JoinLimits()
    connections_per_address: Annotated[int, Field(ge=1)] = 16
    trusted_proxy: str | None = None
    answer_limits: AnswerLimits = AnswerLimits()
    history: HistoryLimits = HistoryLimits()
    save_limits: SaveLimits = SaveLimits()


class Reporting(Model):
    """What the reports claim. A competency's score, level and gain are reported for a phase only when
    at least `min_items_per_competency` items of its form carry the competency (every item whose
    `competencies` name it, as scoring counts them); `competencies`, when set, are the only ones the
    reports show (None: every competency the forms measure); `group_by` what the cohort report
    compares."""

    min_items_per_competency: Annotated[int, Field(ge=1)] = 4
    competencies: list[Id] | None = None
    # The cohort report compares participants by unit or by group; None: by group when units average
    # fewer than 3 participants (one lurah per kelurahan), else by unit.
    group_by: Literal["unit", "group"] | None = None


class Event(Model):
    """An event as `assessment.yaml` describes it.

    `imports` (optional) sets how imports read outside files, e.g.

        imports:
          google_forms: {match_by: nip, column: NIP peserta}

    By default a Google Forms export is matched by email address.
    """

    kind: Literal["assessment"] = "assessment"
    event: EventInfo
    banks: Annotated[list[Text], Field(min_length=1)]  # paths (from this file's folder) or shipped bank ids
    phases: Annotated[list[Phase], Field(min_length=1)]
    scoring: ScoringPolicy = ScoringPolicy()
    grading: Grading = Grading()
    imports: Imports = Imports()
    web: Web = Web()
    reporting: Reporting = Reporting()

    @model_validator(mode="after")
    def _phases(self) -> Self:
        found = Collector()
        ids = [p.id for p in self.phases]
        for i in duplicates(ids):
            found.add("EVENT-PHASE-DUPLICATE", ("phases", i, "id"), "phase id twice", id=ids[i])
        for i, phase in enumerate(self.phases):
            for name in ("same_items", "parallel_to"):
                ref = getattr(phase, name)
                if ref is not None and ref not in ids[:i]:
                    found.add("EVENT-PHASE-REFERENCE", ("phases", i, name), "earlier phase", id=ref)
        found.raise_if_any()
        return self

    def phase(self, phase_id: str) -> Phase:
        return next(p for p in self.phases if p.id == phase_id)

    def phase_title(self, phase_id: str) -> str:
        """The phase's title as written in assessment.yaml, or its id when it has none."""
        return self.phase(phase_id).title or phase_id

    def blueprint_of(self, phase_id: str) -> Blueprint:
        """The blueprint a phase draws with, following same_items and parallel_to."""
        phase = self.phase(phase_id)
        while phase.blueprint is None:
            phase = self.phase(phase.same_items or phase.parallel_to)  # type: ignore[arg-type]
        return phase.blueprint

    def verdict_of(self, phase_id: str) -> str:
        """`none`, `band` or `pass_fail`: what a result of this phase says beyond its score."""
        phase = self.phase(phase_id)
        if phase.verdict is not None:
            return phase.verdict
        if phase is self.phases[0] and len(self.phases) > 1:
            return "none"
        return "pass_fail" if self.grading.pass_mark is not None else "band"

    def scoring_of(self, phase_id: str) -> ScoringPolicy:
        return self.phase(phase_id).scoring or self.scoring
