"""The portal's domain: the format (model, schema), reading files (loader), the
checks (validate), the catalog of entries, problems and their wording, and the
plugin's options. It imports nothing of MkDocs, Material, Jinja or click
(tests/test_layers.py and the import contract in pyproject.toml hold it to that).
"""
