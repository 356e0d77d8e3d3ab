"""One test per validation rule of content-format.md (and the project's extras).

Each test breaks the valid fixture tree in one place and checks that the error names the file,
the place, the offending value and, where the parser knows it, the line.
"""

from __future__ import annotations

import shutil

import pytest

from lms.content import ValidationError, load_tree

SKILLS = "courses/skills.yaml"
COURSE = "courses/time-management/course.yaml"
LESSON = "courses/time-management/plan-your-day.md"
VARIANT = "courses/time-management/plan-your-day.zh-CN.md"
QUIZ = "courses/time-management/time-basics.quiz.yaml"
SCENARIO = "scenarios/price-too-high.yaml"
PATH = "courses/paths/new-sales-rep.yaml"


# --- the fixture and the error format ------------------------------------------------------------


def test_fixture_tree_is_valid(ws):
    result = ws.load()
    assert result.ok, [str(e) for e in result.errors]
    tree = result.tree
    assert len(tree.framework.skills) == 5
    assert set(tree.courses) == {"time-management"}
    assert tree.lessons["plan-your-day"].title.get("zh-CN") == "计划你的一天"
    assert {q.kind for q in tree.quizzes["time-basics"].questions} == {
        "single",
        "multiple",
        "true-false",
    }
    kinds = {node.kind for node in tree.scenarios["price-too-high"].nodes.values()}
    assert kinds == {"choice", "open", "end"}
    assert tree.paths["new-sales-rep"].phases[1].until_day == 60


def test_error_str_format():
    error = ValidationError(
        "scenarios/price.yaml", 41, "nodes.opening.choices[1].next", "unknown node 'clarfy'"
    )
    assert (
        str(error)
        == "scenarios/price.yaml:41: nodes.opening.choices[1].next: unknown node 'clarfy'"
    )
    assert (
        str(ValidationError("courses/skills.yaml", None, "skills", "x"))
        == "courses/skills.yaml: skills: x"
    )
    assert str(ValidationError("a.yaml", 3, "", "bad")) == "a.yaml:3: bad"


def test_all_errors_are_collected_across_files(ws):
    ws.replace(QUIZ, "pass_score: 80", "pass_score: 180")
    ws.replace(QUIZ, "max_attempts: 3", "max_attempts: -3")
    ws.replace(SCENARIO, "pass_score: 70", "pass_score: -5")
    ws.replace(PATH, "until_day: 60", "until_day: 10")
    result = ws.load()
    files = [error.file for error in result.errors]
    assert files.count(QUIZ) == 2 and SCENARIO in files and PATH in files


# --- ids ----------------------------------------------------------------------------------------


def test_id_must_match_the_pattern(ws, expect):
    line = ws.replace(QUIZ, "id: q1", "id: Q_1")
    expect(ws.load(), QUIZ, "questions[0].id", "invalid question id 'Q_1'", line=line)


def test_id_too_long(ws, expect):
    long_id = "a" * 65
    line = ws.replace(PATH, "id: basics", f"id: {long_id}")
    expect(ws.load(), PATH, "phases[0].items[0].id", long_id[:20], line=line)


def test_file_id_must_match_file_name(ws, expect):
    line = ws.replace(SCENARIO, "id: price-too-high", "id: price-is-high")
    expect(ws.load(), SCENARIO, "id", "'price-is-high'", "'price-too-high'", line=line)


def test_duplicate_skill_id(ws, expect):
    line = ws.replace(SKILLS, "id: planning", "id: goal-setting")
    expect(ws.load(), SKILLS, "skills[1].id", "duplicate skill id 'goal-setting'", line=line)


def test_duplicate_question_id(ws, expect):
    line = ws.replace(QUIZ, "id: q2", "id: q1")
    expect(ws.load(), QUIZ, "questions[1].id", "duplicate question id 'q1'", line=line)


def test_duplicate_node_id(ws, expect):
    ws.replace(SCENARIO, "  later:\n", "  lost:\n")
    text = ws.read(SCENARIO)
    second = text[: text.rindex("  lost:\n")].count("\n") + 1
    expect(ws.load(), SCENARIO, "nodes.lost", "duplicate key 'lost'", line=second)


def test_duplicate_path_item_id(ws, expect):
    line = ws.replace(PATH, "id: own-calls", "id: basics")
    expect(ws.load(), PATH, "phases[1].items[0].id", "duplicate item id 'basics'", line=line)


def test_duplicate_phase_id(ws, expect):
    line = ws.replace(PATH, "id: days-31-60", "id: first-30")
    expect(ws.load(), PATH, "phases[1].id", "duplicate phase id 'first-30'", line=line)


def test_duplicate_lesson_id_across_courses(ws, expect):
    other = ws.path("courses/second")
    other.mkdir()
    (other / "course.yaml").write_text(
        "id: second\ntitle: Second\nmodules:\n"
        "  - title: M\n    items:\n      - lesson: plan-your-day\n"
    )
    shutil.copy(ws.path(LESSON), other / "plan-your-day.md")
    result = ws.load()
    expect(
        result,
        "courses/time-management/plan-your-day.md",
        "id",
        "duplicate lesson id 'plan-your-day'",
        "courses/second/plan-your-day.md",
        line=2,
    )


