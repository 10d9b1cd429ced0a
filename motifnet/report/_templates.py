"""The one Jinja2 environment of motifnet's pages (autoescape on), over templates found from a wheel or a checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def template_dir() -> Path:
    """The folder of motifnet's Jinja2 templates, from a wheel or an editable install."""
    return Path(str(resources.files("motifnet.templates")))

def environment():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(template_dir())),
                              autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
                              undefined=jinja2.StrictUndefined)
