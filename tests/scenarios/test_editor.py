"""The drill editor: build a drill with forms, check it with the importer's rules (the same
messages), play the draft, publish it, and get it back out of `lms export` unchanged."""

from __future__ import annotations

import re
import shutil

import pytest
import sqlalchemy as sa
from markupsafe import escape

from lms.content import store
from lms.content.documents import content_hash, dump_yaml
from lms.content.loader import load_tree
from lms.people.models import Role
from lms.scenarios.models import ScenarioRun
from lms.skills.models import Evidence
from tests.helpers import login_as
from tests.scenarios.conftest import ROOT, lab_document
from tests.scenarios.helpers import draft_of, node_form, seed_draft


def build_price_drill(client):
    """A small drill, from nothing, through the editor's forms only."""
    response = client.post(
        "/author/scenarios/new",
        data={"id": "budget-freeze", "title": "Budget freeze", "language": "en"},
    )
    assert response.status_code == 302
    client.post(
        "/author/scenarios/budget-freeze",
        data={
            "language": "en",
            "title-en": "Budget freeze",
            "title-zh-CN": "预算冻结",
            "summary-en": "The buyer says **all spending is frozen**.",
            "skills": ["objection-handling", "needs-discovery"],
            "pass_score": "60",
            "difficulty": "1",
            "start": "opening",
            "persona-name-en": "Lin Wei",
            "persona-name-zh-CN": "林伟",
            "persona-role-en": "Finance director",
            "persona-context-en": "You call **Lin** about the renewal.",
        },
    )
    for node_id, kind in (("ask", "open"), ("lost", "end")):
        response = client.post(
            "/author/scenarios/budget-freeze/nodes", data={"new-id": node_id, "new-kind": kind}
        )
        assert response.status_code == 302
    opening = {
        "id": "opening",
        "kind": "choice",
        "say-en": "All spending is frozen until next year.",
        "say-zh-CN": "明年之前所有开支都冻结了。",
        "choice-0-text-en": "What would have to be true to unfreeze this one?",
        "choice-0-next": "ask",
        "choice-0-feedback-en": "Good: you *clarify* the freeze.",
        "choice-0-points-objection-handling": "2",
        "choice-0-points-needs-discovery": "1",
    }
    url = "/author/scenarios/budget-freeze/nodes/opening"
    client.post(url, data={**opening, "action": "add-choice"})
    second = {
        "choice-1-text-en": "Then I'll call you next year.",
        "choice-1-next": "lost",
        "choice-1-points-objection-handling": "-1",
    }
    response = client.post(url, data={**opening, **second, "action": "save"})
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post(
        "/author/scenarios/budget-freeze/nodes/ask",
        data=node_form(
            id="ask",
            kind="open",
            say_en="Convince me in two sentences.",
            rubric_0_text_en="Names the cost of waiting",
            rubric_0_skill="objection-handling",
            next="won",
        ),
    )
    client.post(
        "/author/scenarios/budget-freeze/nodes/lost",
        data=node_form(id="lost", kind="end", say_en="Talk to you next year.", end="fail"),
    )
    client.post(  # the skeleton's end is partial, with a placeholder: write the success end
        "/author/scenarios/budget-freeze/nodes/won",
        data=node_form(id="won", kind="end", say_en="Fine: send me the numbers.", end="success"),
    )


def test_a_trainer_builds_a_drill_with_forms_and_publishes_it(db, client, trainer):
    build_price_drill(client)
    page = client.get("/author/scenarios/budget-freeze").get_data(as_text=True)
    assert "passes every check of the importer" in page
    assert 'class="graph__svg"' in page and "graph-node--fail" in page and ">+3<" in page
    response = client.post("/author/scenarios/budget-freeze/publish")
    assert response.status_code == 302
    version = store.current_version("scenario", "budget-freeze")
    assert version.number == 1 and version.origin == "editor"
    assert version.created_by_id == trainer.id
    assert draft_of(db, "budget-freeze") is None
    assert version.html("nodes.opening.choices[0].feedback", "en") == (
        "<p>Good: you <em>clarify</em> the freeze.</p>"
    )
    doc = version.document
    assert doc["nodes"]["opening"]["choices"][1] == {
        "text": {"en": "Then I'll call you next year."},
        "next": "lost",
        "points": {"objection-handling": -1},
    }
    assert doc["persona"]["name"] == {"en": "Lin Wei", "zh-CN": "林伟"}
    assert doc["pass_score"] == 60 and doc["difficulty"] == 1
    learner_page = client.get("/scenarios/budget-freeze").get_data(as_text=True)
    assert "Finance director" in learner_page


