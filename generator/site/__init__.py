"""Turning a catalog into the site's files without MkDocs: the pages' Markdown
from Jinja templates (render.py, templates/, sandboxed overrides), the analyses
they show, the index data, exports, feed, dates from git, and the assets.
It imports the core and the check's worker pool, never MkDocs or click.
"""
