"""The offline responder follows the answer behaviour its parameters set, and nothing more."""

from __future__ import annotations

from datetime import timedelta

import pytest

from selflearn.maas import ABSTENTION, AnswerBehaviour, extractive_answer
from selflearn.maas._assembler import ContextLine
from selflearn.maas._subjects import (
    announces_change,
    question_anchor,
    question_moment,
    sentence_subject,
)
from tests.factories import NOW

JOBS = [
    ContextLine(1, "2024-01-15", "Rui", "I work early shifts as a baker at St. Brigid's Bakery."),
    ContextLine(2, "2024-03-02", "Rui", "My husband Tomasz works as a surveyor at Fernhill."),
    ContextLine(3, "2024-06-10", "Rui", "I switched jobs: I work as a roaster at Copperleaf."),
]


@pytest.mark.parametrize(
    ("sentence", "question", "subject"),
    [
        ("I'm allergic to bee stings.", "Which allergies do I have?", "self"),
        ("My tortoise is called Basil, he is ancient.", "What is my tortoise called?", "self"),
        ("My husband Tomasz works as a surveyor.", "Where do I work?", "other"),
        ("My doctor put me on iron tablets.", "Which pills do I take?", "self"),
        ("Omar takes atorvastatin for his cholesterol.", "What do I take?", "other"),
        ("My father sees Dr. Carys Abernathy.", "Who is my optician?", "other"),
        ("I would like to mention that my nephew's graduation is in June.", "When?", "other"),
        ("I live with my flatmate in Dundee.", "Where do I live?", "self"),
        ("My boss is Henrik Salo.", "Who is my boss?", "self"),
        ("Tamarind slipped to 3 February.", "When does my release go out?", "unknown"),
    ],
)
def test_sentence_subject_tells_the_users_facts_from_other_peoples(sentence, question, subject):
    assert sentence_subject(sentence, question) == subject


# Any describing word may stand between "my" and the relation, not only a listed few.
@pytest.mark.parametrize(
    "sentence",
    [
        "My climbing buddy Oskar climbs 15 hours a week.",
        "My school friend Wen lives in Hobart.",
        "My twin sister Ida works at a bakery.",
    ],
)
def test_sentence_subject_sees_a_relation_behind_any_describing_word(sentence):
    assert sentence_subject(sentence, "How many hours do I climb?") == "other"


@pytest.mark.parametrize(
    "sentence",
    ["My trip with friends to Oslo was in May.", "My dinner for the neighbours was a success."],
)
def test_a_relation_after_a_function_word_leaves_the_user_the_subject(sentence):
    assert sentence_subject(sentence, "When was my trip?") == "self"


@pytest.mark.parametrize(
    ("question", "moment"),
    [
        ("Which gym do I go to now?", "present"),
        ("What is my favourite board game?", "present"),
        ("Which school did I teach at before I retrained?", "past-first"),
        ("What was the original launch price?", "past-first"),
        ("Which choir did I join in January?", "past"),
        ("Sorry if I asked before, but which gym do I go to?", "present"),
        ("Did I tell you this before?", "past"),
    ],
)
def test_question_moment(question, moment):
    assert question_moment(question) == moment


def test_announces_change():
    assert announces_change("These days my go-to breakfast is a bowl of congee.")
    assert announces_change("I am back to three pottery classes a week.")
    assert not announces_change("I had some cheese with Anna yesterday.")


# Common ways of saying that something changed, beyond "now" and "switched".
@pytest.mark.parametrize(
    "sentence",
    [
        "The vet appointment got rescheduled to Friday.",
        "We rebooked the ferry for the ninth.",
        "I traded my road bike in for a gravel bike.",
        "I got promoted to team lead.",
        "I took up the cello last month.",
        "Correction: the boiler is twelve years old, not eight.",
    ],
)
def test_announces_change_in_other_words(sentence):
    assert announces_change(sentence)


OWN = AnswerBehaviour(style="grounded", scope="own")
OWN_LATEST = AnswerBehaviour(style="grounded", scope="own", conflicts="latest")


def test_own_scope_drops_what_the_user_said_about_someone_else():
    lines = JOBS[1:2]
    plain, _ = extractive_answer("Where do I work?", lines)
    assert "Fernhill" in plain  # scope "anyone": the only matching memory answers
    answer, used = extractive_answer("Where do I work?", lines, OWN)
    assert answer == ABSTENTION and used == ()
    # Asked about the husband, his fact is the answer.
    about, _ = extractive_answer("Where does my husband work?", lines, OWN)
    assert "Fernhill" in about


def test_latest_answers_the_present_from_the_newest_memory_and_the_past_from_the_oldest():
    now, used = extractive_answer("Where do I work?", JOBS, OWN_LATEST)
    assert "Copperleaf" in now and used == (3,)
    first, used = extractive_answer("Where did I work originally?", JOBS, OWN_LATEST)
    assert "St. Brigid's Bakery" in first and used == (1,)
    # With "best_match" the best-matching sentence answers, whatever its date.
    plain, _ = extractive_answer("Where do I work?", JOBS, OWN)
    assert "St. Brigid's Bakery" in plain


def test_latest_ignores_newer_memories_that_barely_match():
    lines = [
        ContextLine(1, "2024-01-01", "Ilse", "My favourite cheese is a crumbly Wensleydale."),
        ContextLine(2, "2024-05-01", "Ilse", "I had some cheese with Anna yesterday."),
    ]
    answer, _ = extractive_answer("What is my favourite cheese?", lines, OWN_LATEST)
    assert "Wensleydale" in answer


