"""Markdown rendering is bounded: pathological sources are rendered or refused within a short time,
deep nesting is refused with a clear message, and a failed render leaves nothing behind."""

from __future__ import annotations

import os
import re
import signal
import threading
import time

import pytest
import sqlalchemy as sa

from lms.content import markdown as renderer
from lms.content.markdown import (
    MAX_NESTING,
    MAX_SOURCE_CHARS,
    RENDER_WALL_SECONDS,
    MarkdownError,
    check_source,
    nesting_depth,
    render_markdown,
)
from tests.content.test_content_markdown import assert_safe

# Generous: the wall-clock limit (reached only on a busy machine) plus a second.
BOUND_SECONDS = RENDER_WALL_SECONDS + 1.0

REFERENCE = (
    "# Plan\n\nBlock the **first** hours.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
)
REFERENCE_HTML = (
    '<h1 id="plan">Plan</h1>\n<p>Block the <strong>first</strong> hours.</p>\n<ul>\n'
    "<li>one</li>\n<li>two</li>\n</ul>\n<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n"
    "</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>"
)


def deep_tabs(levels: int) -> str:
    return "".join("\t" * level + "- x\n" for level in range(levels))


def deep_spaces(levels: int) -> str:
    return "".join("    " * level + "- x\n" for level in range(levels))


QUADRATIC = {
    "image openers x3000": "![" * 3000,
    "image openers x15000": "![" * 15000,
    "brackets x15000": "[" * 15000,
    "brackets closed late": "[" * 5000 + "]" * 5000,
    "link openers": "[a](" * 5000,
    "abbreviation-like": "*[" * 5000,
    "autolink openers": "<http://" * 5000,
    "angle link destinations": "[a](<" * 5000,
    "tag attributes": '<a href="' * 5000,
    "table rows": "a|b\n-|-\n" + "x|y\n" * 6000,
}

PATHOLOGICAL = {
    "stars": "*" * 50_000,
    "star words": "*a" * 30_000,
    "underscores": "_" * 50_000,
    "underscore words": "_a" * 30_000,
    "backticks": "`" * 50_000,
    "backtick words": "`a" * 30_000,
    "backtick runs": "".join("`" * n + "a" for n in range(1, 300)),
    "angle brackets": "<" * 50_000,
    "angle words": "<a" * 30_000,
    "nested spans": "<span>" * 10_000,
    "nested divs": "<div>\n" * 10_000,
    "comments": "<!--" * 10_000,
    "processing instructions": "<?" * 20_000,
    "entities": "&#" * 20_000,
    "backslashes": "\\" * 50_000,
    "emphasis nesting": "*_" * 5000 + "a" + "_*" * 5000,
    "link reference flood": "".join(f"[r{i}]: http://e.com/{i}\n" for i in range(3000))
    + " ".join(f"[r{i}]" for i in range(3000)),
    "reference uses": "[r]: http://e.com\n\n" + "[r]" * 10_000,
    "headings": "#" * 50_000,
    "fences": "```\n" * 10_000,
    "list items": "- x\n" * 20_000,
    "hard breaks": "a  \n" * 20_000,
    **QUADRATIC,
}

DEEP = {
    "list with tabs, 250 levels": deep_tabs(250),
    "list with spaces, 250 levels": deep_spaces(250),
    "quotes on one line": ">" * 5000 + " x",
    "quotes growing line by line": "".join(">" * n + " x\n" for n in range(1, 400)),
    "list markers on one line": "- " * 300 + "x",
    "ordered markers on one line": "1. " * 300 + "x",
    "quotes and lists": "> - " * 300 + "x",
}


@pytest.fixture(autouse=True)
def warm_worker():
    """Start a worker outside the timed part (its start-up is not what is measured)."""
    render_markdown("warm")


def timed(source: str) -> tuple[float, str | MarkdownError]:
    start = time.perf_counter()
    try:
        result: str | MarkdownError = render_markdown(source)
    except MarkdownError as error:
        result = error
    return time.perf_counter() - start, result


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_sources_are_rendered_or_refused_quickly(name):
    elapsed, result = timed(PATHOLOGICAL[name])
    assert elapsed < BOUND_SECONDS, f"{name}: {elapsed:.1f} s"
    if isinstance(result, MarkdownError):
        assert result.reason == MarkdownError.TOO_SLOW, result
        assert "takes too long to render" in str(result)
    else:
        assert_safe(result)
    assert render_markdown(REFERENCE) == REFERENCE_HTML


def test_the_reported_quadratic_inputs_are_refused_within_the_limit():
    for source in ("![" * 3000, "![" * 15000):
        elapsed, result = timed(source)
        assert isinstance(result, MarkdownError) and result.reason == MarkdownError.TOO_SLOW
        assert elapsed < BOUND_SECONDS


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_nesting_is_refused_before_parsing(name):
    elapsed, result = timed(DEEP[name])
    assert isinstance(result, MarkdownError), name
    assert result.reason == MarkdownError.TOO_DEEP
    assert f"at most {MAX_NESTING} levels" in str(result)
    assert elapsed < 1.0
    assert render_markdown(REFERENCE) == REFERENCE_HTML


