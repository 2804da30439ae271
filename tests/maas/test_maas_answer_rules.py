"""The offline responder follows the answer rules its prompt states, and nothing more."""

from __future__ import annotations

from datetime import timedelta

import pytest

from selflearn.maas import ABSTENTION, PROMPTS, extractive_answer
from selflearn.maas._assembler import ContextLine
from selflearn.maas._prompts import ANSWER_RULES
from selflearn.maas._subjects import announces_change, question_moment, sentence_subject
from tests.factories import NOW

JOBS = [
    ContextLine(1, "2024-01-15", "Dan", "I work nights as a ward nurse at St. Mary's Hospital."),
    ContextLine(2, "2024-03-02", "Dan", "My wife Grace works as a pharmacist at Lakeside."),
    ContextLine(3, "2024-06-10", "Dan", "I switched jobs: I work as an instructor at Hillcrest."),
]


@pytest.mark.parametrize(
    ("sentence", "question", "subject"),
    [
        ("I'm allergic to penicillin.", "What am I allergic to?", "self"),
        ("My cat is called Mochi, she is grey.", "What is my cat called?", "self"),
        ("My wife Grace works as a pharmacist.", "Where do I work?", "other"),
        ("My doctor put me on metformin.", "Which medication do I take?", "self"),
        ("Luis takes lisinopril for his blood pressure.", "What do I take?", "other"),
        ("My mother sees Dr. Peter Marsh.", "Who is my dentist?", "other"),
        ("I would like to mention that my sister's birthday is in May.", "When?", "other"),
        ("I live with my partner in Porto.", "Where do I live?", "self"),
        ("My manager is Sofia Brandt.", "Who is my manager?", "self"),
        ("Heron slipped to 28 October.", "When does my project ship?", "unknown"),
    ],
)
def test_sentence_subject_tells_the_users_facts_from_other_peoples(sentence, question, subject):
    assert sentence_subject(sentence, question) == subject


@pytest.mark.parametrize(
    ("question", "moment"),
    [
        ("Where do I work now?", "present"),
        ("What is my favourite tea?", "present"),
        ("Where did I live before I moved?", "past-first"),
        ("What was the original end date?", "past-first"),
        ("Which race did I sign up for in January?", "past"),
    ],
)
def test_question_moment(question, moment):
    assert question_moment(question) == moment


def test_announces_change():
    assert announces_change("These days my favourite tea is a roasted oolong.")
    assert announces_change("I am back to 25 km a week.")
    assert not announces_change("I had some tea with Anna yesterday.")


def test_every_registered_prompt_states_its_rules_in_its_text():
    for prompt in PROMPTS.values():
        for rule in prompt.rules:
            assert ANSWER_RULES[rule] in prompt.system


def test_own_facts_drops_what_the_user_said_about_someone_else():
    lines = JOBS[1:2]
    plain, _ = extractive_answer("Where do I work?", lines, "sentence")
    assert "Lakeside" in plain  # v1 has no such rule: the only matching memory answers
    answer, used = extractive_answer("Where do I work?", lines, "grounded", {"own-facts"})
    assert answer == ABSTENTION and used == ()
    # Asked about the wife, her fact is the answer.
    about, _ = extractive_answer("Where does my wife work?", lines, "grounded", {"own-facts"})
    assert "Lakeside" in about


def test_latest_wins_answers_the_present_from_the_newest_memory_and_the_past_from_the_oldest():
    rules = {"own-facts", "latest-wins"}
    now, used = extractive_answer("Where do I work?", JOBS, "grounded", rules)
    assert "Hillcrest" in now and used == (3,)
    first, used = extractive_answer("Where did I work originally?", JOBS, "grounded", rules)
    assert "St. Mary's Hospital" in first and used == (1,)
    # Without the rule the best-matching sentence answers, whatever its date.
    plain, _ = extractive_answer("Where do I work?", JOBS, "grounded", {"own-facts"})
    assert "St. Mary's Hospital" in plain


def test_latest_wins_ignores_newer_memories_that_barely_match():
    lines = [
        ContextLine(1, "2024-01-01", "Noor", "My favourite tea is a smoky lapsang souchong."),
        ContextLine(2, "2024-05-01", "Noor", "I had some tea with Anna yesterday."),
    ]
    answer, _ = extractive_answer(
        "What is my favourite tea?", lines, "grounded", {"own-facts", "latest-wins"}
    )
    assert "lapsang" in answer


def test_sentences_keep_titles_and_numbers_whole():
    lines = [ContextLine(1, "2024-03-02", "Leo", "I take piano with a teacher called Mrs. Okafor.")]
    answer, _ = extractive_answer("Who teaches me piano?", lines, "sentence")
    assert "Mrs. Okafor." in answer


def test_the_service_applies_the_prompt_rules_end_to_end(service, user):
    service.add_memories(
        user,
        [
            {
                "text": "I run about 35 km a week over four runs.",
                "occurred_at": NOW - timedelta(days=90),
            },
            {"text": "My buddy Jonas runs 60 km a week.", "occurred_at": NOW - timedelta(days=40)},
            {"text": "I am back to 25 km a week.", "occurred_at": NOW - timedelta(days=5)},
        ],
    )
    question = "How many km a week do I run these days?"
    answers = {
        version: service.chat_turn(
            user, question, params={"responder.system_prompt_version": version}
        ).answer
        for version in ("v1", "v4-current")
    }
    assert "35 km" in answers["v1"]
    assert "25 km" in answers["v4-current"] and "Jonas" not in answers["v4-current"]
