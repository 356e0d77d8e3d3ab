"""Fixtures of the drill tests: the shipped skill framework, a hand-scored lab drill, shipped
drills, and helpers to play a run through the client."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from lms.content import store
from lms.content.documents import from_document
from lms.content.loader import load_tree
from lms.extensions import db
from lms.people.models import Role
from tests.helpers import login_as

ROOT = Path(__file__).resolve().parents[2]

# A drill whose scores are computed by hand in test_scoring.py. Paths (choice indexes):
#   P1 opening.0 -> pitch.0 -> won                      oh 2, nd -1, cl 3   total 4  success
#   P2 opening.0 -> pitch.1 -> reflect -> won-late      oh 3, nd -1         total 2  success
#   P3 opening.1 -> probe.0 -> reflect -> won-late      oh 1, nd 3          total 4  success
#   P4 opening.1 -> probe.1 -> stalled                  nd -1               total -1 partial
#   P5 opening.2 -> lost                                oh -2               total -2 fail
#   P6 opening.1 -> probe.2 -> walked-out               oh 1, nd 3          total 4  fail
# Maxima: oh 3 (P2), nd 3 (P3, P6), cl 3 (P1), presenting 0 (rubric only); overall 4.
LAB = {
    "id": "lab",
    "title": {"en": "Lab drill", "zh-CN": "实验演练"},
    "language": "en",
    "summary": {"en": "A drill for **tests**.", "zh-CN": "测试用的演练。"},
    "skills": ["objection-handling", "needs-discovery", "closing", "presenting"],
    "pass_score": 70,
    "difficulty": 2,
    "persona": {
        "name": {"en": "Pat Buyer", "zh-CN": "白买家"},
        "role": {"en": "Buyer", "zh-CN": "采购"},
        "context": {"en": "You call **Pat**.", "zh-CN": "你给白买家打电话。"},
    },
    "start": "opening",
    "nodes": {
        "opening": {
            "say": {"en": "Your price is too high.", "zh-CN": "你们太贵了。"},
            "choices": [
                {
                    "text": {"en": "Acknowledge and ask", "zh-CN": "认可并提问"},
                    "next": "pitch",
                    "points": {"objection-handling": 2, "needs-discovery": -1},
                    "feedback": {"en": "Good **start**.", "zh-CN": "开头不错。"},
                },
                {
                    "text": {"en": "Dig into the need", "zh-CN": "挖掘需求"},
                    "next": "probe",
                    "points": {"needs-discovery": 2},
                },
                {
                    "text": {"en": "Argue", "zh-CN": "争辩"},
                    "next": "lost",
                    "points": {"objection-handling": -2},
                    "feedback": "Never argue.",
                },
            ],
        },
        "pitch": {
            "say": {"en": "Go on.", "zh-CN": "接着说。"},
            "choices": [
                {"text": "Ask for the order", "next": "won", "points": {"closing": 3}},
                {
                    "text": "Handle it once more",
                    "next": "reflect",
                    "points": {"objection-handling": 1},
                },
            ],
        },
        "probe": {
            "say": {"en": "We lose orders to errors.", "zh-CN": "我们因为差错丢单。"},
            "choices": [
                {
                    "text": "Quantify the loss",
                    "next": "reflect",
                    "points": {"needs-discovery": 1, "objection-handling": 1},
                },
                {
                    "text": "Change the subject",
                    "next": "stalled",
                    "points": {"needs-discovery": -3},
                },
                {
                    "text": "Push too hard",
                    "next": "walked-out",
                    "points": {"needs-discovery": 1, "objection-handling": 1},
                },
            ],
        },
        "reflect": {
            "say": {"en": "What do I tell my boss?", "zh-CN": "我怎么跟老板说？"},
            "open": True,
            "rubric": [
                {"text": "Acknowledges the concern", "skill": "objection-handling"},
                {"text": "Asks about the need", "skill": "needs-discovery"},
                {"text": "Frames the value", "skill": "presenting"},
            ],
            "next": "won-late",
        },
        "won": {"say": {"en": "Deal.", "zh-CN": "成交。"}, "end": "success"},
        "won-late": {"say": "Let's meet my boss.", "end": "success"},
        "stalled": {"say": "Send me something.", "end": "partial"},
        "lost": {"say": "Goodbye.", "end": "fail"},
        "walked-out": {"say": "I have to go.", "end": "fail"},
    },
}


def lab_document(**changes) -> dict:
    doc = copy.deepcopy(LAB)
    doc.update(changes)
    return doc


@pytest.fixture(scope="session")
def shipped_tree():
    result = load_tree([ROOT / "courses", ROOT / "scenarios"])
    assert result.ok, "\n".join(str(error) for error in result.errors)
    return result.tree


@pytest.fixture
def framework(app, shipped_tree):
    store.publish(shipped_tree.framework, actor=None)
    db.session.commit()
    return shipped_tree.framework


@pytest.fixture
def publish(framework):
    def publish_document(document: dict, *, commit: bool = True):
        result = store.publish(from_document("scenario", document), actor=None)
        if commit:
            db.session.commit()
        return result.version

    return publish_document


@pytest.fixture
def trainer(client, make_user, framework):
    """A trainer, logged in on `client`, with the shipped framework stored."""
    user = make_user("trainer@example.com", name="Tara Trainer", roles={Role.TRAINER})
    login_as(client, user)
    return user


@pytest.fixture
def lab(publish):
    return publish(lab_document())


@pytest.fixture
def shipped(framework, shipped_tree):
    """Publish shipped drills by id: `shipped("price-too-high")`."""

    def publish_shipped(*slugs: str):
        versions = [
            store.publish(shipped_tree.scenarios[slug], actor=None).version for slug in slugs
        ]
        db.session.commit()
        return versions[0] if len(versions) == 1 else versions

    return publish_shipped


STATE_RE = re.compile(r'data-node="([^"]+)" data-step="(\d+)"')


def state_of(html: str) -> tuple[str, int]:
    match = STATE_RE.search(html)
    assert match, "no player state in the page"
    return match.group(1), int(match.group(2))


class Player:
    """Plays a run through the client as the browser without JavaScript would."""

    def __init__(self, client, slug: str) -> None:
        self.client = client
        self.slug = slug
        self.run_id: int | None = None

    def start(self):
        response = self.client.post(f"/scenarios/{self.slug}/start")
        assert response.status_code == 302, response.status_code
        location = response.headers["Location"]
        self.run_id = int(location.rsplit("/", 1)[1].split("#")[0])
        return response

    @property
    def url(self) -> str:
        return f"/scenarios/{self.slug}/runs/{self.run_id}"

    def page(self) -> str:
        response = self.client.get(self.url)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    def state(self) -> tuple[str, int]:
        return state_of(self.page())

    def answer(self, *, node=None, step=None, json=False, **fields):
        if node is None or step is None:
            current_node, current_step = self.state()
            node = current_node if node is None else node
            step = current_step if step is None else step
        headers = {"Accept": "application/json"} if json else {}
        if isinstance(fields.get("choice"), int):
            fields["choice"] = self.shown(node, fields["choice"])
        data = {"node": node, "step": str(step), **{k: str(v) for k, v in fields.items()}}
        return self.client.post(self.url + "/steps", data=data, headers=headers)

    def order(self, node_id: str) -> list[int]:
        """The file indices of a node's replies in the order this run shows them."""
        from lms.scenarios import services
        from lms.scenarios.models import ScenarioRun
        from lms.scenarios.ordering import choice_order

        run = db.session.get(ScenarioRun, self.run_id)
        node = services.scenario_of(run.version).nodes.get(node_id)
        return choice_order(run.seed, node) if node is not None else []

    def shown(self, node_id: str, index: int) -> int:
        """The position shown of the reply with file index `index` (unchanged if none)."""
        order = self.order(node_id)
        return order.index(index) if index in order else index

    def choose(self, *indexes: int):
        """Pick replies by their index in the file, wherever the run shows them."""
        for index in indexes:
            response = self.answer(choice=index)
            assert response.status_code == 302, response.status_code
        return response

    def write(self, text: str):
        response = self.answer(reply=text)
        assert response.status_code == 302, response.status_code
        return response


@pytest.fixture
def player():
    return Player
