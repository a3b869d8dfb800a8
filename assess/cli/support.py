"""Click classes whose help text goes through the message catalogue.

Help strings are English msgids marked with N_; they are translated when the
help is shown, after `--lang` has been read, not when the module is imported.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from assess.i18n import LANGUAGES, N_, _, ngettext, set_language
from assess.problems import Problem, ProblemsFound

EXIT_OK, EXIT_WARNINGS, EXIT_BAD_INPUT, EXIT_ENVIRONMENT = 0, 1, 2, 3


class UserError(click.ClickException):
    """Bad input: every problem, located and coded, then exit 2."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problems")  # shown by show(), in the current language

    def show(self, file=None) -> None:  # noqa: ARG002 - click's signature
        for problem in self.problems:
            click.echo(str(problem), err=True)
        n = len(self.problems)
        click.echo(ngettext("{n} problem found.", "{n} problems found.", n).format(n=n), err=True)


class EnvironmentFailure(click.ClickException):
    """The environment failed (database unreachable, port in use): exit 3."""

    exit_code = EXIT_ENVIRONMENT


@contextmanager
def exit_codes() -> Iterator[None]:
    """The one place where what a step raises becomes a message and an exit status.

    Problems of the input exit 2; a database that is newer than this version or
    cannot be reached exits 3. The database's exceptions are recognised only when
    its modules were loaded, so a command that needs no database does not pay for them.
    """
    try:
        yield
    except ProblemsFound as e:
        raise UserError(e.problems) from None
    except Exception as e:
        migrate = sys.modules.get("assess.store.migrate")
        if migrate is not None and isinstance(e, migrate.NewerDatabase):
            raise EnvironmentFailure(
                _(
                    "the database was written by a newer version of assess ({revision}); "
                    "upgrade assess to use it"
                ).format(revision=e.revision)
            ) from None
        database = sys.modules.get("sqlalchemy.exc")
        if database is not None and isinstance(e, database.OperationalError):
            raise EnvironmentFailure(
                _("the database cannot be reached: {reason}").format(reason=e.orig or e)
            ) from None
        raise


def terminal_numbers():
    """The one number formatter (assess.i18n.numbers) in the message language, "-" for a missing value."""
    from assess.i18n.numbers import numbers  # here: Babel's number data loads only for a command that prints

    return numbers(missing="-")


def table(head: list[str], rows: list[list[str]], left: int = 1) -> list[str]:
    """A plain-text table: columns padded to their widest cell, the first `left` flush left, others right."""
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(head), "-" * len(line(head)), *(line(r) for r in rows)]


def open_workspace(ctx: click.Context):
    """The workspace and database the shared options, the environment or the current folder choose."""
    from assess.workspace import Workspace, choose  # here: a bank command need not load the store

    folder, url = choose(chosen(ctx, "workspace"), chosen(ctx, "database"))
    ws = Workspace(folder, url)
    ws.loaded  # noqa: B018 - load the event now, so its problems are reported first
    ws.store  # noqa: B018
    ctx.call_on_close(ws.close)
    return ws


class _TranslatedHelp:
    """A `help` attribute that reads back translated."""

    @property
    def help(self) -> str | None:
        return _(self._help_msgid) if self._help_msgid else self._help_msgid

    @help.setter
    def help(self, value: str | None) -> None:
        self._help_msgid = value


# click's own placeholders in a usage line and beside options: click does not pass them through gettext.
PLACEHOLDERS = {
    "[OPTIONS]": N_("[OPTIONS]"),
    "COMMAND [ARGS]...": N_("COMMAND [ARGS]..."),
    "TEXT": N_("TEXT"),
    "INTEGER": N_("INTEGER"),
    "FLOAT": N_("FLOAT"),
    "INTEGER RANGE": N_("INTEGER RANGE"),
    "FLOAT RANGE": N_("FLOAT RANGE"),
}


