"""Small talk is recognised; a question, even one that opens with small talk, is not."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase
from knowledge.conversation import classify, friendly_reply, phrasebook
from knowledge.curated import load_curated
from knowledge.models import ConversationKind, Outcome

GREETING = ConversationKind.GREETING
THANKS = ConversationKind.THANKS
CAPABILITIES = ConversationKind.CAPABILITIES
IDENTITY = ConversationKind.IDENTITY
FEEDBACK = ConversationKind.FEEDBACK
FAREWELL = ConversationKind.FAREWELL

CURATED_QUESTIONS = sorted({q for fact in load_curated().facts for q in fact.question_texts})


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("hello", GREETING),
        ("Hello?", GREETING),
        ("hiya", GREETING),
        ("hi there bot", GREETING),
        ("Hey!! 👋", GREETING),
        ("hiii", GREETING),
        ("good morning all", GREETING),
        ("helllo", GREETING),
        ("anyone there?", GREETING),
        ("how r u", GREETING),
        ("thanks", THANKS),
        ("Thanks!!", THANKS),
        ("thx", THANKS),
        ("ty", THANKS),
        ("ta", THANKS),
        ("thank u", THANKS),
        ("thankyou so much", THANKS),
        ("cheers mate", THANKS),
        ("thnaks", THANKS),
        ("thanks for the help 🙏", THANKS),
        ("ok thanks", THANKS),  # thanks outranks a bare "ok"
        ("what can you do?", CAPABILITIES),
        ("What can u do", CAPABILITIES),
        ("how do I use you?", CAPABILITIES),
        ("help", CAPABILITIES),
        ("help!", CAPABILITIES),
        ("hi, what can you do?", CAPABILITIES),  # the request outranks the greeting
        ("waht can you do", CAPABILITIES),
        ("are you a bot", IDENTITY),
        ("r u a bot?", IDENTITY),
        ("who are you?", IDENTITY),
        ("are you human?", IDENTITY),
        ("Are you a real person", IDENTITY),
        ("good bot", FEEDBACK),
        ("bad bot", FEEDBACK),
        ("you're useless", FEEDBACK),
        ("you’re useless", FEEDBACK),
        ("ur useless", FEEDBACK),
        ("ok", FEEDBACK),
        ("cool", FEEDBACK),
        ("lol", FEEDBACK),
        ("hahaha", FEEDBACK),
        ("👍", FEEDBACK),
        ("bye", FAREWELL),
        ("byeee", FAREWELL),
        ("ok bye", FAREWELL),
        ("see ya", FAREWELL),
        ("goodbey", FAREWELL),  # two letters swapped
        ("<@1234567890> thanks", THANKS),  # someone else's mention is not substance
    ],
)
def test_small_talk_is_recognised(message: str, kind: ConversationKind) -> None:
    assert classify(message) is kind


@pytest.mark.parametrize(
    "message",
    [
        "hi, who owns sscl?",
        "thanks - and when does the move happen?",
        "hello is my job safe",
        "hiya is our work going abroad",
        "thanks, what about pensions?",
        "help with my pension?",
        "who are unison",
        "what do you know about sscl",
        "hey what's the deal with steria",
        "are you a bot that knows about DBS?",
        "good morning, how many jobs are going?",
        "ok but who runs dbs",
        "cheers, and the 25 percent stake?",
        "thanks 2",
        "hi https://example.com/sscl",
        # nothing conversational in them either: not small talk
        "?",
        "👀",
        "sorry",
    ],
)
def test_a_message_with_substance_is_not_small_talk(message: str) -> None:
    assert classify(message) is None


@pytest.mark.parametrize("opener", ["", "hi, ", "thanks! ", "hello? "])
def test_no_curated_example_question_is_small_talk(opener: str) -> None:
    taken = [q for q in CURATED_QUESTIONS if classify(opener + q) is not None]
    assert taken == []


def test_every_kind_has_phrases_and_a_reply_that_says_how_to_ask() -> None:
    book = phrasebook()
    assert set(book.priority) == set(ConversationKind)
    assert set(book.phrases.values()) == set(ConversationKind)
    for kind in ConversationKind:
        assert book.example_question in friendly_reply(kind)


def test_the_example_question_in_the_reply_is_answered(kb: KnowledgeBase) -> None:
    assert kb.ask(phrasebook().example_question, place="console").answered


@pytest.mark.parametrize("message", ["hello", "thanks!", "what can you do?", "are you a bot"])
def test_small_talk_is_neither_answered_logged_nor_counted(kb: KnowledgeBase, message: str) -> None:
    reply = kb.ask(message, place="channel:42")

    assert reply.match.outcome is Outcome.CONVERSATION
    assert reply.conversation is classify(message)
    assert not reply.answered and reply.fact is None and reply.suggestions == ()
    assert reply.logged is None and kb.unanswered_questions() == []
    assert kb.stats(days=1).asked == 0


def test_a_question_after_a_greeting_is_still_answered(kb: KnowledgeBase) -> None:
    reply = kb.ask("hi, who owns sscl?", place="console")
    assert reply.answered and reply.conversation is None
    assert kb.stats(days=1).asked == 1