def test_duplicate_quiz_id_across_courses(ws, expect):
    ws.write(
        "courses/second/course.yaml",
        "id: second\ntitle: S\nmodules:\n  - title: M\n    items:\n      - quiz: time-basics\n",
    )
    shutil.copy(ws.path(QUIZ), ws.path("courses/second/time-basics.quiz.yaml"))
    result = ws.load()
    expect(result, QUIZ, "id", "duplicate quiz id 'time-basics'", line=1)


def test_duplicate_scenario_and_course_and_path_ids_across_roots(ws, tmp_path, expect):
    second = tmp_path / "second"
    shutil.copytree(ws.root / "scenarios", second / "scenarios")
    (second / "courses" / "paths").mkdir(parents=True)
    shutil.copy(ws.path(PATH), second / "courses" / "paths" / "new-sales-rep.yaml")
    shutil.copytree(ws.path("courses/time-management"), second / "courses" / "time-management")
    result = load_tree([ws.root, second])
    # both roots show their files as courses/... and scenarios/...
    expect(result, SCENARIO, "id", "duplicate scenario id 'price-too-high'", line=1)
    expect(result, PATH, "id", "duplicate path id 'new-sales-rep'", line=1)
    expect(result, COURSE, "id", "duplicate course id 'time-management'", line=1)


# --- keys ---------------------------------------------------------------------------------------


def test_unknown_key_is_a_typo(ws, expect):
    line = ws.replace(QUIZ, "correct: true\n        feedback", "corect: true\n        feedback")
    result = ws.load()
    expect(
        result,
        QUIZ,
        "questions[0].choices[0].corect",
        "unknown key 'corect'",
        "did you mean 'correct'",
        line=line,
    )


def test_unknown_top_level_key(ws, expect):
    line = ws.replace(QUIZ, "pass_score: 80", "pass_scor: 80")
    result = ws.load()
    expect(result, QUIZ, "pass_scor", "unknown key 'pass_scor'", "'pass_score'", line=line)
    expect(result, QUIZ, "", "required key 'pass_score' is missing", line=1)


def test_documented_extras_are_accepted(ws):
    tree = ws.load().tree
    assert tree.scenarios["price-too-high"].difficulty == 2
    assert tree.scenarios["price-too-high"].persona.company.get("en") == "Acme Distribution"
    assert tree.scenarios["price-too-high"].persona.industry.get("en") == "Wholesale"
    assert tree.quizzes["time-basics"].time_limit_minutes == 15


def test_skills_yaml_language_extra(ws):
    ws.replace(SKILLS, "framework:", "language: zh-CN\nframework:")
    tree = ws.load().tree
    assert tree.framework.language == "zh-CN"
    assert tree.framework.skill("objection-handling").name.values == {"zh-CN": "Objection handling"}


def test_required_key_missing(ws, expect):
    ws.replace(SCENARIO, "    say: Goodbye.\n", "")
    line = ws.line(SCENARIO, "  lost:")
    expect(ws.load(), SCENARIO, "nodes.lost", "required key 'say' is missing", line=line)


# --- texts and languages ------------------------------------------------------------------------


def test_text_must_be_string_or_locale_map(ws, expect):
    line = ws.replace(COURSE, "  - title: Plan the day", "  - title: [Plan, the day]")
    expect(ws.load(), COURSE, "modules[0].title", "expected a text", "found a list", line=line)


def test_text_map_needs_locale_keys(ws, expect):
    line = ws.replace(
        SKILLS, "{en: Planning, zh-CN: 计划制定}", "{en: Planning, chinese_simplified: 计划制定}"
    )
    expect(
        ws.load(),
        SKILLS,
        "skills[1].name.chinese_simplified",
        "invalid language tag 'chinese_simplified'",
        line=line,
    )


def test_text_must_not_be_empty(ws, expect):
    line = ws.replace(SCENARIO, "say: Goodbye.", 'say: "  "')
    expect(ws.load(), SCENARIO, "nodes.lost.say", "must not be empty", line=line)


def test_text_map_values_are_strings(ws, expect):
    line = ws.replace(QUIZ, "title: {en: Time basics, zh-CN: 时间管理基础}", "title: {en: 42}")
    expect(ws.load(), QUIZ, "title.en", "expected a string", "42", line=line)


def test_markdown_field_must_be_text(ws, expect):
    line = ws.replace(SCENARIO, "summary: A buyer says your price is *too high*.", "summary: 12.5")
    expect(ws.load(), SCENARIO, "summary", "expected a text", "12.5", line=line)


def test_plain_text_takes_the_file_language(ws):
    ws.replace(SCENARIO, "language: en", "language: zh-CN")
    scenario = ws.load().tree.scenarios["price-too-high"]
    assert scenario.nodes["lost"].say.values == {"zh-CN": "Goodbye."}
    assert scenario.title.get("fr", "zh-CN") == "价格太高"


def test_language_must_be_a_locale(ws, expect):
    line = ws.replace(COURSE, "language: en", "language: english_US")
    expect(ws.load(), COURSE, "language", "invalid language tag 'english_US'", line=line)


