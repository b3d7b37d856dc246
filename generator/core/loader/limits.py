"""The bounds that keep hostile input from exhausting time or memory.

One place for them, because every stage of reading a file checks one: reading
its bytes, splitting off its front matter and walking its YAML.
"""

# Alias bombs, huge lists, huge files: a real entry is a few kilobytes.
MAX_NODES = 100_000
MAX_DEPTH = 50
MAX_FILE_BYTES = 1024 * 1024  # larger files are reported, and read no further
MAX_FRONT_MATTER_CHARS = 256 * 1024  # libyaml composes all of it before we can count
