"""A hostile Markdown corpus imported through lessons, quiz texts and scenario texts: the stored
HTML holds nothing executable, and ordinary links, tables and emphasis survive."""

from __future__ import annotations

import sqlalchemy as sa
import yaml

from lms.content.importer import import_content
from lms.content.models import ContentItem, ContentVersion
from lms.content.store import current_version
from tests.content.conftest import Workspace
from tests.content.test_content_markdown import HOSTILE, assert_safe

ORDINARY = (
    "See [the guide](https://example.com/guide) and *stress* **this**.\n\n"
    "| Step | Time |\n|------|-----:|\n| Plan | 9:00 |\n\n"
)
LINK = '<a href="https://example.com/guide" rel="nofollow noopener">the guide</a>'


def assert_ordinary_survives(html: str) -> None:
    assert LINK in html
    assert "<em>stress</em>" in html and "<strong>this</strong>" in html
    assert "<table>" in html and '<td align="right">9:00</td>' in html


def hostile_tree(ws: Workspace) -> None:
    """One lesson per snippet; a quiz question and a scenario node per snippet."""
    course = yaml.safe_load(ws.read("courses/time-management/course.yaml"))
    items = course["modules"][0]["items"]
    for index, snippet in enumerate(HOSTILE):
        lesson_id = f"hostile-{index}"
        front = yaml.safe_dump({"id": lesson_id, "title": f"Hostile {index}", "skills": []})
        ws.write(
            f"courses/time-management/{lesson_id}.md",
            f"---\n{front}---\n{ORDINARY}{snippet}\n",
        )
        items.append({"lesson": lesson_id})
    ws.write("courses/time-management/course.yaml", yaml.safe_dump(course, allow_unicode=True))

    quiz = yaml.safe_load(ws.read("courses/time-management/time-basics.quiz.yaml"))
    quiz.pop("draw", None)
    for index, snippet in enumerate(HOSTILE):
        quiz["questions"].append(
            {
                "id": f"h{index}",
                "kind": "single",
                "prompt": ORDINARY + snippet,
                "explanation": ORDINARY + snippet,
                "skills": {"planning": 1},
                "choices": [
                    {"text": snippet, "correct": True, "feedback": ORDINARY + snippet},
                    {"text": "No", "feedback": snippet},
                ],
            }
        )
    ws.write(
        "courses/time-management/time-basics.quiz.yaml", yaml.safe_dump(quiz, allow_unicode=True)
    )

    scenario = yaml.safe_load(ws.read("scenarios/price-too-high.yaml"))
    corpus = "\n\n".join(HOSTILE)
    scenario["summary"] = ORDINARY + corpus
    scenario["persona"]["context"] = ORDINARY + corpus
    nodes = scenario["nodes"]
    chain = [f"h{index}" for index in range(len(HOSTILE))]
    nodes["won"] = {
        "say": "Send me the contract.",
        "choices": [{"text": "Thanks", "next": chain[0], "feedback": ORDINARY}],
    }
    for index, snippet in enumerate(HOSTILE):
        following = chain[index + 1] if index + 1 < len(chain) else "done"
        nodes[chain[index]] = {
            "say": snippet,
            "choices": [{"text": snippet, "next": following, "feedback": ORDINARY + snippet}],
        }
    nodes["done"] = {"say": "Done.", "end": "success"}
    ws.write("scenarios/price-too-high.yaml", yaml.safe_dump(scenario, allow_unicode=True))


def test_nothing_executable_is_stored(db, tmp_path):
    ws = Workspace(tmp_path / "content")
    hostile_tree(ws)

    report = import_content([ws.root])

    assert report.ok, "\n".join(str(error) for error in report.errors)
    db.session.commit()
    rendered = list(
        db.session.execute(
            sa.select(ContentItem.kind, ContentVersion.rendered).join(
                ContentItem, ContentItem.id == ContentVersion.item_id
            )
        )
    )
    places = 0
    for _kind, by_place in rendered:
        for by_locale in by_place.values():
            for html in by_locale.values():
                assert_safe(html)
                places += 1
    assert places > 5 * len(HOSTILE)

    for index in (0, len(HOSTILE) - 1):
        assert_ordinary_survives(current_version("lesson", f"hostile-{index}").html("body", "en"))
    quiz = current_version("quiz", "time-basics")
    for place in ("prompt", "explanation", "choices[0].feedback"):
        assert_ordinary_survives(quiz.html(f"questions.h0.{place}", "en"))
    scenario = current_version("scenario", "price-too-high")
    for place in ("summary", "persona.context", "nodes.h0.choices[0].feedback"):
        assert_ordinary_survives(scenario.html(place, "en"))


def test_plain_text_fields_are_stored_as_given_and_never_rendered(db, tmp_path):
    ws = Workspace(tmp_path / "content")
    hostile_tree(ws)
    assert import_content([ws.root]).ok
    scenario = current_version("scenario", "price-too-high")
    # `say` and a choice's `text` are plain text: kept verbatim for escaping at display time
    assert scenario.document["nodes"]["h0"]["say"] == {"en": HOSTILE[0]}
    assert not any(place.endswith(".say") for place in scenario.rendered)
