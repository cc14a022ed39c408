"""Chapter sources → book: what a good source becomes, and the message each kind of mistake gets.

The sources here are small chapters written into a temporary directory, with
a mode defined in this file and registered for the test only, so the checks do
not depend on the book's real chapters.
"""
from __future__ import annotations

import json
import re
import textwrap

import pytest

from buildlib import BuildError, Project
from buildlib.book import compile_book
from buildlib.htmltree import parse_html, prose_words
from build_run import ROOT
from llmviz import registry
from llmviz.core.mode import Mode, Submode
from llmviz.core.params import Choice, Flag, Number

CID = "p05-c09-testing"


class FakeMode(Mode):
    id = CID
    chapter = CID
    title = "Testing"
    params = (Number("context", "Context", lo=1, hi=131072, step=1, default=1024, integer=True),
              Choice("model", "Model", options=(("a", "A"), ("b", "B")), default="a"),
              Flag("paged", "Paged"))
    submodes = {"grow": Submode("Grow", {"context": 2048}), "evict": Submode("Evict")}


GOOD = """\
---
id: p05-c09-testing
title: Testing the build
mode: p05-c09-testing
summary: Check that $x^2$ renders in a summary.
glossary:
  KV cache: The keys and values of every earlier token.
  page: A fixed-size block of cache memory.
notation:
  - symbol: '$L$'
    meaning: number of layers
papers:
  kwon2023vllm:
    title: Efficient Memory Management for Large Language Model Serving with PagedAttention
    authors: Kwon, Li, Zhuang, Sheng, Zheng, Yu, Gonzalez, Zhang, Stoica
    year: 2023
    venue: SOSP
    url: https://arxiv.org/abs/2309.06180
    summary: Pages the KV cache like virtual memory.
---

## Why a cache

The {dfn}`KV cache` keeps keys; it costs \\$2 and \\$3 sometimes, and $a^2 + b^2$ is math.
Memory comes in {dfn}`pages <page>` {cite}`kwon2023vllm`, so {vis}`watch it grow <grow?context=4096&paged=on>`
or {vis}`switch models <?model=b>`.

$$
\\sum_i x_i
$$

::::{exercise} Cache per token
How big is one {dfn}`KV cache` entry?

:::{solution}
Open {vis}`the eviction view <evict>` and read it off.
:::
::::

::::{exercise}
Second question.

:::{solution}
Second answer.
:::
::::
"""


@pytest.fixture
def fake_mode(monkeypatch):
    monkeypatch.setitem(registry.MODE_PATHS, CID, f"{__name__}:FakeMode")


@pytest.fixture
def appendices(tmp_path):
    d = tmp_path / "appendices"
    d.mkdir()
    (d / "f-cheatsheet.md").write_text("---\ntitle: Cheatsheet\n---\n\nOne formula: $2MNK$.\n")
    return d


def compile_with(tmp_path, appendices, *sources: str):
    chapters = tmp_path / "chapters"
    chapters.mkdir(exist_ok=True)
    for text in sources:
        cid = re.search(r"^id: (\S+)", text, re.M).group(1)
        (chapters / f"{cid}.md").write_text(text, encoding="utf-8")
    return compile_book(Project.at(ROOT, chapters=chapters, appendices=appendices))


def problems(tmp_path, appendices, text: str) -> list[str]:
    with pytest.raises(BuildError) as e:
        compile_with(tmp_path, appendices, text)
    assert e.value.exit_code == 1
    return e.value.problems


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def test_good_chapter_renders_to_the_contract(fake_mode, tmp_path, appendices):
    book = compile_with(tmp_path, appendices, GOOD)
    doc = parse_html(book.fragments[f"chapters/{CID}.html"])
    (art,) = doc.find_all("article")
    # data-fonts lists the fonts of the mode's frames; this fake mode draws none
    assert art.attrs == {"id": CID, "class": "chapter", "data-mode": CID, "data-part": "5", "data-chapter": "9",
                         "data-fonts": "[]"}
    assert doc.find_all("p", "kicker")[0].text() == "Part 5 · Chapter 9"

    exercises = doc.find_all("section", "exercise")
    assert [e.attrs["id"] for e in exercises] == ["ex-1", "ex-2"]
    assert exercises[0].find_all("h3")[0].text() == "Exercise 5.9.1 — Cache per token"
    assert exercises[1].find_all("h3")[0].text() == "Exercise 5.9.2"
    for ex in exercises:
        (sol,) = ex.find_all(cls="solution")
        assert sol.tag == "details" and sol.find_all("summary")

    dfns = doc.find_all("dfn")
    assert [d.attrs.get("id") for d in dfns] == ["term-kv-cache", "term-page", None]  # first use only
    assert dfns[1].text() == "pages"

    trig = {t.text(): t for t in doc.find_all("vis-trigger")}
    assert json.loads(trig["watch it grow"].attrs["data-values"]) == {"context": 4096, "paged": True}
    assert trig["watch it grow"].attrs["data-submode"] == "grow"
    assert trig["switch models"].attrs["data-submode"] == ""
    assert json.loads(trig["switch models"].attrs["data-values"]) == {"model": "b"}
    assert trig["the eviction view"].attrs["data-submode"] == "evict"

    (cite,) = doc.find_all("a", "cite")
    assert cite.attrs["href"] == "#/appendix-e/paper-kwon2023vllm" and cite.text() == "Kwon et al., 2023"
    text = art.text()
    assert "$2 and $3" in text, "escaped dollar signs stay prose"
    assert len(doc.find_all(cls="katex")) == 3 and len(doc.find_all(cls="katex-display")) == 1
    assert "\ue000" not in book.fragments[f"chapters/{CID}.html"]
    assert book.words[CID] == prose_words(book.fragments[f"chapters/{CID}.html"]) > 40


