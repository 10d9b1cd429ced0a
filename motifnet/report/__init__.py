"""``summary.html`` and ``search_summary.html`` rendered whole from their Jinja2 templates."""
