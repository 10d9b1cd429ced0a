"""The one Jinja2 environment of motifnet's pages (autoescape on), over templates found from a wheel or a checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .._text import shown_text


def template_dir() -> Path:
    """The folder of motifnet's Jinja2 templates, from a wheel or an editable install."""
    return Path(str(resources.files("motifnet.templates")))

def fixed(value, digits: int = 3) -> str:
    """``value`` with ``digits`` decimals, without the minus of a value that rounds to 0 ("-0.000")."""
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def fixed_or_small(value, digits: int = 3) -> str:
    """``value`` as :func:`fixed` gives it, but one that would read 0 there in two significant digits with its sign
    (``2.8e-04``, ``-3.4e-04``): an influence of 0.000 hid both how small it was and that it was negative."""
    if value != 0 and abs(value) < 0.5 * 10.0 ** -digits:
        return f"{value:.1e}"
    return fixed(value, digits)


def _shown(value):
    """Every text a page shows with its control and text-direction characters escaped (:func:`shown_text`):
    a right-to-left override in a class name reversed the numbers after it; escaping for HTML comes after."""
    import markupsafe

    return shown_text(value) if isinstance(value, str) and not isinstance(value, markupsafe.Markup) else value


def environment():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(template_dir())),
                             autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
                             undefined=jinja2.StrictUndefined, finalize=_shown)
    env.filters["fixed"] = fixed
    env.filters["fixed_or_small"] = fixed_or_small
    return env
