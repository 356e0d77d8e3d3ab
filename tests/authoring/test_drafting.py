"""The shared drafting services and the table of trainer messages.

Every rule of `lms.authoring.messages.RULES` is matched by a real importer message here, and its
sentence names the field and says what to do in English and in Chinese. The drafting services
refuse with an outcome and write nothing: a stale revision, a document that does not pass."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from lms.authoring import drafting
from lms.authoring.messages import RULES, in_sentence, trainer_message
from lms.authoring.models import ContentDraft
from lms.content import store
from lms.quizzes import editing as quiz_editing

LABEL = "Pass score (0–100)"
#: The label inside a sentence: without the capital it has on the form.
IN_SENTENCE = "pass score (0–100)"
ZH_LABEL = "及格分（0–100）"

#: (the importer's message, the English sentence, the Chinese sentence) for each rule.
SAMPLES = [
    ("must not be empty", f"Write {IN_SENTENCE}.", f"请填写{ZH_LABEL}。"),
    ("required key 'prompt' is missing", f"Write {IN_SENTENCE}.", f"请填写{ZH_LABEL}。"),
    (
        "'150' is not between '0' and '100'",
        f"Enter a number from 0 to 100 for {IN_SENTENCE}.",
        f"请为{ZH_LABEL}输入 0 到 100 之间的数字。",
    ),
    ("'-1' must be at least '0'", f"Enter 0 or more for {IN_SENTENCE}.", None),
    ("'99' must be at most '10'", f"Enter 10 or less for {IN_SENTENCE}.", None),
    ("'0' must be greater than '0'", f"Enter a number above 0 for {IN_SENTENCE}.", None),
    (
        "expected a whole number, found 'ten'",
        f"Enter a whole number for {IN_SENTENCE}.",
        f"请为{ZH_LABEL}输入整数。",
    ),
    ("has 1 choices; expected 2..10", f"{LABEL} has 1; give 2–10.", None),
    ("has 0 steps; expected at least 3", f"{LABEL} has 0; give 3+.", None),
    (
        "has 2 correct choices; a single-choice question has exactly one",
        f"Mark exactly one answer as correct in {IN_SENTENCE}.",
        None,
    ),
    ("has 0 correct choices", f"Mark at least one answer as correct in {IN_SENTENCE}.", None),
    ("unknown skill 'juggling'", f"Pick a skill of the framework for {IN_SENTENCE}.", None),
    ("expected at least 1 skill", f"Give {IN_SENTENCE} at least one skill with a weight.", None),
    (
        "invalid lesson id 'A B': ids use lowercase letters",
        f"Use lowercase letters, digits and '-' for {IN_SENTENCE} (for example: price-basics).",
        None,
    ),
    ("duplicate question id 'q1'", f"{LABEL} is used already: choose another one.", None),
    (
        "unknown lesson 'x': no file x.md in this folder",
        f"Pick a lesson of the same course for {IN_SENTENCE}.",
        f"请为{ZH_LABEL}选择同一课程中的课时。",
    ),
    ("unknown quiz 'nope'", f"Pick published content for {IN_SENTENCE}.", None),
    ("unknown node 'clarfy'", f"Pick a node of this drill for {IN_SENTENCE}.", None),
    (
        "day 45 is not inside phase 'first-30' (days 1..30)",
        f"Choose a day inside the item's phase for {IN_SENTENCE}.",
        None,
    ),
    (
        "until_day values must be strictly increasing",
        f"Let each phase end on a later day than the one before ({IN_SENTENCE}).",
        None,
    ),
    (
        "node 'island' is not reachable from start",
        f"Lead a reply to {IN_SENTENCE}, or delete it: no conversation reaches it.",
        None,
    ),
    (
        "the nodes form a cycle: a -> b -> a",
        f"Change where a reply of {IN_SENTENCE} leads: the conversation goes round in a circle.",
        None,
    ),
    (
        "no end node is 'success'",
        f"Choose Success under How it ends for at least one end node of {IN_SENTENCE}.",
        None,
    ),
    (
        "skill 'closing' is not listed in the scenario's skills",
        "Tick this skill under Skills practised in the drill's settings, or leave "
        f"{IN_SENTENCE} empty.",
        None,
    ),
    ("unknown end 'maybe'", f"Choose how the conversation ends for {IN_SENTENCE}.", None),
    ("the lesson has no body", f"Write {IN_SENTENCE}.", None),
    ("'q1' is listed twice", f"{LABEL} is listed twice: remove one of them.", None),
    (
        "id 'x' does not match the course name",
        f"Use lowercase letters, digits and '-' for {IN_SENTENCE} (for example: price-basics).",
        None,
    ),
    ("has 0 modules; expected at least 1", f"{LABEL} has 0; give 1+.", None),
    ("has 1 nodes; expected 2..60", f"{LABEL} has 1; give 2–60.", None),
    ("invalid language tag 'xx_YY!'", f"Choose a language for {IN_SENTENCE}.", None),
    ("unknown key 'colour'", f"Remove {IN_SENTENCE}: it is not something this form knows.", None),
]


def test_every_rule_of_the_table_has_a_sample():
    matched = set()
    for message, _english, _chinese in SAMPLES:
        for index, (pattern, _sentence, _choice) in enumerate(RULES):
            if pattern.search(message):
                matched.add(index)
                break
    assert matched == set(range(len(RULES)))


@pytest.mark.parametrize(("message", "english", "chinese"), SAMPLES)
def test_each_problem_becomes_one_sentence_in_both_languages(app, message, english, chinese):
    with app.test_request_context():
        with force_locale("en"):
            assert trainer_message(message, LABEL) == english
        with force_locale("zh_CN"):
            said = trainer_message(message, ZH_LABEL)
            assert ZH_LABEL in said
            assert re.search(r"[\u4e00-\u9fff]", said.replace(ZH_LABEL, ""))  # translated
            if chinese is not None:
                assert said == chinese


def test_a_problem_no_rule_knows_still_names_the_field(app):
    with app.test_request_context(), force_locale("en"):
        said = trainer_message("something the importer never said before", LABEL)
    assert said == f"Check {IN_SENTENCE}: it is not valid yet."


@pytest.mark.parametrize(
    ("label", "inside"),
    [
        ("What the customer says (English)", "what the customer says (English)"),
        ("Rubric line 1: Skill it is evidence for", "rubric line 1: Skill it is evidence for"),
        ("Id", "id"),
        ("CRM notes", "CRM notes"),  # an abbreviation
        ("SPIN question", "SPIN question"),
        ("PowerPoint file", "PowerPoint file"),  # a capital inside the word: a name
        ("English title", "English title"),  # a language's name
        ("Chinese summary", "Chinese summary"),
        ("Markdown text", "Markdown text"),
        ("Englishness", "englishness"),  # only the whole word is a name
        ("A", "a"),
        ("及格分（0–100）", "及格分（0–100）"),  # no case
        ("(Optional) note", "(Optional) note"),
        ("", ""),
    ],
)
def test_a_label_inside_a_sentence_loses_its_capital_unless_a_name_or_an_abbreviation(
    label, inside
):
    assert in_sentence(label) == inside


def test_the_label_keeps_its_capital_where_the_sentence_starts_with_it(app):
    with app.test_request_context(), force_locale("en"):
        said = trainer_message("has 0 steps; expected at least 3", "Steps")
        assert said == "Steps has 0; give 3+."
        assert trainer_message("must not be empty", "CRM notes") == "Write CRM notes."
        assert trainer_message("must not be empty", "English title") == "Write English title."


CHOICE_LABEL = "The conversation starts at"


@pytest.mark.parametrize(
    "message",
    ["must not be empty", "required key 'start' is missing", "expected a text, found 3"],
)
def test_a_missing_value_of_a_choice_field_asks_to_choose_it_in_both_languages(app, message):
    with app.test_request_context():
        with force_locale("en"):
            assert trainer_message(message, CHOICE_LABEL, choice=True) == (
                "Choose the conversation starts at."
            )
            assert trainer_message(message, CHOICE_LABEL) == "Write the conversation starts at."
        with force_locale("zh_CN"):
            assert trainer_message(message, "对话开始于", choice=True) == "请选择对话开始于。"
            assert trainer_message(message, "对话开始于") == "请填写对话开始于。"


def test_a_choice_field_keeps_the_other_sentences(app):
    """Only a missing value reads differently for a choice: the rest already says what to do."""
    with app.test_request_context(), force_locale("en"):
        said = trainer_message("unknown node 'clarfy'", "Reply 1: Leads to", choice=True)
        assert said == "Pick a node of this drill for reply 1: Leads to."
        said = trainer_message("never said before", "Reply 1: Leads to", choice=True)
        assert said == "Check reply 1: Leads to: it is not valid yet."


def test_read_number_keeps_what_is_not_a_number_short():
    assert drafting.read_number(" 42 ") == 42
    assert drafting.read_number("-7") == -7
    assert drafting.read_number("2.5") == "2.5"
    assert drafting.read_number("2.5", decimals=True) == 2.5
    assert drafting.read_number("") is None and drafting.read_number(None) is None
    assert drafting.read_number(["4"]) is None  # not a form value at all
    assert drafting.read_number("9" * 1000) == "9" * drafting.MAX_NUMBER_CHARS
    assert drafting.read_number("٤٢") == "٤٢"  # other scripts' digits are not read as numbers


def test_split_place_adds_the_missing_key():
    assert drafting.split_place("questions[2].choices[1].text.en") == (
        "questions",
        2,
        "choices",
        1,
        "text",
        "en",
    )
    assert drafting.split_place("phases[0]", "required key 'until_day' is missing") == (
        "phases",
        0,
        "until_day",
    )


def _drafts(db) -> list[ContentDraft]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ContentDraft).order_by(ContentDraft.id)))


def test_a_stale_save_is_refused_with_the_name_and_writes_nothing(app, db, content, make_user):
    from lms.people.models import Role

    tara = make_user("tara2@example.com", name="Tara Two", roles={Role.TRAINER})
    olga = make_user("olga2@example.com", name="Olga Two", roles={Role.TRAINER})
    with app.test_request_context():
        state, problems = quiz_editing.create("calls", "alpha", {"en": "Calls"}, actor=tara)
        assert problems == {} and state.revision == 1
        mine = quiz_editing.editing("calls")
        theirs = quiz_editing.editing("calls")
        loaded = mine.revision  # what both pages were loaded with
        outcome = drafting.save(
            theirs, {**theirs.document, "pass_score": 60}, actor=olga, revision=loaded
        )
        assert outcome.is_done and theirs.revision == 2
        with force_locale("en"):
            outcome = drafting.save(
                mine, {**mine.document, "pass_score": 90}, actor=tara, revision=loaded
            )
        assert not outcome.is_done
        assert outcome.message.startswith("Olga Two saved this draft while you were editing it.")
        (only,) = _drafts(db)
        assert (only.revision, only.document["pass_score"]) == (2, 60)
        assert only.updated_by_id == olga.id


def test_publishing_a_document_that_does_not_pass_is_refused_and_writes_nothing(
    app, db, content, make_user
):
    from lms.people.models import Role

    tara = make_user("tara3@example.com", name="Tara Three", roles={Role.TRAINER})
    with app.test_request_context(), force_locale("en"):
        state, _problems = quiz_editing.create("calls", "alpha", {"en": "Calls"}, actor=tara)
        checked = quiz_editing.check(state.document, state.slug)
        outcome = drafting.publish(state, checked, actor=tara)
        assert not outcome.is_done
        assert outcome.message == "Fix the 1 problems marked below before publishing."
        assert store.current_version("quiz", "calls") is None
        assert [d.slug for d in _drafts(db)] == ["calls"]


def test_a_new_id_is_checked_in_the_trainers_words(app, db, content):
    with app.test_request_context(), force_locale("en"):
        assert drafting.id_problem("quiz", "Bad Id", "Quiz id") == (
            "Use lowercase letters, digits and '-' for quiz id (for example: price-basics)."
        )
        assert drafting.id_problem("quiz", "alpha-check", "Quiz id") == (
            "Quiz id is used already: choose another one."
        )
        assert drafting.id_problem("quiz", "fresh-one", "Quiz id") == ""
