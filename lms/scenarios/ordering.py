"""The order in which a run shows the replies of a choice node.

Each run has a random seed (`ScenarioRun.order_seed`, set when it starts); the replies of every
choice node are shuffled with that seed and the node id, so the order is fixed for the run (a
reload shows the same order) and differs between runs. A node with ``fixed_order: true`` keeps the
order of its file. The page posts the position of the reply as shown; `choice_index` turns it back
into the index of the reply in the file, so the form gives away nothing about the file's order.
"""

from __future__ import annotations

import random
import secrets

from lms.content.model import Node
from lms.core.inputs import is_ascii_digits

SEED_LIMIT = 2**31


def new_seed() -> int:
    return secrets.randbelow(SEED_LIMIT)


def choice_order(seed: int | None, node: Node) -> list[int]:
    """Indices of the node's replies in the order shown (the file's order without a seed)."""
    order = list(range(len(node.choices)))
    if seed is None or node.fixed_order or len(order) < 2:
        return order
    random.Random(f"{seed}:{node.id}").shuffle(order)
    return order


def choice_index(seed: int | None, node: Node, shown: str | None) -> str:
    """The file index (as form text) of the reply shown at position `shown`; text that is not
    a shown position is passed on unchanged for the node to refuse."""
    raw = (shown or "").strip()
    order = choice_order(seed, node)
    if is_ascii_digits(raw) and len(raw) < 4 and int(raw) < len(order):
        return str(order[int(raw)])
    return raw