def test_language_defaults_to_en(ws):
    ws.replace(COURSE, "language: en\n", "")
    assert ws.load().tree.courses["time-management"].language == "en"


# --- skills.yaml --------------------------------------------------------------------------------


def test_skills_yaml_is_required(ws, expect):
    ws.remove(SKILLS)
    expect(ws.load(), SKILLS, "", "missing", "skills.yaml")


def test_only_one_skills_yaml(ws, tmp_path, expect):
    other = tmp_path / "other" / "courses"
    other.mkdir(parents=True)
    shutil.copy(ws.path(SKILLS), other / "skills.yaml")
    result = load_tree([ws.root, other])
    second = [e for e in result.errors if "second skill framework" in e.message]
    assert len(second) == 1 and second[0].file == "courses/skills.yaml", [
        str(e) for e in result.errors
    ]
    assert "exactly one skills.yaml" in second[0].message


def test_skills_need_at_least_one(ws, expect):
    ws.write(SKILLS, "framework: x\ntitle: X\nskills: []\n")
    expect(ws.load(), SKILLS, "skills", "has 0 skills", line=3)


def test_framework_id_checked(ws, expect):
    line = ws.replace(SKILLS, "framework: sales-execution", "framework: Sales Execution")
    expect(ws.load(), SKILLS, "framework", "invalid framework id 'Sales Execution'", line=line)


# --- courses ------------------------------------------------------------------------------------


def test_course_item_lesson_must_exist(ws, expect):
    line = ws.replace(COURSE, "lesson: plan-your-day", "lesson: plan-your-dya")
    expect(
        ws.load(),
        COURSE,
        "modules[0].items[0].lesson",
        "unknown lesson 'plan-your-dya'",
        "did you mean 'plan-your-day'",
        line=line,
    )


def test_course_item_quiz_must_exist_in_the_folder(ws, expect):
    line = ws.replace(COURSE, "quiz: time-basics", "quiz: time-basic")
    expect(ws.load(), COURSE, "modules[0].items[1].quiz", "unknown quiz 'time-basic'", line=line)


def test_course_item_scenario_must_exist(ws, expect):
    line = ws.replace(COURSE, "scenario: price-too-high", "scenario: price-too-low")
    expect(
        ws.load(),
        COURSE,
        "modules[0].items[2].scenario",
        "unknown scenario 'price-too-low'",
        line=line,
    )


def test_course_item_names_exactly_one_thing(ws, expect):
    line = ws.replace(
        COURSE, "      - quiz: time-basics", "      - {quiz: time-basics, lesson: plan-your-day}"
    )
    expect(
        ws.load(),
        COURSE,
        "modules[0].items[1]",
        "exactly one of lesson, quiz, scenario",
        "'quiz'",
        line=line,
    )


def test_course_item_unknown_kind(ws, expect):
    line = ws.replace(COURSE, "      - quiz: time-basics", "      - video: intro")
    result = ws.load()
    expect(result, COURSE, "modules[0].items[1].video", "unknown key 'video'", line=line)


def test_course_item_listed_twice(ws, expect):
    line = ws.replace(COURSE, "      - quiz: time-basics", "      - lesson: plan-your-day")
    expect(
        ws.load(),
        COURSE,
        "modules[0].items[1].lesson",
        "'plan-your-day' is listed twice",
        line=line,
    )


def test_course_folder_needs_course_yaml(ws, expect):
    ws.remove(COURSE)
    expect(ws.load(), COURSE, "", "missing", "course.yaml")


def test_course_skills_must_exist(ws, expect):
    line = ws.replace(
        COURSE, "skills: [time-management, planning]", "skills: [time-management, plannig]"
    )
    expect(
        ws.load(),
        COURSE,
        "skills[1]",
        "unknown skill 'plannig'",
        "did you mean 'planning'",
        line=line,
    )


def test_unexpected_file_in_course_folder(ws, expect):
    ws.write("courses/time-management/time-basics.quizz.yaml", "id: x\n")
    expect(ws.load(), "courses/time-management/time-basics.quizz.yaml", "", "unexpected file")


# --- lessons ------------------------------------------------------------------------------------


def test_lesson_needs_front_matter(ws, expect):
    ws.write(LESSON, "# Plan your day\n\nNo front matter.\n")
    expect(ws.load(), LESSON, "", "front matter", line=1)


def test_lesson_front_matter_must_close(ws, expect):
    ws.write(LESSON, "---\nid: plan-your-day\ntitle: Plan\n# body\n")
    expect(ws.load(), LESSON, "", "not closed", line=1)


def test_lesson_front_matter_unknown_key(ws, expect):
    line = ws.replace(LESSON, "minutes: 8", "minuts: 8")
    expect(ws.load(), LESSON, "minuts", "unknown key 'minuts'", "did you mean 'minutes'", line=line)


def test_lesson_minutes_positive_whole_number(ws, expect):
    line = ws.replace(LESSON, "minutes: 8", "minutes: 7.5")
    expect(ws.load(), LESSON, "minutes", "expected a whole number", "7.5", line=line)


