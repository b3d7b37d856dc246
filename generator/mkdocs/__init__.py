"""The MkDocs adapter, the only package that imports MkDocs or Material: the
plugin (plugin.py), the build's speed-ups (prerender.py, prebuild.py), the page
budget, Pagefind, the preview server and the build-and-swap runner (publish.py).
"""

# The names Material's search (or MkDocs' own) goes by under `plugins:` in mkdocs.yml.
SEARCH_PLUGINS = ("search", "material/search")
