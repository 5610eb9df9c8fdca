"""Where an attribution's cue and source may lie against its content: one rule, shared by
extraction (transforms/attributions.py) and the audit (expectations/audit.py).

A content is stored as one span, the hull of its words (and of the quotation marks around
them, span_edges.py), as PolNeAR scores it. Its cue and source lie outside that span, or
in a gap its words surround:
- between the quoted parts of an interrupted quotation ("“A,” he said. “B.”");
- inside a reported content that wraps around them ("The bigger risk, he said, is a
  clash", "which he believes will fail", "A decision is expected in May"), never at
  its edges.
"""

from __future__ import annotations

Span = tuple[int, int]


def roles_outside(content: Span, roles, kind: str, quoted: list[Span]) -> bool:
    """True when every cue or source span in `roles` (None for an absent one) lies outside
    the content or in a gap its words surround; `quoted` are the body's quoted spans."""
    for role in roles:
        if role is None or role[1] <= content[0] or role[0] >= content[1]:
            continue
        if kind == "indirect":
            if not content[0] < role[0] <= role[1] < content[1]:
                return False
        elif any(start < role[1] and role[0] < end for start, end in quoted):
            return False
    return True
