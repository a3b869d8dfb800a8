"""Click's own messages that a user meets, put through our catalogue.

Click marks its texts with the stdlib `gettext` at import time of each of its
modules; `install()` points those names at our catalogue so that usage errors
and help headings come out in the chosen language too. The texts below are
click's msgids, listed here only so that the catalogue tooling extracts them.
"""

from __future__ import annotations

import importlib

from assess.i18n import N_, _, ngettext


def Nn_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - marker for extraction
    return singular, plural


CLICK_MESSAGES = (
    N_("Aborted!"),
    N_("Options"),
    N_("Commands"),
    N_("Missing command."),
    N_("Show the version and exit."),
    N_("Show this message and exit."),
    N_("%(prog)s, version %(version)s"),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing {param_type}"),
    N_("Missing parameter: {param_name}"),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Usage:"),
    N_("Option {name!r} does not take a value."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("file"),
    N_("directory"),
    N_("path"),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is not readable."),
    N_("env var: {var}"),
    N_("default: {default}"),
    N_("Repeat for confirmation"),
    N_("Error: The two entered values do not match."),
    Nn_("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    Nn_("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    Nn_("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
    Nn_("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
)

_CLICK_MODULES = (
    "click.core",
    "click.exceptions",
    "click.parser",
    "click.types",
    "click.decorators",
    "click.formatting",
    "click.termui",
)


def install() -> None:
    for name in _CLICK_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = _
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