def test_a_drill_made_in_the_editor_exports_to_a_file_that_imports_unchanged(
    db, client, trainer, runner, tmp_path
):
    build_price_drill(client)
    client.post("/author/scenarios/budget-freeze/publish")
    version = store.current_version("scenario", "budget-freeze")
    out = tmp_path / "export"
    result = runner.invoke(args=["lms", "export", str(out)])
    assert result.exit_code == 0, result.output
    written = out / "scenarios" / "budget-freeze.yaml"
    assert written.exists()
    loaded = load_tree([out / "courses", out / "scenarios"])
    assert loaded.ok, [str(e) for e in loaded.errors]
    assert content_hash(loaded.tree.scenarios["budget-freeze"]) == version.content_hash
    result = runner.invoke(args=["lms", "import", str(out / "courses"), str(out / "scenarios")])
    assert result.exit_code == 0, result.output
    assert "no changes (" in result.output, result.output
    assert store.current_version("scenario", "budget-freeze").id == version.id


BROKEN = {
    "unknown next": lambda d: d["nodes"]["opening"]["choices"][0].update(next="clarfy"),
    "a cycle": lambda d: d["nodes"]["probe"]["choices"][0].update(next="opening"),
    "unreachable node": lambda d: d["nodes"].update(
        {"island": {"say": {"en": "Nobody gets here"}, "end": "success"}}
    ),
    "no success end": lambda d: [
        n.update(end="partial") for n in d["nodes"].values() if n.get("end") == "success"
    ],
    "skill not listed": lambda d: d["nodes"]["pitch"]["choices"][0]["points"].update(
        {"prospecting": 1}
    ),
    "unknown skill": lambda d: d["skills"].append("juggling"),
    "points not a number": lambda d: d["nodes"]["pitch"]["choices"][0]["points"].update(
        {"closing": "lots"}
    ),
    "pass score out of range": lambda d: d.update(pass_score=150),
    "too many choices": lambda d: d["nodes"]["opening"]["choices"].extend(
        [{"text": {"en": f"Extra {i}"}, "next": "lost"} for i in range(4)]
    ),
    "empty say": lambda d: d["nodes"]["won"].pop("say"),
    "rubric skill missing": lambda d: d["nodes"]["reflect"]["rubric"][0].pop("skill"),
}


#: What the editor says for each case, in the trainer's words (the importer's are in `errors`).
TRAINER_WORDS = {
    "unknown next": "Pick a node of this drill for reply 1: Leads to.",
    "a cycle": "Change where a reply of node opening leads: the conversation goes round in a "
    "circle.",
    "unreachable node": "Lead a reply to node island, or delete it: no conversation reaches it.",
    "no success end": "Choose Success under How it ends for at least one end node of this drill.",
    "skill not listed": "Tick this skill under Skills practised in the drill's settings, or leave "
    "reply 1: Points for prospecting empty.",
    "unknown skill": "Pick a skill of the framework for skills practised.",
    "points not a number": "Enter a whole number for reply 1: Points for closing.",
    "pass score out of range": "Enter a number from 0 to 100 for pass score (percent).",
    "too many choices": "Replies the learner can pick has 7; give 1–6.",
    "empty say": "Write what the customer says (English).",
    "rubric skill missing": "Choose rubric line 1: Skill it is evidence for.",
}


def importer_messages(tmp_path, document):
    root = tmp_path / "tree"
    (root / "courses").mkdir(parents=True)
    (root / "scenarios").mkdir()
    shutil.copy(ROOT / "courses" / "skills.yaml", root / "courses" / "skills.yaml")
    (root / "scenarios" / f"{document['id']}.yaml").write_text(dump_yaml(document), "utf-8")
    result = load_tree([root / "courses", root / "scenarios"])
    return sorted({(e.place, e.message) for e in result.errors})


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_the_editor_refuses_what_the_importer_refuses_in_the_trainers_words(
    db, client, trainer, tmp_path, case
):
    from lms.scenarios.editing import check

    document = lab_document()
    BROKEN[case](document)
    expected = importer_messages(tmp_path, document)
    assert expected, f"the importer accepts {case}"
    seed_draft(db, trainer, document)
    found = check(document, "lab")
    assert sorted({(e.place, e.message) for e in found.errors}) == expected
    page = client.get("/author/scenarios/lab").get_data(as_text=True)
    assert str(escape(TRAINER_WORDS[case])) in page
    for _place, message in expected:
        assert str(escape(message)) not in page
    response = client.post("/author/scenarios/lab/publish")
    assert response.status_code == 400
    assert "before publishing" in response.get_data(as_text=True)
    assert store.current_version("scenario", "lab") is None


