"""One autoescaping Jinja2 environment for every page, report and printout.

Templates live in the top-level `templates/` folder (in the wheel under
assess/_data/templates); their texts go through the message catalogue.
"""

from __future__ import annotations

from functools import cache

import jinja2

from assess.i18n import _, current_language, ngettext
from assess.resources import data_path


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_path("templates"))),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Looked up at render time, so the current language applies.
    env.install_gettext_callables(
        gettext=lambda s, **kw: _(s) % kw if kw else _(s), ngettext=ngettext, newstyle=False
    )
    return env


def render(template: str, **context) -> str:
    context.setdefault("lang", current_language())
    return environment().get_template(template).render(**context)