def test_lesson_skills_must_exist(ws, expect):
    line = ws.replace(LESSON, "skills: [time-management]", "skills: [time-mgmt]")
    expect(ws.load(), LESSON, "skills[0]", "unknown skill 'time-mgmt'", line=line)


def test_lesson_needs_a_body(ws, expect):
    text = ws.read(LESSON)
    ws.write(LESSON, text[: text.index("# Plan your day")])
    expect(ws.load(), LESSON, "body", "no body")


def test_lesson_id_matches_file(ws, expect):
    line = ws.replace(LESSON, "id: plan-your-day", "id: plan-the-day")
    expect(ws.load(), LESSON, "id", "'plan-the-day'", "'plan-your-day'", line=line)


# --- locale variants ----------------------------------------------------------------------------


def test_variant_overrides_title_and_body(ws):
    lesson = ws.load().tree.lessons["plan-your-day"]
    assert lesson.title.values == {"en": "Plan your day", "zh-CN": "计划你的一天"}
    assert lesson.body.get("zh-CN").startswith("# 计划你的一天")
    assert lesson.skills == ("time-management",) and lesson.minutes == 8


def test_variant_needs_the_plain_file(ws, expect):
    shutil.copy(ws.path(VARIANT), ws.path("courses/time-management/other-lesson.zh-CN.md"))
    ws.replace(
        "courses/time-management/other-lesson.zh-CN.md", "id: plan-your-day", "id: other-lesson"
    )
    expect(
        ws.load(), "courses/time-management/other-lesson.zh-CN.md", "", "other-lesson.md is missing"
    )


def test_variant_sets_only_id_and_title(ws, expect):
    line = ws.replace(VARIANT, "title: 计划你的一天", "title: 计划你的一天\nminutes: 9")
    expect(
        ws.load(), VARIANT, "minutes", "'minutes' comes from the plain lesson file", line=line + 1
    )


def test_variant_has_the_same_id(ws, expect):
    line = ws.replace(VARIANT, "id: plan-your-day", "id: plan-my-day")
    expect(ws.load(), VARIANT, "id", "'plan-my-day'", "'plan-your-day'", line=line)


def test_variant_locale_must_be_valid(ws, expect):
    shutil.copy(ws.path(VARIANT), ws.path("courses/time-management/plan-your-day.chinese.md"))
    expect(
        ws.load(),
        "courses/time-management/plan-your-day.chinese.md",
        "",
        "invalid language tag 'chinese'",
    )


def test_variant_in_the_course_language_is_an_error(ws, expect):
    shutil.copy(ws.path(VARIANT), ws.path("courses/time-management/plan-your-day.en.md"))
    expect(
        ws.load(),
        "courses/time-management/plan-your-day.en.md",
        "",
        "'en' is the course's language",
    )


# --- quizzes ------------------------------------------------------------------------------------


def test_question_kind_registry(ws, expect):
    line = ws.replace(QUIZ, "kind: single", "kind: singel")
    expect(
        ws.load(),
        QUIZ,
        "questions[0].kind",
        "unknown question kind 'singel'",
        "true-false",
        line=line,
    )


def test_single_has_exactly_one_correct(ws, expect):
    ws.replace(QUIZ, "      - text: Email\n", "      - text: Email\n        correct: true\n")
    line = ws.line(QUIZ, "    choices:")
    expect(
        ws.load(), QUIZ, "questions[0].choices", "has 2 correct choices", "exactly one", line=line
    )


def test_multiple_has_at_least_one_correct(ws, expect):
    text = ws.read(QUIZ)
    start = text.index("  - id: q2")
    end = text.index("  - id: q3")
    ws.write(
        QUIZ, text[:start] + text[start:end].replace("correct: true", "correct: false") + text[end:]
    )
    line = ws.line(QUIZ, "Which are revenue") + 2
    expect(
        ws.load(), QUIZ, "questions[1].choices", "has 0 correct choices", "at least one", line=line
    )


def test_choices_at_least_two(ws, expect):
    ws.replace(QUIZ, "      - text: Email\n", "")
    line = ws.line(QUIZ, "    choices:")
    expect(ws.load(), QUIZ, "questions[0].choices", "has 1 choices", "2 to 10", line=line)


def test_choices_at_most_ten(ws, expect):
    extra = "".join(f"      - text: Option {n}\n" for n in range(10))
    ws.replace(QUIZ, "      - text: Email\n", "      - text: Email\n" + extra)
    line = ws.line(QUIZ, "    choices:")
    expect(ws.load(), QUIZ, "questions[0].choices", "has 12 choices", "2 to 10", line=line)


def test_true_false_needs_answer(ws, expect):
    ws.replace(QUIZ, "    answer: true\n", "")
    line = ws.line(QUIZ, "  - id: q3")
    expect(ws.load(), QUIZ, "questions[2]", "required key 'answer' is missing", line=line)


def test_true_false_has_no_choices(ws, expect):
    line = ws.replace(
        QUIZ, "    answer: true\n", "    answer: true\n    choices: [{text: a}, {text: b}]\n"
    )
    expect(
        ws.load(),
        QUIZ,
        "questions[2].choices",
        "'choices' does not belong in a true-false question",
        line=line + 1,
    )


