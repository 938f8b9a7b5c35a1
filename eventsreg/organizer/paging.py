"""Long lists shown a page at a time: which page, how many, the page numbers around it."""

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass
class Paged:
    """A page of *total* items, *size* a page; ``number`` counts from 1."""

    total: int
    number: int
    size: int

    @classmethod
    def at(cls, total: int, requested: int, size: int):
        """Page *requested* of *total* items; a page past the end is the last one."""
        return cls(
            total=total, number=min(max(requested, 1), max(math.ceil(total / size), 1)), size=size
        )

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.size), 1)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def of(self, items: Sequence) -> Sequence:
        """This page's share of *items* (all of them, in order)."""
        return items[self.offset : self.offset + self.size]

    def window(self, width: int = 2) -> list[int]:
        """Page numbers around the current one (five when there are so many)."""
        first = max(1, min(self.number - width, self.pages - 2 * width))
        last = min(self.pages, first + 2 * width)
        return list(range(first, last + 1))