CARS = [
    ContextLine(1, "2023-02-01", "Mika", "I drive a dented white Lada Niva."),
    ContextLine(2, "2023-09-12", "Mika", "I bought a second-hand Nissan Leaf, it is electric."),
    ContextLine(3, "2024-04-30", "Mika", "Traded the Leaf in for a teal Subaru Forester."),
    ContextLine(4, "2024-05-02", "Mika", "My neighbour drives a red Saab."),
]


@pytest.mark.parametrize(
    ("question", "anchor"),
    [
        ("What did I drive before the teal Subaru?", "the teal Subaru"),
        ("Which car did I have prior to the Leaf?", "the Leaf"),
        ("Where did I live before I moved, and where do I work?", "I moved"),
        ("Sorry if I asked before, but which car do I drive?", None),
        ("What was my previous car?", ""),
        ("Which car do I drive now?", None),
    ],
)
def test_question_anchor(question, anchor):
    assert question_anchor(question) == anchor


@pytest.mark.parametrize("conflicts", ["best_match", "latest"])
def test_a_question_about_what_came_before_is_not_answered_by_its_anchor(conflicts):
    behaviour = AnswerBehaviour(conflicts=conflicts)
    answer, used = extractive_answer("What did I drive before the teal Subaru?", CARS, behaviour)
    assert "Subaru" not in answer and used in {(1,), (2,)}
    # Only what was said before the anchor can have come before it.
    answer, used = extractive_answer("What did I drive before the Nissan?", CARS, behaviour)
    assert "Lada" in answer and used == (1,)


def test_latest_answers_the_previous_value_from_the_one_before_the_newest():
    lines = [
        ContextLine(1, "2023-01-10", "Mika", "My car is an old Lada Niva."),
        ContextLine(2, "2023-08-01", "Mika", "My car is now a Nissan Leaf."),
        ContextLine(3, "2024-03-01", "Mika", "My new car is a teal Subaru Forester."),
    ]
    behaviour = AnswerBehaviour(conflicts="latest")
    answer, used = extractive_answer("What was my previous car?", lines, behaviour)
    assert "Leaf" in answer and used == (2,)
    answer, used = extractive_answer("Which car had I before the teal Subaru?", lines, behaviour)
    assert "Leaf" in answer and used == (2,)
    # How things were at first is still the oldest.
    answer, used = extractive_answer("Which car did I have at first?", lines, behaviour)
    assert "Lada" in answer and used == (1,)


def test_words_of_the_moment_do_not_match_small_talk():
    lines = [
        ContextLine(1, "2024-02-01", "Juno", "I am learning to play the oboe."),
        ContextLine(2, "2024-02-03", "Juno", "That is everything for now, bye."),
    ]
    # "now" says when the question asks about; it is not what it asks about.
    answer, _ = extractive_answer("Which instrument am I learning now?", lines)
    assert "oboe" in answer
    answer, used = extractive_answer("Which pet do I have now?", lines)
    assert answer == ABSTENTION and used == ()


def test_a_question_joining_two_questions_gets_both_answers():
    lines = [
        ContextLine(1, "2024-02-01", "Juno", "I am learning to play the oboe."),
        ContextLine(2, "2024-03-05", "Juno", "My flat is in Leuven, near the station."),
    ]
    answer, used = extractive_answer("Which instrument am I learning, and where is my flat?", lines)
    assert "oboe" in answer and "Leuven" in answer and used == (1, 2)
    # A part the memories cannot answer is left out; the other is still answered.
    answer, used = extractive_answer("Where is my flat, and which dentist do I see?", lines)
    assert "Leuven" in answer and used == (2,)
    assert extractive_answer("Which dentist do I see, and who is my GP?", lines)[0] == ABSTENTION


def test_a_sentence_stating_what_is_asked_beats_one_matched_only_by_its_reply_context():
    asked = '(in reply to Assistant: "Which climbing gym do you train at?")'
    lines = [
        ContextLine(1, "2024-02-01", "Ada", f"Anyway, long day. {asked}"),
        ContextLine(2, "2024-01-20", "Ada", "My climbing gym is Ironworks."),
    ]
    answer, used = extractive_answer("Which climbing gym do I train at?", lines)
    assert "Ironworks" in answer and used == (2,)
    # With no sentence that states it, the reply context still lets a short reply answer.
    lines = [ContextLine(1, "2024-02-01", "Ada", f"Ironworks, near the docks. {asked}")]
    answer, used = extractive_answer("Which climbing gym do I train at?", lines)
    assert "Ironworks" in answer and used == (1,)


def test_sentences_keep_titles_and_numbers_whole():
    lines = [ContextLine(1, "2024-03-02", "Ana", "I have cello lessons from Mrs. Lindgren.")]
    answer, _ = extractive_answer("Who teaches me cello?", lines)
    assert "Mrs. Lindgren." in answer


def test_the_service_applies_the_behaviour_factors_end_to_end(service, user):
    # The behaviour alone: no supersede link demotes the older fact in retrieval.
    service.archivist.supersede_min_cosine = None
    try:
        _rules_end_to_end(service, user)
    finally:
        service.archivist.supersede_min_cosine = 0.0


def _rules_end_to_end(service, user):
    service.add_memories(
        user,
        [
            {
                "text": "I climb about 9 hours a week over four climbs.",
                "occurred_at": NOW - timedelta(days=90),
            },
            {
                "text": "My buddy Oskar climbs 15 hours a week.",
                "occurred_at": NOW - timedelta(days=40),
            },
            {"text": "I am back to 5 hours a week.", "occurred_at": NOW - timedelta(days=5)},
        ],
    )
    question = "How many hours a week do I climb these days?"
    behaviours = {"responder.fact_scope": "own", "responder.conflict_policy": "latest"}
    plain = service.chat_turn(user, question).answer
    ruled = service.chat_turn(user, question, params=behaviours).answer
    assert "9 hours" in plain
    assert "5 hours" in ruled and "Oskar" not in ruled