def test_form_errors_sit_next_to_their_fields(db, client, trainer):
    seed_draft(db, trainer, lab_document())
    response = client.post(
        "/author/scenarios/lab/nodes/pitch",
        data=node_form(
            id="pitch",
            kind="choice",
            say_en="Go on.",
            choice_0_text_en="Ask for the order",
            choice_0_next="nowhere",
            choice_0_points_closing="three",
        ),
    )
    page = response.get_data(as_text=True)
    assert (
        '<p class="field__error" id="choice-0-next-error" data-errors-for="choice-0-next">'
        "Pick a node of this drill for reply 1: Leads to.</p>" in page
    )
    assert 'name="choice-0-next" aria-describedby="choice-0-next-error" aria-invalid="true"' in page
    assert "Enter a whole number for reply 1: Points for closing." in page
    check = client.post(
        "/author/scenarios/lab/nodes/pitch/check",
        data=node_form(
            id="pitch", kind="choice", say_en="", choice_0_next="won", choice_0_text_en="x"
        ),
        headers={"Accept": "application/json"},
    ).get_json()
    assert check["fields"] == {"say-en": ["Write what the customer says (English)."]}
    assert draft_of(db, "lab").document["nodes"]["pitch"]["choices"][0]["points"] == {
        "closing": "three"
    }


def test_structural_buttons_add_reorder_delete_and_rename(db, client, trainer):
    seed_draft(db, trainer, lab_document())
    base = node_form(
        id="pitch",
        kind="choice",
        say_en="Go on.",
        choice_0_text_en="First",
        choice_0_next="won",
        choice_1_text_en="Second",
        choice_1_next="reflect",
    )
    client.post("/author/scenarios/lab/nodes/pitch", data={**base, "action": "down-choice-0"})
    choices = draft_of(db, "lab").document["nodes"]["pitch"]["choices"]
    assert [c["text"]["en"] for c in choices] == ["Second", "First"]
    client.post("/author/scenarios/lab/nodes/pitch", data={**base, "action": "delete-choice-1"})
    assert len(draft_of(db, "lab").document["nodes"]["pitch"]["choices"]) == 1
    client.post("/author/scenarios/lab/nodes/pitch", data={**base, "id": "go-on"})
    doc = draft_of(db, "lab").document
    assert "go-on" in doc["nodes"] and "pitch" not in doc["nodes"]
    assert doc["nodes"]["opening"]["choices"][0]["next"] == "go-on"
    client.post("/author/scenarios/lab/nodes/won/move", data={"direction": "up"})
    order = list(draft_of(db, "lab").document["nodes"])
    assert order.index("won") == list(lab_document()["nodes"]).index("won") - 1
    client.post("/author/scenarios/lab/nodes/lost/delete")
    doc = draft_of(db, "lab").document
    assert "lost" not in doc["nodes"]
    page = client.get("/author/scenarios/lab").get_data(as_text=True)
    assert "Pick a node of this drill for reply 3: Leads to." in page