def test_the_deep_list_message_names_the_line():
    with pytest.raises(MarkdownError) as caught:
        check_source(deep_tabs(250))
    assert str(caught.value) == (
        f"the Markdown is nested too deeply: at most {MAX_NESTING} levels of lists, quotes "
        f"and indentation (line {MAX_NESTING + 1} has {MAX_NESTING + 1})"
    )


def test_nesting_up_to_the_limit_renders():
    html = render_markdown(deep_spaces(8))
    assert html.count("<ul>") == 8
    html = render_markdown("> " * MAX_NESTING + "deep")
    assert html.count("<blockquote>") == MAX_NESTING


def test_nesting_depth_counts_quotes_markers_and_indentation():
    assert nesting_depth("plain text") == 0
    assert nesting_depth("- item") == 1
    assert nesting_depth("        - item") == 3
    assert nesting_depth("\t\t- item") == 3
    assert nesting_depth("> > - 1. x") == 4
    assert nesting_depth("-not a marker") == 0
    assert nesting_depth("2024. was a year") == 1


def test_indented_code_inside_fences_is_not_nesting():
    code = "```python\n" + "".join(" " * (4 * n) + "x = 1\n" for n in range(40)) + "```\n"
    html = render_markdown(code)
    assert html.startswith('<pre><code class="language-python">')


def test_a_source_longer_than_the_limit_is_refused():
    with pytest.raises(MarkdownError) as caught:
        render_markdown("x" * (MAX_SOURCE_CHARS + 1))
    assert caught.value.reason == MarkdownError.TOO_LONG
    assert "at most 200,000" in str(caught.value)


def test_the_processor_time_limit_stops_a_render_on_its_own(monkeypatch):
    """With a long wall-clock limit the processor-time limit still stops the render (about
    90 s of work unbounded)."""
    monkeypatch.setattr(renderer, "RENDER_CPU_SECONDS", 0.3)
    monkeypatch.setattr(renderer, "RENDER_WALL_SECONDS", 60.0)
    elapsed, result = timed("![" * 15000)
    assert isinstance(result, MarkdownError) and result.reason == MarkdownError.TOO_SLOW
    assert "more than 0.3 s" in str(result)
    assert elapsed < 30


def test_the_wall_clock_limit_applies_where_processor_time_is_unknown(monkeypatch):
    monkeypatch.setattr(renderer._Worker, "cpu_seconds", lambda self: None)
    monkeypatch.setattr(renderer, "RENDER_WALL_SECONDS", 0.5)
    elapsed, result = timed("![" * 15000)
    assert isinstance(result, MarkdownError) and result.reason == MarkdownError.TOO_SLOW
    assert elapsed < 2.0
    assert render_markdown(REFERENCE) == REFERENCE_HTML


def test_a_slow_render_does_not_hold_up_another_thread():
    spare = renderer._Worker()
    spare.wait_ready()
    renderer._give_back(spare)  # two idle workers: one each
    slow = threading.Thread(target=timed, args=("![" * 15000,))
    slow.start()
    try:
        time.sleep(0.2)
        elapsed, result = timed(REFERENCE)
        assert result == REFERENCE_HTML
        assert elapsed < 1.0
        assert slow.is_alive()  # still at work
    finally:
        slow.join()


def test_a_killed_worker_is_replaced():
    render_markdown("x")
    for worker in list(renderer._idle):
        os.kill(worker.process.pid, signal.SIGKILL)
        worker.process.wait()
    assert render_markdown(REFERENCE) == REFERENCE_HTML


def test_the_next_render_on_the_same_thread_is_exact_after_failures():
    assert render_markdown(REFERENCE) == REFERENCE_HTML
    for source in ("![" * 15000, deep_tabs(250), "x" * (MAX_SOURCE_CHARS + 1)):
        with pytest.raises(MarkdownError):
            render_markdown(source)
        assert render_markdown(REFERENCE) == REFERENCE_HTML


def test_in_process_a_recursion_error_leaves_no_broken_parser(monkeypatch):
    """Without the nesting check Python-Markdown runs out of stack on 250 levels; the thread's
    parser is then rebuilt, so the next render is exact (it used to lose its formatting)."""
    monkeypatch.setattr(renderer, "ISOLATED", False)
    monkeypatch.setattr(renderer, "MAX_NESTING", 10_000)
    assert render_markdown(REFERENCE) == REFERENCE_HTML
    with pytest.raises(MarkdownError) as caught:
        render_markdown(deep_tabs(250))
    assert caught.value.reason == MarkdownError.TOO_DEEP
    assert render_markdown(REFERENCE) == REFERENCE_HTML
    assert render_markdown("**bold** and *it*") == "<p><strong>bold</strong> and <em>it</em></p>"


def test_in_the_worker_a_recursion_error_is_too_deep(monkeypatch):
    monkeypatch.setattr(renderer, "MAX_NESTING", 10_000)
    monkeypatch.setattr(renderer, "RENDER_CPU_SECONDS", 20.0)  # not what is tested here
    monkeypatch.setattr(renderer, "RENDER_WALL_SECONDS", 60.0)
    with pytest.raises(MarkdownError) as caught:
        render_markdown(deep_tabs(250))
    assert caught.value.reason == MarkdownError.TOO_DEEP
    assert render_markdown(REFERENCE) == REFERENCE_HTML


