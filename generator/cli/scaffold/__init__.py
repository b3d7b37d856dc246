"""`portal new insight|persona|journey SLUG`: a new entry from a template.

The file is written in the documented format, fields in the documented order,
with today's date and (for insights) the author. A value not given by a flag
is asked for when the command runs in a terminal, and otherwise left as a
placeholder that `portal check` reports on its own line: an empty text
(`empty-field`), an empty list (`too-few-items`), each with a `# TODO:` comment
saying what belongs there. So a file made with every flag passes `portal check`
at once, and one made with a few flags is still written and points to the rest.
Optional fields a contributor is asked for (an insight's journey, stages and
evidence details) are written commented out, with `# optional:` saying what
belongs there: they pass `portal check` as they are (commented, or uncommented
and left empty, they are simply absent).

User errors (a bad slug, an existing file or id, an unknown persona, journey,
stage, team or tag) stop the command with exit status 2 before anything is
written, and never with a traceback.

One module per part: group (the `new` group and what its commands share),
commands (one per kind), portal (the portal and the values it knows), asking
(prompts in a terminal), templates (each kind's file) and front (front matter
lines and placeholders).
"""

from .commands import new  # the group, with the kinds' commands added to it

__all__ = ["new"]
