"""The MkDocs adapter, the only package that imports MkDocs or Material: the plugin's
events (plugin.py) and options (options.py), the build's speed-ups behind one object
(speedups.py), the page budget, the theme's hardening, Pagefind, the preview
(devserver.py) and build-and-swap (publish.py). It imports site, check and core.
"""

# The names Material's search (or MkDocs' own) goes by under `plugins:` in mkdocs.yml.
SEARCH_PLUGINS = ("search", "material/search")
