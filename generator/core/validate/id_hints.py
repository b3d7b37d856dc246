"""Did-you-mean over each kind's ids, for the problems that name an unknown one."""

from __future__ import annotations

from ..catalog import Catalog
from ..model import Kind
from ..suggest import Suggester


class IdHints:
    """Did-you-mean over each kind's ids, built once per run (not per problem)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._suggesters: dict[Kind, Suggester] = {}

    def suggester(self, kind: Kind) -> Suggester:
        if kind not in self._suggesters:
            self._suggesters[kind] = Suggester(self.catalog.file_ids[kind])
        return self._suggesters[kind]

    def reference(self, kind: Kind, ref: str) -> str:
        renamed = self.catalog.aliases[kind].get(ref)
        if renamed:
            return f'"{ref}" was renamed to "{renamed}": refer to the new id.'
        suggester = self.suggester(kind)
        return suggester.did_you_mean(ref) or f"Known {kind.folder}: {suggester.sample()}."