def test_true_false_answer_is_boolean(ws, expect):
    line = ws.replace(QUIZ, "    answer: true", "    answer: maybe")
    expect(ws.load(), QUIZ, "questions[2].answer", "expected true or false", "'maybe'", line=line)


def test_single_has_no_answer(ws, expect):
    line = ws.replace(QUIZ, "    explanation: Revenue activity first.", "    answer: true")
    expect(
        ws.load(), QUIZ, "questions[0].answer", "does not belong in a single question", line=line
    )


def test_weights_positive(ws, expect):
    line = ws.replace(
        QUIZ, "{time-management: 1, planning: 0.5}", "{time-management: 1, planning: 0}"
    )
    expect(ws.load(), QUIZ, "questions[0].skills.planning", "0 must be greater than 0", line=line)


def test_weights_at_least_one(ws, expect):
    line = ws.replace(QUIZ, "skills: {planning: 1}", "skills: {}")
    expect(ws.load(), QUIZ, "questions[2].skills", "at least 1 skill", line=line)


def test_question_skills_must_exist(ws, expect):
    line = ws.replace(QUIZ, "skills: {planning: 1}", "skills: {plan: 1}")
    expect(ws.load(), QUIZ, "questions[2].skills.plan", "unknown skill 'plan'", line=line)


def test_pass_score_between_0_and_100(ws, expect):
    line = ws.replace(QUIZ, "pass_score: 80", "pass_score: 120")
    expect(ws.load(), QUIZ, "pass_score", "120 is not between 0 and 100", line=line)


def test_max_attempts_not_negative(ws, expect):
    line = ws.replace(QUIZ, "max_attempts: 3", "max_attempts: -1")
    expect(ws.load(), QUIZ, "max_attempts", "-1 must be at least 0", line=line)


def test_max_attempts_zero_is_unlimited(ws):
    ws.replace(QUIZ, "max_attempts: 3", "max_attempts: 0")
    assert ws.load().tree.quizzes["time-basics"].max_attempts == 0


def test_draw_at_most_the_number_of_questions(ws, expect):
    line = ws.replace(QUIZ, "draw: 2", "draw: 4")
    expect(ws.load(), QUIZ, "draw", "4 is not between 1 and 3", line=line)


def test_draw_at_least_one(ws, expect):
    line = ws.replace(QUIZ, "draw: 2", "draw: 0")
    expect(ws.load(), QUIZ, "draw", "0 is not between 1 and 3", line=line)


def test_time_limit_positive(ws, expect):
    line = ws.replace(QUIZ, "time_limit_minutes: 15", "time_limit_minutes: 0")
    expect(ws.load(), QUIZ, "time_limit_minutes", "0 must be at least 1", line=line)


def test_shuffle_is_boolean(ws, expect):
    line = ws.replace(QUIZ, "shuffle: true", "shuffle: often")
    expect(ws.load(), QUIZ, "shuffle", "expected true or false", "'often'", line=line)


def test_quiz_needs_questions(ws, expect):
    text = ws.read(QUIZ)
    ws.write(QUIZ, text[: text.index("questions:")] + "questions: []\n")
    expect(ws.load(), QUIZ, "questions", "has 0 questions", "at least 1")


# --- scenarios ----------------------------------------------------------------------------------


def test_start_must_exist(ws, expect):
    line = ws.replace(SCENARIO, "start: opening", "start: openning")
    expect(
        ws.load(), SCENARIO, "start", "unknown node 'openning'", "did you mean 'opening'", line=line
    )


def test_next_must_name_a_node(ws, expect):
    line = ws.replace(SCENARIO, "next: clarify", "next: clarfy")
    result = ws.load()
    error = expect(
        result, SCENARIO, "nodes.opening.choices[0].next", "unknown node 'clarfy'", line=line
    )
    assert str(error).startswith(
        f"{SCENARIO}:{line}: nodes.opening.choices[0].next: unknown node 'clarfy'"
    )


def test_open_node_next_must_name_a_node(ws, expect):
    line = ws.replace(SCENARIO, "next: close", "next: closing")
    expect(ws.load(), SCENARIO, "nodes.reflect.next", "unknown node 'closing'", line=line)


def test_every_node_reachable(ws, expect):
    ws.replace(SCENARIO, "  lost:\n", "  orphan:\n    say: Hm.\n    end: fail\n  lost:\n")
    line = ws.line(SCENARIO, "  orphan:")
    expect(
        ws.load(),
        SCENARIO,
        "nodes.orphan",
        "node 'orphan' is not reachable from start 'opening'",
        line=line,
    )


def test_no_cycle_and_the_error_names_it(ws, expect):
    ws.replace(SCENARIO, "        next: later", "        next: clarify")
    result = ws.load()
    cycle = [e for e in result.errors if "cycle" in e.message]
    assert len(cycle) == 1, [str(e) for e in result.errors]
    assert "clarify -> reflect -> close -> clarify" in cycle[0].message
    assert cycle[0].file == SCENARIO and cycle[0].place == "nodes.clarify"
    assert cycle[0].line == ws.line(SCENARIO, "  clarify:")


