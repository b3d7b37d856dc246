"""The portal's domain: the format (vocabulary, schema, model), reading files (loader),
the checks (validate), the catalog, problems and their wording, the site's routes and
the plugin's options. It imports nothing of the portal's other packages, nor MkDocs,
Material, Jinja or click (tests/test_layers.py and pyproject.toml's contracts hold it).
"""