@pytest.mark.parametrize(
    "node_id, kind, message",
    [
        ("Bad Id", "choice", "Node ids use lowercase letters"),
        ("opening", "choice", "There is a node opening already."),
        ("x" * 70, "end", "Node ids use lowercase letters"),
    ],
)
def test_adding_a_bad_node_is_refused(db, client, trainer, node_id, kind, message):
    seed_draft(db, trainer, lab_document())
    response = client.post(
        "/author/scenarios/lab/nodes", data={"new-id": node_id, "new-kind": kind}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "slug, title, message",
    [
        ("Has Spaces", "T", "Use lowercase letters"),
        ("lab", "Lab again", "exists already"),
        ("fine-id", "", "Give the drill a title."),
        ("fine-id", "x" * 3000, "the limit is 2,000"),
    ],
)
def test_creating_a_drill_checks_id_and_title(db, client, trainer, slug, title, message):
    seed_draft(db, trainer, lab_document())
    response = client.post(
        "/author/scenarios/new", data={"id": slug, "title": title, "language": "en"}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_the_preview_plays_the_draft_and_writes_nothing(db, client, trainer):
    seed_draft(db, trainer, lab_document())
    page = client.get("/author/scenarios/lab/preview").get_data(as_text=True)
    assert "Your price is too high." in page and "Nothing is saved" in page
    response = client.post(
        "/author/scenarios/lab/preview",
        data={"answers": "[]", "node": "opening", "step": "0", "choice": "0"},
    )
    page = response.get_data(as_text=True)
    assert "Good <strong>start</strong>." in page and 'data-node="pitch" data-step="1"' in page
    answers = '[["opening", 0, null]]'
    page = client.post(
        "/author/scenarios/lab/preview",
        data={"answers": answers, "node": "pitch", "step": "1", "choice": "0"},
    ).get_data(as_text=True)
    assert "Success" in page and "100%" in page and "Play the draft again" in page
    stale = client.post(
        "/author/scenarios/lab/preview",
        data={"answers": answers, "node": "opening", "step": "0", "choice": "1"},
    ).get_data(as_text=True)
    assert "out of date" in stale
    for answers, message in [
        ("[[1,2,3]]{", "is not a valid JSON document"),
        ("[" * 5000 + "]" * 5000, "is nested too deeply"),
        ("[" + "0," * 150_000 + "0]", "is too large"),
    ]:
        hostile = client.post(
            "/author/scenarios/lab/preview", data={"answers": answers, "node": "x", "step": "9"}
        )
        assert hostile.status_code == 400 and message in hostile.get_data(as_text=True)
    odd = '[["opening", [1], {"a": 1}], ["pitch", null, {"a": 1}], ["x", 99999999999999999999, 1]]'
    response = client.post(
        "/author/scenarios/lab/preview", data={"answers": odd, "node": "x", "step": "9"}
    )
    assert response.status_code == 200 and "out of date" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ScenarioRun.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Evidence.id))) == 0


def test_learners_and_managers_cannot_open_the_editor(client, make_user, lab):
    for roles in ((), (Role.MANAGER,)):
        login_as(client, make_user(roles=set(roles)))
        assert client.get("/author/scenarios/lab").status_code == 403
        assert client.post("/author/scenarios/lab/publish").status_code == 403


def test_hostile_text_is_escaped_or_sanitized(db, client, trainer):
    seed_draft(db, trainer, lab_document())
    client.post(
        "/author/scenarios/lab/nodes/pitch",
        data=node_form(
            id="pitch",
            kind="choice",
            say_en="<img src=x onerror=alert(1)> Go on.",
            choice_0_text_en="<b>Ask</b> for the order",
            choice_0_next="won",
            choice_0_feedback_en="[click](javascript:alert(1)) <script>alert(2)</script> **ok**",
            choice_1_text_en="Handle it once more",
            choice_1_next="reflect",
        ),
    )
    page = client.get("/author/scenarios/lab/nodes/pitch").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert client.post("/author/scenarios/lab/publish").status_code == 302
    version = store.current_version("scenario", "lab")
    html = version.html("nodes.pitch.choices[0].feedback", "en")
    assert "javascript" not in html and "<script" not in html and "<strong>ok</strong>" in html
    login_as(client, trainer)
    game_page = client.get("/scenarios/lab").get_data(as_text=True)
    assert "<img src=x" not in game_page


def test_a_huge_or_strange_node_form_is_refused_cleanly(db, client, trainer):
    seed_draft(db, trainer, lab_document())
    data = node_form(id="pitch", kind="choice", say_en="Go on.")
    for index in range(40):
        data[f"choice-{index}-text-en"] = f"Reply {index}"
        data[f"choice-{index}-next"] = "won"
    data["choice-1000-next"] = "won"  # beyond the rows the editor reads
    data["kind"] = "something-else"
    response = client.post("/author/scenarios/lab/nodes/pitch", data=data)
    assert response.status_code == 200
    assert "Replies the learner can pick has 40; give 1–6." in response.get_data(as_text=True)
    assert client.get("/author/scenarios/lab/nodes/NOPE").status_code == 404
    assert client.get("/author/scenarios/lab/nodes/missing").status_code == 404
    assert client.post("/author/scenarios/lab/nodes/missing/delete").status_code == 404


