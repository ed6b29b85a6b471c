"""Shell blocks of a markdown section, to run a doc's walkthrough as written."""

from __future__ import annotations

import re

FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.S | re.M)


def _headings(markdown: str) -> list[tuple[int, int, int, str]]:
    """(start, end, level, title) of every heading outside fenced blocks (a
    ``# comment`` line in a shell block is not a heading)."""
    found, fenced, offset = [], False, 0
    for line in markdown.splitlines(keepends=True):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (match := re.match(r"(#+) (.+)", line)):
            found.append((offset, offset + len(line), len(match.group(1)), match.group(2).strip()))
        offset += len(line)
    return found


def section(markdown: str, heading: str) -> str:
    """The text under the heading titled ``heading`` (any level, outside
    fences) up to the next heading of the same or a higher level; ValueError
    if absent or there twice."""
    headings = _headings(markdown)
    found = [h for h in headings if h[3] == heading]
    if len(found) != 1:
        raise ValueError(f"{len(found)} headings titled {heading!r}")
    _, start, level, _ = found[0]
    end = next((h[0] for h in headings if h[0] > start and h[2] <= level), len(markdown))
    return markdown[start:end]


def shell_blocks(text: str) -> list[str]:
    """The ``sh`` fenced blocks of ``text``, in order (other fences skipped)."""
    return [body for lang, body in FENCE.findall(text) if lang == "sh"]


def commands(block: str) -> list[str]:
    """The non-blank, non-comment lines of a block."""
    return [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]
