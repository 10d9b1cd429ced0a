"""Jinja2 templates of motifnet's HTML report (installed as the package ``motifnet.templates``)."""