def test_the_worker_renders_exactly_what_the_thread_renders(monkeypatch):
    sources = [REFERENCE, "计划\n你的一天", "<script>x</script>[a](javascript:x)", "\ud800 lone"]
    isolated = [render_markdown(source) for source in sources]
    monkeypatch.setattr(renderer, "ISOLATED", False)
    assert [render_markdown(source) for source in sources] == isolated
    assert re.search(r"<script", "".join(isolated)) is None


# --- stored HTML, imports and uploads -----------------------------------------------------------

LESSON = "courses/time-management/plan-your-day.md"


@pytest.fixture
def workspace(tmp_path):
    from tests.content.conftest import Workspace

    return Workspace(tmp_path / "content")


def cli(runner, *args):
    result = runner.invoke(args=["lms", *[str(arg) for arg in args]])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_rerender_check_finds_tampered_html_and_force_repairs_it(runner, db, workspace):
    from sqlalchemy.orm.attributes import flag_modified

    from lms.content.store import current_version

    assert cli(runner, "import", workspace.root).exit_code == 0
    clean = cli(runner, "rerender", "--check")
    assert clean.exit_code == 0, clean.output
    assert "0 differ from a fresh render" in clean.output

    version = current_version("lesson", "plan-your-day")
    good = version.html("body", "en")
    version.rendered = {**version.rendered, "body": {**version.rendered["body"], "en": "<p>x</p>"}}
    flag_modified(version, "rendered")
    db.session.commit()

    checked = cli(runner, "rerender", "--check")
    assert checked.exit_code == 1
    assert "differs: lesson plan-your-day version 1: body (en)" in checked.output
    assert "1 differ from a fresh render" in checked.output
    db.session.expire_all()
    assert current_version("lesson", "plan-your-day").html("body", "en") == "<p>x</p>"

    assert cli(runner, "rerender").output.startswith("re-rendered 0 version(s)")
    repaired = cli(runner, "rerender", "--force")
    assert repaired.exit_code == 0, repaired.output
    db.session.expire_all()
    assert current_version("lesson", "plan-your-day").html("body", "en") == good
    assert cli(runner, "rerender", "--check").exit_code == 0


def test_import_of_a_file_the_renderer_refuses_is_one_line_per_problem(runner, db, workspace):
    from lms.content.importer import stored_counts

    workspace.write(LESSON, workspace.read(LESSON) + "\n" + deep_tabs(250))
    workspace.replace(
        "scenarios/price-too-high.yaml", "summary: A buyer", "summary: A buyer " + "![" * 3000
    )

    result = cli(runner, "import", workspace.root)

    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert re.fullmatch(
        re.escape(f"{LESSON}: body (en): the Markdown is nested too deeply: at most {MAX_NESTING}")
        + r" levels of lists, quotes and indentation \(line \d+ has 21\)",
        lines[0],
    ), lines[0]
    assert lines[1].startswith(
        "scenarios/price-too-high.yaml: summary (en): the Markdown takes too long to render"
    )
    assert lines[2] == "error: 2 problem(s) in 2 file(s): nothing was imported"
    assert len(lines) == 3 and "Traceback" not in result.output
    assert sum(stored_counts().values()) == 0


def test_the_upload_check_step_finds_what_apply_would_meet(app, db, client, make_user, workspace):
    from lms.content.models import ContentItem
    from lms.people.models import Role
    from tests.content.test_content_web_import import upload, zip_folder
    from tests.helpers import login_as

    login_as(client, make_user(roles={Role.TRAINER}))
    workspace.write(LESSON, workspace.read(LESSON) + "\n" + deep_tabs(250))

    checked = upload(client, zip_folder(workspace.root))

    page = checked.get_data(as_text=True)
    assert f"{LESSON}" in page and "nested too deeply" in page
    assert 'action="/author/import/' not in page  # nothing to apply
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ContentItem)) == 0


def test_without_worker_processes_rendering_goes_on_in_process(monkeypatch, caplog):
    renderer.close_workers()

    def no_processes(*args, **kwargs):
        raise OSError("no processes left")

    monkeypatch.setattr(renderer.subprocess, "Popen", no_processes)
    assert render_markdown(REFERENCE) == REFERENCE_HTML
    assert "cannot start" in caplog.text
    with pytest.raises(MarkdownError):
        render_markdown(deep_tabs(250))


def test_a_worker_that_does_not_start_means_rendering_in_process(monkeypatch, caplog):
    renderer.close_workers()
    real_popen = renderer.subprocess.Popen

    def not_python(args, **kwargs):
        return real_popen([args[0], "-c", "import sys; sys.exit(3)"], **kwargs)

    monkeypatch.setattr(renderer.subprocess, "Popen", not_python)
    assert render_markdown(REFERENCE) == REFERENCE_HTML
    assert "did not start" in caplog.text