def test_good_chapter_feeds_the_appendices(fake_mode, tmp_path, appendices):
    book = compile_with(tmp_path, appendices, GOOD)
    a = parse_html(book.fragments["appendices/appendix-a.html"])
    links = [x.attrs["href"] for x in a.find_all("a")]
    assert f"#/{CID}/ex-1" in links and f"#/{CID}/ex-2" in links
    assert f"#/{CID}?view=evict" in links, "a trigger inside a solution opens the chapter in that view"
    assert not a.find_all("vis-trigger") and not [d for d in a.find_all("dfn") if "id" in d.attrs]

    b = parse_html(book.fragments["appendices/appendix-b.html"])
    assert [d.attrs["id"] for d in b.find_all("dt")] == ["term-kv-cache", "term-page"]
    assert f"#/{CID}/term-page" in [x.attrs["href"] for x in b.find_all("a")]

    c = parse_html(book.fragments["appendices/appendix-c.html"])
    assert c.find_all("td", "symbol")[0].find_all(cls="katex")

    e = parse_html(book.fragments["appendices/appendix-e.html"])
    (paper,) = e.find_all("section", "paper")
    assert paper.attrs["id"] == "paper-kwon2023vllm"
    assert "https://arxiv.org/abs/2309.06180" in [x.attrs["href"] for x in paper.find_all("a")]
    assert f"#/{CID}" in [x.attrs["href"] for x in paper.find_all("a")]

    manifest = book.manifest()
    assert [p["id"] for p in manifest["parts"]] == ["p05"], "only parts with chapters are listed"
    assert manifest["parts"][0]["chapters"][0]["summary"] == "Check that x^2 renders in a summary."
    assert manifest["order"] == [CID] + [f"appendix-{x}" for x in "abcdef"]


def test_zero_chapters_still_build_a_book(tmp_path, appendices):
    book = compile_with(tmp_path, appendices)
    assert book.chapters == [] and book.manifest()["parts"] == []
    assert book.order == [f"appendix-{x}" for x in "abcdef"]


def test_unknown_mode_id(tmp_path, appendices):
    text = GOOD.replace("mode: p05-c09-testing", "mode: p05-c09-nosuch")
    (msg,) = [p for p in problems(tmp_path, appendices, text) if "mode" in p]
    assert msg.startswith(f"chapters/{CID}.md:4: unknown mode id 'p05-c09-nosuch' (registered: ")
    assert all(m in msg for m in registry.mode_ids())


def test_unknown_vis_target_names_views_and_parameters(fake_mode, tmp_path, appendices):
    text = GOOD.replace("<grow?context=4096&paged=on>", "<foo>")
    assert problems(tmp_path, appendices, text) == [
        f"chapters/{CID}.md:{line_of(text, '<foo>')}: unknown vis-trigger target 'foo' "
        f"(views: grow, evict; parameters: context, model, paged)"]


@pytest.mark.parametrize("target,message", [
    ("grow?size=3", "unknown parameter 'size' in vis-trigger target 'grow?size=3'"),
    ("?context=999999", "context=999999 in vis-trigger target '?context=999999' is outside 1..131072"),
    ("?context=2.5", "must be a whole number"),
    ("?model=z", "model='z' in vis-trigger target '?model=z' is not an option (a, b)"),
    ("?paged=maybe", "must be on or off"),
    ("", "unknown vis-trigger target ''"),
])
def test_bad_vis_values(fake_mode, tmp_path, appendices, target, message):
    text = GOOD.replace("<evict>", f"<{target}>")
    (msg,) = problems(tmp_path, appendices, text)
    assert msg.startswith(f"chapters/{CID}.md:{line_of(text, f'<{target}>')}: ") and message in msg


def test_malformed_math(fake_mode, tmp_path, appendices):
    text = GOOD.replace("Second question.", "Second question: $\\frac{a$.")
    (msg,) = problems(tmp_path, appendices, text)
    assert msg.startswith(f"chapters/{CID}.md:{line_of(text, 'Second question')}: malformed math $\\frac{{a$: ")
    assert "KaTeX parse error" in msg


def test_malformed_display_math(fake_mode, tmp_path, appendices):
    text = GOOD.replace("\\sum_i x_i", "\\sum_i x_{i")
    (msg,) = problems(tmp_path, appendices, text)
    assert msg.startswith(f"chapters/{CID}.md:{line_of(text, '$$')}: malformed math $$")


