"""Turning a catalog into the site's files without MkDocs: the route table and pages
(render.py, templates/, templating.py), facets, analyses, index data, exports, feed,
dates from git, assets, and a standalone project for other builders (standalone/).
It imports the core and the check's worker pool, never MkDocs or click.
"""
