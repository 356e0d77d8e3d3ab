"""Generate a large, valid, bilingual content tree for benchmarks.

    python bench/make_content.py OUT [--lessons 500] [--quizzes 100] [--questions 20]
                                     [--scenarios 100] [--nodes 15]

writes OUT/courses/ and OUT/scenarios/ in the format of content-format.md: a skill framework,
courses of ten lessons each (every lesson in English with a zh-CN variant), quizzes of
`--questions` questions (single, multiple and true-false), scenarios of `--nodes` nodes (choice
nodes, one open node and three end nodes) and two onboarding paths. The output is the same for
the same arguments, and `lms import OUT` accepts it.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path

import yaml

SKILLS = [
    ("goal-setting", "Goal setting", "目标设定", "foundations"),
    ("planning", "Planning", "计划制定", "foundations"),
    ("time-management", "Time management", "时间管理", "foundations"),
    ("prospecting", "Prospecting", "客户开发", "sales-process"),
    ("needs-discovery", "Needs discovery", "需求挖掘", "sales-process"),
    ("presenting", "Presenting", "方案呈现", "sales-process"),
    ("objection-handling", "Objection handling", "异议处理", "sales-process"),
    ("closing", "Closing", "促成签约", "sales-process"),
    ("follow-up", "Follow-up", "跟进", "follow-through"),
    ("crm-discipline", "CRM discipline", "CRM 纪律", "follow-through"),
]
LESSONS_PER_COURSE = 10

EN_BODY = """# {title}

Most reps do not lack effort; they lose their best hours to whatever shouts loudest. This
lesson shows one habit that protects **selling time** and turns a plan into *daily action*.

## Why it matters

- A plan made the evening before saves the first hour of the morning.
- Revenue work first: calls, meetings, proposals. Admin after.
- Review at the end of the day: what was done, what slipped, and why.

| Time  | Block               | Goal            |
|:------|:--------------------|----------------:|
| 9:00  | Prospecting calls   | 20 dials        |
| 11:00 | Discovery meetings  | 2 meetings      |
| 16:00 | CRM and follow-up   | 100% logged     |

## Try it today