def test_exercise_without_solution(fake_mode, tmp_path, appendices):
    text = GOOD.replace(":::{solution}\nSecond answer.\n:::\n", "")
    assert problems(tmp_path, appendices, text) == [
        f"chapters/{CID}.md:{line_of(text, '::::{exercise}' + chr(10))}: "
        f"exercise has 0 {{solution}} blocks; it needs exactly one"]


def test_exercise_with_two_solutions(fake_mode, tmp_path, appendices):
    text = GOOD.replace(":::{solution}\nSecond answer.\n:::\n", ":::{solution}\nA.\n:::\n\n:::{solution}\nB.\n:::\n")
    (msg,) = problems(tmp_path, appendices, text)
    assert "exercise has 2 {solution} blocks; it needs exactly one" in msg


def test_solution_outside_an_exercise(fake_mode, tmp_path, appendices):
    text = GOOD + "\n:::{solution}\nStray.\n:::\n"
    (msg,) = problems(tmp_path, appendices, text)
    assert msg == f"chapters/{CID}.md:{line_of(text, 'Stray') - 1}: a {{solution}} must sit directly inside an {{exercise}}"


def test_dfn_missing_from_glossary(fake_mode, tmp_path, appendices):
    text = GOOD.replace("{dfn}`pages <page>`", "{dfn}`frames`")
    msgs = problems(tmp_path, appendices, text)
    assert f"chapters/{CID}.md:{line_of(text, '{dfn}`frames`')}: {{dfn}}`frames` is not in this chapter's " \
           f"glossary front matter (terms: KV cache, page)" in msgs
    assert f"chapters/{CID}.md:8: glossary term 'page' is never introduced with {{dfn}} in the text" in msgs


def test_unknown_citation_role_and_answer(fake_mode, tmp_path, appendices):
    text = GOOD.replace("{cite}`kwon2023vllm`", "{cite}`nobody2020` {ans}`nothing` {role}`x`")
    msgs = problems(tmp_path, appendices, text)
    line = line_of(text, "nobody2020")
    assert f"chapters/{CID}.md:{line}: unknown paper 'nobody2020' in {{cite}} " \
           f"(cite a key from some chapter's 'papers')" in msgs
    assert any(m.startswith(f"chapters/{CID}.md:{line}: {{ans}}`nothing`: ValueError") for m in msgs)
    assert f"chapters/{CID}.md:{line}: unknown role {{role}} (known: ans, cite, dfn, vis)" in msgs


def test_front_matter_problems(fake_mode, tmp_path, appendices):
    text = GOOD.replace("title: Testing the build\n", "").replace("    year: 2023\n", "")
    msgs = problems(tmp_path, appendices, text)
    assert f"chapters/{CID}.md:1: front matter needs a non-empty 'title'" in msgs
    broken = GOOD.replace("glossary:\n", "glossary: [\n", 1)
    (msg,) = problems(tmp_path, appendices, broken)
    assert msg.startswith(f"chapters/{CID}.md:") and "front matter is not valid YAML" in msg


def test_glossary_term_defined_twice_across_chapters(fake_mode, tmp_path, appendices):
    other = textwrap.dedent("""\
        ---
        id: p05-c08-other
        title: Another
        mode: p05-c09-testing
        summary: Another chapter.
        glossary:
          KV Cache: Defined again.
        ---

        The {dfn}`KV Cache` again.
        """)
    with pytest.raises(BuildError) as e:
        compile_with(tmp_path, appendices, GOOD, other)
    assert any("glossary term 'KV Cache' is already introduced by p05-c08-other" in p
               or "glossary term 'KV cache' is already introduced by p05-c08-other" in p for p in e.value.problems)


def test_every_problem_is_reported_in_one_run(fake_mode, tmp_path, appendices):
    text = GOOD.replace("<foo>", "").replace("<evict>", "<nope>").replace("Second question.", "$\\frac{$")
    text = text.replace("{cite}`kwon2023vllm`", "{cite}`nobody`")
    msgs = problems(tmp_path, appendices, text)
    assert len(msgs) == 3 and msgs == sorted(msgs, key=lambda m: int(m.split(":")[1]))


def test_external_resources_are_refused(fake_mode, tmp_path, appendices):
    text = GOOD.replace("Second question.", "Second question. ![plot](https://example.com/plot.png)")
    (msg,) = problems(tmp_path, appendices, text)
    assert msg.startswith(f"chapters/{CID}.md: <img src=\"https://example.com/plot.png\"> loads from another site")


@pytest.mark.parametrize("prose", ["with $d_k = $ 12 heads", "a fee of $5 per hour", "an unclosed $x + y"])
def test_stray_dollar_is_reported(fake_mode, tmp_path, appendices, prose):
    text = GOOD.replace("Second question.", f"Second question,\n{prose}.")
    (msg,) = problems(tmp_path, appendices, text)
    assert msg.startswith(f"chapters/{CID}.md:{line_of(text, prose)}: '$' that neither opens nor closes math")