def test_feedback_the_renderer_refuses_is_a_problem_of_its_field(db, client, trainer):
    build_price_drill(client)
    url = "/author/scenarios/budget-freeze/nodes/opening"
    response = client.post(
        url,
        data=node_form(
            id="opening",
            kind="choice",
            say_en="All spending is frozen until next year.",
            choice_0_text_en="What would have to be true?",
            choice_0_next="ask",
            choice_0_feedback_en="> " * 40 + "deep",
            choice_1_text_en="Then I'll call you next year.",
            choice_1_next="lost",
        ),
    )
    page = response.get_data(as_text=True)
    assert 'id="choice-0-feedback-en-error"' in page
    assert (
        "Reply 1: Feedback after it (Markdown, optional) (English): the formatting is nested too "
        "deeply (at most 20 levels" in page
    )
    published = client.post("/author/scenarios/budget-freeze/publish")
    assert published.status_code == 400
    assert store.current_version("scenario", "budget-freeze") is None
    assert draft_of(db, "budget-freeze") is not None


def test_a_new_drill_is_a_two_node_skeleton_published_only_once_written(db, client, trainer):
    response = client.post(
        "/author/scenarios/new", data={"id": "cold-call", "title": "Cold call", "language": "en"}
    )
    assert response.status_code == 302
    document = draft_of(db, "cold-call").document
    assert list(document["nodes"]) == ["opening", "won"]
    assert document["nodes"]["won"]["end"] == "partial"
    page = client.get("/author/scenarios/cold-call").get_data(as_text=True)
    assert "Replace the placeholder text with your own words." in page
    assert "Choose at least one skill this drill trains." in page
    response = client.post("/author/scenarios/cold-call/publish")
    assert store.current_version("scenario", "cold-call") is None

    # a node is created from the "leads to" field of a choice
    response = client.post(
        "/author/scenarios/cold-call/nodes/opening",
        data=node_form(
            id="opening",
            kind="choice",
            say_en="Who is this?",
            choice_0_text_en="Lin from Acme: may I ask one question?",
            choice_0_next="won",
            choice_0_new_next="curious",
        ),
    )
    assert response.status_code == 302
    document = draft_of(db, "cold-call").document
    assert document["nodes"]["opening"]["choices"][0]["next"] == "curious"
    assert document["nodes"]["curious"]["end"] == "success"


def test_two_trainers_saving_one_drill_draft_get_a_conflict(app, db, client, trainer, make_user):
    client.post(
        "/author/scenarios/new", data={"id": "cold-call", "title": "Cold call", "language": "en"}
    )
    start = str(draft_of(db, "cold-call").revision)
    other = app.test_client()
    login_as(other, make_user("olga@example.com", name="Olga Other", roles={Role.TRAINER}))
    form = node_form(id="won", kind="end", say_en="Olga's ending.", end="success")
    assert other.post(
        "/author/scenarios/cold-call/nodes/won", data={**form, "revision": start}
    ).status_code in (302, 303)
    mine = node_form(id="won", kind="end", say_en="Tara's ending.", end="success")
    response = client.post(
        "/author/scenarios/cold-call/nodes/won", data={**mine, "revision": start}
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Olga Other saved this at" in page and "Tara&#39;s ending." in page
    shown_revision = re.search(r'name="revision" value="(\d+)"', page).group(1)
    assert shown_revision == str(int(start) + 1)
    assert draft_of(db, "cold-call").document["nodes"]["won"]["say"] == {"en": "Olga's ending."}

    settings = {"language": "en", "title-en": "Tara's title", "revision": start}
    response = client.post("/author/scenarios/cold-call", data=settings)
    assert response.status_code == 409
    assert 'value="Tara&#39;s title"' in response.get_data(as_text=True)
    assert draft_of(db, "cold-call").document["title"] == {"en": "Cold call"}

    # a move carries nothing typed: it is refused and the trainer sent back to the drill
    moved = client.post(
        "/author/scenarios/cold-call/nodes/won/move",
        data={"direction": "up", "revision": start},
        follow_redirects=True,
    )
    assert "Olga Other saved this draft while you were editing it" in moved.get_data(as_text=True)

    # saving again from the page shown back replaces Olga's version knowingly
    again = client.post(
        "/author/scenarios/cold-call/nodes/won", data={**mine, "revision": shown_revision}
    )
    assert again.status_code == 302
    assert draft_of(db, "cold-call").document["nodes"]["won"]["say"] == {"en": "Tara's ending."}
