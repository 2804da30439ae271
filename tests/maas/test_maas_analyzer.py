"""Pure pipeline pieces: query analysis, time expressions, context assembly, extraction."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from selflearn.maas import (
    ABSTENTION,
    AnswerBehaviour,
    analyze_query,
    assemble_context,
    extractive_answer,
)
from selflearn.maas._assembler import ContextLine, parse_context
from selflearn.maas._retrieval import Candidate
from selflearn.maas._text import count_tokens, sentences

NOW = datetime(2023, 6, 15, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        ("What did I do yesterday?", date(2023, 6, 14), date(2023, 6, 15)),
        ("Where did we go last month?", date(2023, 5, 1), date(2023, 6, 1)),
        ("What happened in May 2023?", date(2023, 5, 1), date(2023, 6, 1)),
        ("What did I buy in March?", date(2023, 3, 1), date(2023, 4, 1)),
        ("What did I cook three days ago?", date(2023, 6, 12), date(2023, 6, 13)),
        ("Who called on 8 May, 2023?", date(2023, 5, 8), date(2023, 5, 9)),
        ("What did I read last week?", date(2023, 6, 8), date(2023, 6, 15)),
        ("Plans from last year?", date(2022, 1, 1), date(2023, 1, 1)),
        ("What did we do in 2021?", date(2021, 1, 1), date(2022, 1, 1)),
    ],
)
def test_time_expressions_resolve_against_the_reference_time(query, start, end):
    found = analyze_query(query, now=NOW, keyword_count=6).time_range
    assert found is not None and (found.start.date(), found.end.date()) == (start, end)


def test_may_the_verb_is_not_a_month():
    assert analyze_query("May I ask what my cat eats?", now=NOW, keyword_count=6).time_range is None


def test_terms_drop_stop_words_and_time_words_and_keywords_are_capped():
    analysis = analyze_query(
        "What did Odile research about sailing schools last month?", now=NOW, keyword_count=2
    )
    assert analysis.entities == ("Odile",)
    assert analysis.terms == ("odile", "research", "sailing", "schools")
    assert analysis.keywords == ("odile", "research")
    assert analysis.question_type == "what"
    assert "last" not in analysis.terms and "month" not in analysis.terms


def _candidate(text: str) -> Candidate:
    return Candidate(
        id=uuid.uuid4(), user_id="u", text=text, speaker="Ana", source_turn_ids=[],
        provenance={}, tags=[], occurred_at=NOW, dense=0.5, lexical=0.5,
    )  # fmt: skip


def test_context_fits_the_budget_skipping_what_does_not_fit():
    candidates = [_candidate("word " * 60), _candidate("short one"), _candidate("word " * 60)]
    context = assemble_context(candidates, max_tokens=95)
    assert context.tokens <= 95 and context.included == (0, 1)
    assert [line.number for line in parse_context(context.text)] == [1, 2]
    alone = assemble_context([_candidate("word " * 500)], max_tokens=100)
    assert alone.included == (0,) and count_tokens(alone.text) <= 100


def test_extractive_answer_quotes_the_supporting_sentence_or_abstains():
    lines = [
        ContextLine(1, "2023-05-08", "Odile", "Hello again! I went to a pottery class yesterday."),
        ContextLine(2, "2023-05-09", "Bram", "What did you make at the class?"),
    ]
    question = "When did Odile go to the pottery class?"
    answer, used = extractive_answer(question, lines, AnswerBehaviour(style="concise"))
    assert answer == "7 May 2023" and used == (1,)
    answer, _ = extractive_answer(question, lines)
    assert "I went to a pottery class yesterday." in answer and "7 May 2023" in answer
    assert extractive_answer("What is the capital of Peru?", lines) == (ABSTENTION, ())
    # A name alone is no support.
    assert extractive_answer("What car does Odile drive?", lines)[0] == ABSTENTION


@pytest.mark.parametrize(
    ("query", "terms", "question_type"),
    [
        ("Wait, remind me, what am I afraid of?", ("afraid",), "what"),
        ("Do you remember: how many bikes do I have?", ("many", "bikes"), "how"),
        (
            "Help me out here, what's my boat called? I can never keep track!",
            ("boat", "called"),
            "what",
        ),
        ("Sorry if I asked before, but where do I work?", ("work",), "where"),
        (
            "Could you please remind me: when is my boiler service?",
            ("boiler", "service"),
            "when",
        ),
    ],
)
def test_the_words_of_asking_are_not_terms(query, terms, question_type):
    # "remind", "wait" or a remark after the question would match memories on small talk.
    analysis = analyze_query(query, now=NOW, keyword_count=6)
    assert analysis.terms == terms and analysis.question_type == question_type


def test_sentences_do_not_end_at_titles_or_numbered_names():
    text = "My contact is Mr. Anton Reyes. I practise Etude No. 4 daily! St. Kilda's is big."
    assert sentences(text) == [
        "My contact is Mr. Anton Reyes.",
        "I practise Etude No. 4 daily!",
        "St. Kilda's is big.",
    ]
