"""One autoescaping Jinja2 environment for every page, report and printout.

Templates live in the top-level `templates/` folder (in the wheel under
assess/_data/templates); their texts go through the message catalogue.
"""

from __future__ import annotations

from functools import cache, lru_cache

import jinja2
from markupsafe import Markup

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
        auto_reload=False,  # shipped templates do not change under a running server: no stat a page
    )
    # Looked up at render time, so the current language applies.
    env.install_gettext_callables(
        gettext=lambda s, **kw: _(s) % kw if kw else _(s), ngettext=ngettext, newstyle=False
    )
    return env


def render(template: str, **context) -> str:
    context.setdefault("lang", current_language())
    return environment().get_template(template).render(**context)


# -- question text ------------------------------------------------------------------


@cache
def _markdown():
    from markdown_it import MarkdownIt

    # The "zero" preset has no HTML, links, images or autolinks; emphasis, code and lists come back.
    return MarkdownIt("zero").enable(["emphasis", "backticks", "escape", "newline", "list"])


@lru_cache(maxsize=4096)  # a bank's texts, shown again on every page of every phone
def markdown_block(text: str) -> Markup:
    """Question text as safe HTML: Markdown emphasis, code and lists; any HTML in it is escaped."""
    return Markup(_markdown().render(text.strip()))  # noqa: S704 - markdown-it escapes, html disabled


@lru_cache(maxsize=4096)
def markdown_inline(text: str) -> Markup:
    return Markup(_markdown().renderInline(" ".join(text.split())))  # noqa: S704 - as above
