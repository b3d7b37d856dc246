"""Checking a portal: the one pipeline (pipeline.Checker: load, validate, catalog), its
cache, the worker processes that share the work, the result type and the reporters
(text, JSON, GitHub). It imports the core only: never the site, MkDocs, Jinja or click.
"""