def test_self_loop_is_a_cycle(ws, expect):
    ws.replace(SCENARIO, "        next: later", "        next: close")
    expect(ws.load(), SCENARIO, "nodes.close", "cycle: close -> close")


def test_end_kind_registry(ws, expect):
    line = ws.replace(SCENARIO, "end: partial", "end: draw")
    expect(
        ws.load(),
        SCENARIO,
        "nodes.later.end",
        "unknown end 'draw'",
        "success, partial, fail",
        line=line,
    )


def test_end_node_has_nothing_that_leads_on(ws, expect):
    line = ws.replace(SCENARIO, "    end: fail\n", "    end: fail\n    next: opening\n")
    expect(
        ws.load(),
        SCENARIO,
        "nodes.lost.next",
        "'next' does not belong in a end node",
        line=line + 1,
    )


def test_node_must_lead_on_or_end(ws, expect):
    ws.replace(SCENARIO, "    end: fail\n", "")
    line = ws.line(SCENARIO, "  lost:")
    expect(ws.load(), SCENARIO, "nodes.lost", "does not lead on", line=line)


def test_node_is_one_kind_only(ws, expect):
    ws.replace(
        SCENARIO, "    end: success\n", "    end: success\n    choices: [{text: x, next: lost}]\n"
    )
    line = ws.line(SCENARIO, "  won:")
    expect(ws.load(), SCENARIO, "nodes.won", "one kind only", "'choices'", "'end'", line=line)


def test_choice_node_has_one_to_six_choices(ws, expect):
    extra = "".join(f"      - text: Option {n}\n        next: lost\n" for n in range(5))
    ws.replace(
        SCENARIO,
        "      - text: Then buy from them.\n",
        extra + "      - text: Then buy from them.\n",
    )
    line = ws.line(SCENARIO, "The other supplier") + 1
    expect(ws.load(), SCENARIO, "nodes.clarify.choices", "has 7 choices", "1 to 6", line=line)


def test_choice_node_needs_a_choice(ws, expect):
    text = ws.read(SCENARIO)
    start = text.index("    choices:\n      - text: Yes, with")
    end = text.index("  won:")
    ws.write(SCENARIO, text[:start] + "    choices: []\n" + text[end:])
    expect(ws.load(), SCENARIO, "nodes.close.choices", "has 0 choices", "1 to 6")


def test_rubric_has_one_to_eight_lines(ws, expect):
    lines = "".join(f"      - {{text: Line {n}, skill: needs-discovery}}\n" for n in range(7))
    ws.replace(SCENARIO, "    next: close\n", "    next: close\n")
    line = ws.replace(SCENARIO, "    rubric:\n", "    rubric:\n" + lines)
    expect(ws.load(), SCENARIO, "nodes.reflect.rubric", "has 9 rubric lines", "1 to 8", line=line)


def test_rubric_cannot_be_empty(ws, expect):
    text = ws.read(SCENARIO)
    start = text.index("    rubric:")
    end = text.index("    next: close")
    ws.write(SCENARIO, text[:start] + "    rubric: []\n" + text[end:])
    expect(ws.load(), SCENARIO, "nodes.reflect.rubric", "has 0 rubric lines")


def test_open_node_has_one_next(ws, expect):
    line = ws.replace(SCENARIO, "    next: close", "    next: [close, won]")
    expect(ws.load(), SCENARIO, "nodes.reflect.next", "exactly one 'next'", line=line)


def test_open_node_has_no_choices(ws, expect):
    ws.replace(
        SCENARIO, "    open: true\n", "    open: true\n    choices: [{text: x, next: won}]\n"
    )
    line = ws.line(SCENARIO, "  reflect:")
    expect(ws.load(), SCENARIO, "nodes.reflect", "one kind only", "'choices'", "'open'", line=line)


def test_open_must_be_true(ws, expect):
    line = ws.replace(SCENARIO, "    open: true", "    open: false")
    expect(ws.load(), SCENARIO, "nodes.reflect.open", "expected true", "false", line=line)


def test_open_node_needs_rubric(ws, expect):
    text = ws.read(SCENARIO)
    start = text.index("    rubric:")
    end = text.index("    next: close")
    ws.write(SCENARIO, text[:start] + text[end:])
    line = ws.line(SCENARIO, "  reflect:")
    expect(ws.load(), SCENARIO, "nodes.reflect", "required key 'rubric' is missing", line=line)


def test_points_skill_listed_in_scenario_skills(ws, expect):
    line = ws.replace(SCENARIO, "points: {needs-discovery: 2}", "points: {time-management: 2}")
    expect(
        ws.load(),
        SCENARIO,
        "nodes.clarify.choices[0].points.time-management",
        "skill 'time-management' is not listed in the scenario's skills",
        line=line,
    )


def test_rubric_skill_listed_in_scenario_skills(ws, expect):
    line = ws.replace(SCENARIO, "skill: objection-handling}", "skill: planning}")
    expect(
        ws.load(),
        SCENARIO,
        "nodes.reflect.rubric[0].skill",
        "skill 'planning' is not listed",
        line=line,
    )