def placeholder(text: str) -> str:
    """`text` in the interface's language when it is one of click's placeholders."""
    plain, dots = (text[:-3], "...") if text.endswith("...") and text not in PLACEHOLDERS else (text, "")
    return (_(PLACEHOLDERS[plain]) if plain in PLACEHOLDERS else plain) + dots


class Option(_TranslatedHelp, click.Option):
    def make_metavar(self, ctx: click.Context) -> str:
        return placeholder(super().make_metavar(ctx))


class _TranslatedUsage:
    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return [placeholder(piece) for piece in super().collect_usage_pieces(ctx)]


def language_in(args: list[str]) -> str | None:
    """The value of the last `--lang` in `args` (before a `--`), if valid."""
    found = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            found = args[i + 1]
        elif arg.startswith("--lang="):
            found = arg.split("=", 1)[1]
    return found if found in LANGUAGES else None


class _LanguageFirst:
    """Reads `--lang` before anything else, so that `--help --lang en` is English."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        lang = language_in(args)
        if lang is not None:
            set_language(lang)
        return super().parse_args(ctx, args)


class Command(_LanguageFirst, _TranslatedUsage, _TranslatedHelp, click.Command):
    """A command whose located problems and failing database end as messages and exit codes."""

    def invoke(self, ctx: click.Context):
        with exit_codes():
            return super().invoke(ctx)


class Group(_LanguageFirst, _TranslatedUsage, _TranslatedHelp, click.Group):
    """A group whose `lazy` subcommands ("name": "module:attribute") are imported when used.

    Every command would otherwise pay for the heaviest one's imports (scipy,
    SQLAlchemy) before it starts.
    """

    command_class = Command
    group_class = type  # subgroups are Groups too

    def __init__(self, *args, lazy: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy and name not in self.commands:
            module, attribute = self.lazy[name].split(":")
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return super().get_command(ctx, name)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as e:
            # click offers "did you mean" among the commands loaded so far: the lazy ones count too
            raise click.exceptions.NoSuchCommand(
                e.command_name, possibilities=self.list_commands(ctx), ctx=ctx
            ) from None


def option(*decls: str, **attrs) -> Callable:
    return click.option(*decls, cls=Option, **attrs)


def _set_language(root: bool) -> Callable:
    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        if value is not None or root:
            set_language(value)

    return callback


def _remember(key: str) -> Callable:
    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        if value is not None:
            ctx.find_root().meta[key] = value

    return callback


def chosen(ctx: click.Context, key: str) -> str | None:
    """A shared option's value, wherever on the command line it was given."""
    return ctx.find_root().meta.get(key)


def shared_options(*, root: bool = False) -> Callable:
    """Options every command accepts, before or after its name.

    `--lang` is eager so that even the usage errors of the other options come
    out in the chosen language.
    """

    def decorate(f: Callable) -> Callable:
        f = option(
            "--db",
            "database",
            default=None,
            expose_value=False,
            callback=_remember("database"),
            help=N_("Database URL (default: the workspace's assess.db); also ASSESS_DATABASE_URL."),
        )(f)
        f = option(
            "-w",
            "--workspace",
            default=None,
            expose_value=False,
            callback=_remember("workspace"),
            help=N_(
                "The workspace's folder (default: the nearest folder above holding assessment.yaml, or "
                "hr.yaml for assess hr); also ASSESS_WORKSPACE."
            ),
        )(f)
        return option(
            "--lang",
            type=click.Choice(LANGUAGES),
            default=None,
            expose_value=False,
            is_eager=True,
            callback=_set_language(root),
            help=N_("Language of messages: id (default) or en; also ASSESS_LANG."),
        )(f)

    return decorate


def show_join_notes(base) -> None:
    """Beside a join address (an assess.web.address.JoinBase): the laptop's other addresses, and a
    warning when phones cannot open it."""
    also, warning = base.also(), base.warning()
    if also:
        click.echo(also)
    if warning:
        click.echo(warning, err=True)
