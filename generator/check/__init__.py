"""Checking a portal: the pipeline (load, validate, catalog), its cache, the
worker processes that share the work, and the reporters (text, JSON, GitHub).
It imports the core, never the site, MkDocs or click.
"""