def test_scenario_skills_exist(ws, expect):
    text = ws.read(SCENARIO).replace("objection-handling", "objection-handlin")
    ws.write(SCENARIO, text)
    result = ws.load()
    line = ws.line(SCENARIO, "skills: [")
    expect(result, SCENARIO, "skills[0]", "unknown skill 'objection-handlin'", line=line)
    points_line = ws.line(SCENARIO, "points: {objection-handlin: 2")
    expect(
        result,
        SCENARIO,
        "nodes.opening.choices[0].points.objection-handlin",
        "unknown skill",
        line=points_line,
    )
    rubric_line = ws.line(SCENARIO, "skill: objection-handlin}")
    expect(
        result,
        SCENARIO,
        "nodes.reflect.rubric[0].skill",
        "unknown skill 'objection-handlin'",
        line=rubric_line,
    )


def test_points_may_be_negative(ws):
    scenario = ws.load().tree.scenarios["price-too-high"]
    assert scenario.nodes["opening"].choices[1].points == {"objection-handling": -1}


def test_at_least_one_success_end(ws, expect):
    ws.replace(SCENARIO, "end: success", "end: partial")
    line = ws.line(SCENARIO, "nodes:")
    expect(ws.load(), SCENARIO, "nodes", "no end node is 'success'", line=line)


def test_scenario_pass_score_range(ws, expect):
    line = ws.replace(SCENARIO, "pass_score: 70", "pass_score: 101")
    expect(ws.load(), SCENARIO, "pass_score", "101 is not between 0 and 100", line=line)


def test_difficulty_one_to_three(ws, expect):
    line = ws.replace(SCENARIO, "difficulty: 2", "difficulty: 4")
    expect(ws.load(), SCENARIO, "difficulty", "4 is not between 1 and 3", line=line)


def test_persona_keys(ws, expect):
    line = ws.replace(SCENARIO, "  industry: Wholesale", "  industy: Wholesale")
    expect(
        ws.load(),
        SCENARIO,
        "persona.industy",
        "unknown key 'industy'",
        "did you mean 'industry'",
        line=line,
    )


def test_node_id_pattern(ws, expect):
    ws.replace(SCENARIO, "  later:\n", "  Later:\n")
    ws.replace(SCENARIO, "next: later", "next: Later")
    line = ws.line(SCENARIO, "  Later:")
    expect(ws.load(), SCENARIO, "nodes.Later", "invalid node id 'Later'", line=line)


# --- paths --------------------------------------------------------------------------------------


def test_until_day_strictly_increasing(ws, expect):
    line = ws.replace(PATH, "until_day: 60", "until_day: 30")
    expect(
        ws.load(), PATH, "phases[1].until_day", "until_day 30 must be greater than", "30", line=line
    )


def test_due_day_inside_its_phase(ws, expect):
    line = ws.replace(PATH, "due_day: 45", "due_day: 25")
    expect(
        ws.load(),
        PATH,
        "phases[1].items[0].due_day",
        "due_day 25 is not inside phase 'days-31-60'",
        "days 31 to 60",
        line=line,
    )


def test_checkin_day_inside_its_phase(ws, expect):
    line = ws.replace(PATH, "        day: 30\n", "        day: 31\n")
    expect(
        ws.load(),
        PATH,
        "phases[0].items[4].day",
        "day 31 is not inside phase 'first-30'",
        line=line,
    )


def test_item_is_exactly_one_kind(ws, expect):
    line = ws.replace(
        PATH,
        "        course: time-management\n",
        "        course: time-management\n        quiz: time-basics\n",
    )
    expect(
        ws.load(),
        PATH,
        "phases[0].items[0]",
        "exactly one of course, lesson, quiz, scenario, task, checkin",
        "'course', 'quiz'",
        line=line - 1,
    )


def test_item_needs_a_kind(ws, expect):
    line = ws.replace(PATH, "        course: time-management\n", "")
    expect(ws.load(), PATH, "phases[0].items[0]", "found none", line=line - 1)


def test_item_course_must_exist(ws, expect):
    line = ws.replace(PATH, "course: time-management", "course: time-managment")
    expect(
        ws.load(), PATH, "phases[0].items[0].course", "unknown course 'time-managment'", line=line
    )


def test_item_quiz_must_exist(ws, expect):
    line = ws.replace(PATH, "quiz: time-basics", "quiz: smart-goals")
    expect(ws.load(), PATH, "phases[0].items[1].quiz", "unknown quiz 'smart-goals'", line=line)


def test_item_scenario_must_exist(ws, expect):
    line = ws.replace(PATH, "scenario: price-too-high", "scenario: price-too-hi")
    expect(
        ws.load(), PATH, "phases[0].items[2].scenario", "unknown scenario 'price-too-hi'", line=line
    )


def test_targets_between_0_and_100(ws, expect):
    line = ws.replace(
        PATH, "targets: {objection-handling: 60}", "targets: {objection-handling: 160}"
    )
    expect(
        ws.load(),
        PATH,
        "phases[1].targets.objection-handling",
        "160 is not between 0 and 100",
        line=line,
    )


def test_targets_name_existing_skills(ws, expect):
    line = ws.replace(PATH, "targets: {objection-handling: 60}", "targets: {objections: 60}")
    expect(ws.load(), PATH, "phases[1].targets.objections", "unknown skill 'objections'", line=line)


