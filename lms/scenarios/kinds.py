"""The kinds of scenario node as the player sees them.

Each kind is defined once, in :mod:`lms.content.kinds` (schema, Markdown places, edges, how the
learner's answer is read, template); this module keeps the player's names for them.
"""

from __future__ import annotations

from lms.content.kinds import NODE_KINDS as KINDS
from lms.content.kinds import Answer, AnswerError, Edge, NodeKind
from lms.content.kinds import node_kind as kind_of
from lms.content.kinds.nodes import REPLY_MAX_CHARS, REPLY_MIN_CHARS, clean_reply

__all__ = [
    "KINDS",
    "REPLY_MAX_CHARS",
    "REPLY_MIN_CHARS",
    "Answer",
    "AnswerError",
    "Edge",
    "NodeKind",
    "clean_reply",
    "kind_of",
]