1. Write tomorrow's three most important tasks before you leave.
2. Block two hours for calls and decline what lands in them.
3. Check the [planning guide](https://example.com/guides/{slug}) for a template.

```
plan -> do -> review -> improve
```

> Plan the work, work the plan, and review it every day.
"""

ZH_BODY = """# {title}

大多数销售不缺努力，缺的是把时间用在刀刃上。这一课介绍一个守住**销售时间**、把计划变成*每日行动*的习惯。

## 为什么重要

- 前一天晚上做好计划，第二天早上就能省下一个小时。
- 先做能带来业绩的事：电话、拜访、方案，杂事放后面。
- 每天结束时复盘：做完了什么、什么被耽误了、为什么。

| 时间  | 时间块         | 目标        |
|:------|:---------------|------------:|
| 9:00  | 客户开发电话   | 20 通       |
| 11:00 | 需求挖掘拜访   | 2 次        |
| 16:00 | CRM 与跟进     | 100% 录入   |

## 今天就试试

1. 下班前写下明天最重要的三件事。
2. 为电话锁定两个小时，期间的其他安排一律推掉。
3. 参考[计划模板](https://example.com/guides/{slug})。

> 计划你的工作，按计划工作，每天复盘。
"""


def text(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh-CN": zh}


def write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8", newline="\n")


def dump(doc: dict) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)


def framework() -> dict:
    return {
        "framework": "sales-execution",
        "title": text("Sales execution skills", "销售执行力"),
        "skills": [
            {
                "id": skill_id,
                "name": text(en, zh),
                "group": group,
                "description": text(
                    f"Good **{en.lower()}** looks like this:\n\n- one\n- two\n",
                    f"**{zh}**做得好的表现：\n\n- 一\n- 二\n",
                ),
            }
            for skill_id, en, zh, group in SKILLS
        ],
    }


def lesson_files(folder: Path, slug: str, number: int, skills: list[str]) -> None:
    title_en, title_zh = (
        f"Protect your selling time, part {number}",
        f"守住销售时间（第 {number} 部分）",
    )
    front = dump({"id": slug, "title": title_en, "skills": skills, "minutes": 6 + number % 5})
    write(folder / f"{slug}.md", f"---\n{front}---\n" + EN_BODY.format(title=title_en, slug=slug))
    variant = dump({"id": slug, "title": title_zh})
    write(
        folder / f"{slug}.zh-CN.md",
        f"---\n{variant}---\n" + ZH_BODY.format(title=title_zh, slug=slug),
    )


def question(rng: random.Random, number: int) -> dict:
    skill = SKILLS[number % len(SKILLS)][0]
    other = SKILLS[(number + 3) % len(SKILLS)][0]
    base = {
        "id": f"q{number}",
        "prompt": text(
            f"Question {number}: which step comes **first** when the day gets busy?",
            f"第 {number} 题：当天很忙时，**第一步**应该做什么？",
        ),
        "skills": {skill: 1, other: 0.5},
        "explanation": text(
            "Revenue work first; see the [guide](https://example.com/guide).",
            "先做带来业绩的事；参见[指南](https://example.com/guide)。",
        ),
    }
    kind = ("single", "multiple", "true-false")[number % 3]
    base["kind"] = kind
    if kind == "true-false":
        base["answer"] = number % 2 == 0
        return base
    correct = {0} if kind == "single" else {0, 2}
    order = list(range(4))
    rng.shuffle(order)
    base["choices"] = [
        {
            "text": text(f"Option {index + 1}", f"选项 {index + 1}"),
            "correct": index in correct,
            "feedback": text(
                "Right: *this* protects selling time." if index in correct else "Not quite.",
                "对：*这样*能守住销售时间。" if index in correct else "不完全对。",
            ),
        }
        for index in order
    ]
    return base


def quiz(rng: random.Random, slug: str, questions: int) -> dict:
    return {
        "id": slug,
        "title": text(f"Check: {slug}", f"小测：{slug}"),
        "language": "en",
        "pass_score": 80,
        "max_attempts": 3,
        "shuffle": True,
        "questions": [question(rng, number) for number in range(1, questions + 1)],
    }


def scenario(slug: str, number: int, nodes: int) -> dict:
    """`nodes` nodes: a chain of choice nodes (each also skipping one ahead), one open node,
    and three end nodes (success, partial, fail)."""
    skills = [SKILLS[(number + k) % len(SKILLS)][0] for k in range(2)]
    inner = nodes - 3
    names = [f"step-{index}" for index in range(inner)]
    graph: dict[str, dict] = {}
    open_at = inner // 2
    for index, name in enumerate(names):
        say = text(
            f"Customer line {index}: your price is too high.",
            f"客户第 {index} 句：你们价格太高了。",
        )
        if index == open_at:
            graph[name] = {
                "say": say,
                "open": True,
                "rubric": [
                    {"text": text("Acknowledges the concern", "先认可顾虑"), "skill": skills[0]},
                    {"text": text("Asks about the real need", "追问真实需求"), "skill": skills[1]},
                ],
                "next": names[index + 1],
            }
            continue
        if index == inner - 1:
            targets = ["won", "lost"]
        elif index == inner - 2:
            targets = [names[index + 1], "later"]
        else:
            targets = [names[index + 1], names[index + 2]]
        graph[name] = {
            "say": say,
            "choices": [
                {
                    "text": text(f"Reply {choice + 1}", f"回应 {choice + 1}"),
                    "next": target,
                    "feedback": text("Good: you *asked first*.", "很好：你*先提问*了。"),
                    "points": {skills[choice % 2]: 2 - choice * 3},
                }
                for choice, target in enumerate(targets)
            ],
        }
    graph["won"] = {"say": text("Send me the contract.", "把合同发给我吧。"), "end": "success"}
    graph["later"] = {"say": text("Call me next week.", "下周再联系我。"), "end": "partial"}
    graph["lost"] = {"say": text("Goodbye.", "再见。"), "end": "fail"}
    return {
        "id": slug,
        "title": text(f"Drill {number}: the price objection", f"演练 {number}：价格异议"),
        "language": "en",
        "summary": text("A buyer says your price is **too high**.", "客户说你们的价格**太高**。"),
        "skills": skills,
        "persona": {
            "name": text("Ms. Chen", "陈女士"),
            "role": text("Procurement manager", "采购经理"),
            "context": text("She has a *cheaper* quote.", "她手上有一份*更便宜*的报价。"),
        },
        "pass_score": 70,
        "start": names[0],
        "nodes": graph,
    }


def make_tree(
    out: Path,
    *,
    lessons: int = 500,
    quizzes: int = 100,
    questions: int = 20,
    scenarios: int = 100,
    nodes: int = 15,
) -> Path:
    """Write the tree into `out` (its courses/ and scenarios/ are replaced) and return `out`."""
    if nodes < 7:
        raise ValueError("a generated scenario needs at least 7 nodes")
    rng = random.Random(20_260_101)
    courses_dir, scenarios_dir = out / "courses", out / "scenarios"
    for folder in (courses_dir, scenarios_dir):
        if folder.exists():
            shutil.rmtree(folder)
    write(courses_dir / "skills.yaml", dump(framework()))

    scenario_ids = [f"drill-{number:03d}" for number in range(1, scenarios + 1)]
    for number, slug in enumerate(scenario_ids, start=1):
        write(scenarios_dir / f"{slug}.yaml", dump(scenario(slug, number, nodes)))

    course_count = max(1, -(-lessons // LESSONS_PER_COURSE), -(-quizzes // 2))
    course_ids = [f"course-{number:03d}" for number in range(1, course_count + 1)]
    lesson_number = quiz_number = 0
    course_quizzes: dict[str, list[str]] = {}
    for index, course_id in enumerate(course_ids):
        folder = courses_dir / course_id
        skills = sorted({SKILLS[index % len(SKILLS)][0], SKILLS[(index + 1) % len(SKILLS)][0]})
        items: list[dict] = []
        for _ in range(LESSONS_PER_COURSE):
            if lesson_number >= lessons:
                break
            lesson_number += 1
            slug = f"lesson-{lesson_number:04d}"
            lesson_files(folder, slug, lesson_number, skills)
            items.append({"lesson": slug})
        for _ in range(2):
            if quiz_number >= quizzes:
                break
            quiz_number += 1
            slug = f"quiz-{quiz_number:03d}"
            write(folder / f"{slug}.quiz.yaml", dump(quiz(rng, slug, questions)))
            items.append({"quiz": slug})
            course_quizzes.setdefault(course_id, []).append(slug)
        if scenario_ids:
            items.append({"scenario": scenario_ids[index % len(scenario_ids)]})
        half = max(1, len(items) // 2)
        course = {
            "id": course_id,
            "title": text(f"Course {index + 1}: selling time", f"课程 {index + 1}：销售时间"),
            "summary": text("Plan the day around **revenue** work.", "围绕**业绩**安排每一天。"),
            "language": "en",
            "skills": skills,
            "modules": [
                {"title": text("Part one", "第一部分"), "items": items[:half]},
                {"title": text("Part two", "第二部分"), "items": items[half:]},
            ],
        }
        course["modules"] = [module for module in course["modules"] if module["items"]]
        write(folder / "course.yaml", dump(course))

    for path_number in (1, 2):
        phases = []
        for phase_number, until in enumerate((30, 60, 90)):
            items = []
            for offset in range(3):
                course_id = course_ids[(phase_number * 3 + offset + path_number) % len(course_ids)]
                items.append({"id": f"c-{phase_number}-{offset}", "course": course_id})
                if course_quizzes.get(course_id):
                    items.append(
                        {
                            "id": f"q-{phase_number}-{offset}",
                            "quiz": course_quizzes[course_id][0],
                            "min_score": 80,
                        }
                    )
            if scenario_ids:
                items.append(
                    {
                        "id": f"d-{phase_number}",
                        "scenario": scenario_ids[phase_number % len(scenario_ids)],
                        "min_score": 70,
                    }
                )
            items.append(
                {
                    "id": f"t-{phase_number}",
                    "task": {
                        "title": text("Shadow five calls", "旁听五通电话"),
                        "description": text(
                            "Sit in with a *senior* rep.", "跟一位*资深*销售旁听。"
                        ),
                    },
                }
            )
            items.append(
                {
                    "id": f"r-{phase_number}",
                    "checkin": {"title": text("Review", "阶段面谈")},
                    "day": until,
                }
            )
            phases.append(
                {
                    "id": f"phase-{until}",
                    "title": text(f"Days to {until}", f"前 {until} 天"),
                    "until_day": until,
                    "goals": text("Learn the **basics**.", "掌握**基本功**。"),
                    "targets": {SKILLS[phase_number][0]: 40 + 10 * phase_number},
                    "items": items,
                }
            )
        write(
            courses_dir / "paths" / f"path-{path_number}.yaml",
            dump(
                {
                    "id": f"path-{path_number}",
                    "title": text(f"Onboarding path {path_number}", f"入职路径 {path_number}"),
                    "language": "en",
                    "phases": phases,
                }
            ),
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write courses/ and scenarios/ into")
    parser.add_argument("--lessons", type=int, default=500)
    parser.add_argument("--quizzes", type=int, default=100)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--scenarios", type=int, default=100)
    parser.add_argument("--nodes", type=int, default=15)
    args = parser.parse_args(argv)
    out = make_tree(
        args.out,
        lessons=args.lessons,
        quizzes=args.quizzes,
        questions=args.questions,
        scenarios=args.scenarios,
        nodes=args.nodes,
    )
    files = sum(1 for path in out.rglob("*") if path.is_file())
    print(f"wrote {files} files to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