def test_min_score_only_for_quiz_and_scenario(ws, expect):
    line = ws.replace(PATH, "        due_day: 14", "        min_score: 50")
    expect(
        ws.load(),
        PATH,
        "phases[0].items[0].min_score",
        "a course item has no 'min_score'",
        line=line,
    )


def test_min_score_range(ws, expect):
    line = ws.replace(PATH, "min_score: 80", "min_score: 800")
    expect(
        ws.load(), PATH, "phases[0].items[1].min_score", "800 is not between 0 and 100", line=line
    )


def test_checkin_uses_day_not_due_day(ws, expect):
    line = ws.replace(PATH, "        day: 30\n", "        due_day: 30\n")
    expect(
        ws.load(),
        PATH,
        "phases[0].items[4].due_day",
        "a checkin item has 'day', not 'due_day'",
        line=line,
    )


def test_task_needs_a_title(ws, expect):
    line = ws.replace(
        PATH, "task: {title: Run ten calls alone}", "task: {description: Run ten calls alone}"
    )
    expect(ws.load(), PATH, "phases[1].items[0].task", "required key 'title' is missing", line=line)


def test_checkin_unknown_key(ws, expect):
    line = ws.replace(
        PATH, "checkin: {title: 60-day review}", "checkin: {title: 60-day review, notes: x}"
    )
    expect(ws.load(), PATH, "phases[1].items[1].checkin.notes", "unknown key 'notes'", line=line)


# --- roots and layout ---------------------------------------------------------------------------


def test_roots_can_be_the_courses_and_scenarios_folders(ws):
    whole = ws.load()
    split = load_tree([ws.root / "courses", ws.root / "scenarios"])
    assert split.ok and split.tree == whole.tree
    ws.replace(SCENARIO, "next: clarify", "next: clarfy")
    errors = [str(e) for e in load_tree([ws.root / "courses", ws.root / "scenarios"]).errors]
    assert any(e.startswith("scenarios/price-too-high.yaml:") for e in errors), errors


def test_missing_root_is_an_error(tmp_path):
    result = load_tree([tmp_path / "nope"])
    assert not result.ok and "no such file or folder" in result.errors[0].message


def test_yml_extension_is_reported(ws, expect):
    shutil.copy(ws.path(SCENARIO), ws.path("scenarios/other.yml"))
    expect(ws.load(), "scenarios/other.yml", "", "unexpected file")


@pytest.mark.parametrize("name", ["README.md", ".hidden.yaml"])
def test_readme_and_hidden_files_are_ignored(ws, name):
    ws.write(f"scenarios/{name}", "not: [valid")
    assert ws.load().ok


def test_a_file_with_errors_gives_no_object(ws):
    ws.replace(QUIZ, "pass_score: 80", "pass_score: 180")
    result = ws.load()
    assert not result.ok and "time-basics" not in result.tree.quizzes
    assert "price-too-high" in result.tree.scenarios


def test_a_broken_skills_yaml_still_resolves_skill_references(ws, expect):
    ws.replace(SKILLS, "framework: sales-execution", "framework: Sales Execution")
    result = ws.load()
    assert result.tree.framework is None
    assert [e.file for e in result.errors] == [SKILLS]
    ws.replace(LESSON, "skills: [time-management]", "skills: [time-mgmt]")
    expect(ws.load(), LESSON, "skills[0]", "unknown skill 'time-mgmt'")


def test_a_choice_node_may_pin_the_order_of_its_replies(ws):
    ws.replace(SCENARIO, "    choices:\n", "    fixed_order: true\n    choices:\n")
    result = ws.load()
    assert result.ok, [str(error) for error in result.errors]
    nodes = result.tree.scenarios["price-too-high"].nodes
    assert nodes["opening"].fixed_order is True and nodes["clarify"].fixed_order is False


def test_fixed_order_is_boolean(ws, expect):
    line = ws.replace(SCENARIO, "    choices:\n", "    fixed_order: sometimes\n    choices:\n")
    expect(ws.load(), SCENARIO, "nodes.opening.fixed_order", "expected true or false", line=line)


def test_a_quiz_may_ask_for_a_wait_and_a_lesson_before_a_retake(ws):
    ws.replace(
        QUIZ,
        "time_limit_minutes: 15",
        "time_limit_minutes: 15\nretake_wait_hours: 24\nretake_lesson: plan-your-day",
    )
    result = ws.load()
    assert result.ok, [str(error) for error in result.errors]
    quiz = result.tree.quizzes["time-basics"]
    assert (quiz.retake_wait_hours, quiz.retake_lesson) == (24, "plan-your-day")


def test_retake_rules_are_checked(ws, expect):
    line = ws.replace(
        QUIZ,
        "time_limit_minutes: 15",
        "time_limit_minutes: 15\nretake_wait_hours: 0\nretake_lesson: plan-your-week",
    )
    result = ws.load()
    expect(result, QUIZ, "retake_wait_hours", "0 is not between 1 and 720", line=line + 1)
    expect(result, QUIZ, "retake_lesson", "unknown lesson 'plan-your-week'", line=line + 2)
