"""Wording tables of the offline emulator: frames, synonyms and chit-chat per persona style.

`{s}` is the sentence with its first word lower-cased when that is safe, `{S}` the sentence
as written. Frames never contain a fact value, so wrapping cannot change what is verifiable.
"""

from __future__ import annotations

STATEMENT_FRAMES: dict[str, tuple[str, ...]] = {
    "terse": ("{S}", "FYI: {s}", "Note: {s}", "Update: {s}", "btw {s}", "{S}"),
    "neutral": (
        "{S}",
        "Just so you know, {s}",
        "Quick update: {s}",
        "By the way, {s}",
        "Something worth remembering: {s}",
        "Oh, and {s}",
    ),
    "chatty": (
        "Oh, before I forget, {s} Anyway!",
        "So, funny story, {s}",
        "Guess what? {S} Still getting used to it, honestly.",
        "Okay, random thing: {s} Just thought you should know!",
        "You know what, {s} Life, huh?",
        "Ha, so {s} Crazy, right?",
        "Sooo... {s}",
    ),
    "formal": (
        "For your records: {s}",
        "Please note that {s}",
        "I would like to mention that {s}",
        "Kindly make a note of this: {s}",
        "For reference, {s}",
        "{S}",
    ),
}

QUESTION_FRAMES: dict[str, tuple[str, ...]] = {
    "terse": ("{S}", "Q: {s}", "quick one: {s}", "{S}"),
    "neutral": ("{S}", "Do you remember: {s}", "Quick question: {s}", "Remind me, {s}"),
    "chatty": (
        "Hey, random question, {s}",
        "Okay so I totally blanked, {s}",
        "Help me out here, {s} I can never keep track!",
        "Wait, remind me, {s}",
        "Sorry if I asked before, but {s}",
    ),
    "formal": (
        "Could you please remind me: {s}",
        "May I ask, {s}",
        "I would appreciate a reminder: {s}",
        "{S}",
    ),
}

GREETINGS: dict[str, tuple[str, ...]] = {
    "terse": ("hi", "hey", "morning"),
    "neutral": ("Hi there.", "Hello again.", "Hi, it's me."),
    "chatty": ("Heyyy! It's me again :)", "Hi hi! Got a minute?", "Hello hello! Miss me?"),
    "formal": ("Good morning.", "Hello, I hope you are well.", "Good afternoon."),
}

CLOSINGS: dict[str, tuple[str, ...]] = {
    "terse": ("bye", "later", "thx"),
    "neutral": ("Thanks, talk later.", "That's all for now.", "Okay, thanks!"),
    "chatty": (
        "Okay, gotta run, talk soon!!",
        "Anyway, thanks for listening to me ramble :)",
        "Byeee, catch you later!",
    ),
    "formal": ("Thank you, that will be all for now.", "Many thanks for your help.", "Regards."),
}

# Deliberately bland: generic chit-chat must never carry anything a probe could ask about.
CHITCHAT: dict[str, tuple[str, ...]] = {
    "terse": ("ok.", "got it", "k", "fine.", "sure"),
    "neutral": (
        "It's been a busy day.",
        "Let me think for a second.",
        "Okay, sounds good.",
        "Thanks for the help earlier.",
        "Hmm, interesting.",
    ),
    "chatty": (
        "Ugh, it's been such a long week, you have no idea.",
        "Sorry, I keep getting distracted by notifications!",
        "Anyway, how's your day going?",
        "The weather has been so weird lately, right?",
        "Haha, okay, where was I?",
        "I swear time flies these days.",
    ),
    "formal": (
        "Thank you for your assistance.",
        "I appreciate your patience.",
        "That is helpful, thank you.",
        "Understood.",
    ),
}

#: Word swaps that keep the meaning; applied only outside protected spans.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "moved": ("relocated",),
    "started": ("began",),
    "begin": ("start",),
    "job": ("position", "role"),
    "bought": ("purchased", "got"),
    "finished": ("completed", "wrapped up"),
    "favourite": ("favorite", "preferred"),
    "favorite": ("favourite", "preferred"),
    "recently": ("lately", "just recently"),
    "usually": ("normally", "typically"),
    "often": ("frequently",),
    "big": ("large",),
    "kids": ("children",),
    "children": ("kids",),
    "apartment": ("flat",),
    "because": ("since",),
    "enjoy": ("love", "really like"),
    "happy": ("glad",),
    "tired": ("exhausted",),
    "currently": ("right now", "at the moment"),
}

#: Contractions in both directions; formal personas expand, terse and chatty contract.
CONTRACTIONS: tuple[tuple[str, str], ...] = (
    ("I am", "I'm"),
    ("do not", "don't"),
    ("did not", "didn't"),
    ("does not", "doesn't"),
    ("it is", "it's"),
    ("what is", "what's"),
    ("I will", "I'll"),
    ("cannot", "can't"),
    ("is not", "isn't"),
    ("we are", "we're"),
)

#: First words that may be lower-cased when a frame puts text after them.
LOWERABLE = frozenset(
    """
    my our we the a an it this that these those there he she they his her their just also
    so and but what where when who how which why do did does is are was were can could
    would will should have has had in on at for from after before since last next
    today yesterday tomorrow one two three some all any no not your you remind tell please
    """.split()
)

SYNONYM_RATE = {"terse": 0.3, "neutral": 0.5, "chatty": 0.7, "formal": 0.4}
CONTRACT = {"terse": True, "neutral": None, "chatty": True, "formal": False}
FILLER_RATE = {"terse": 0.15, "neutral": 0.3, "chatty": 0.6, "formal": 0.25}
TURN_GAP_SECONDS = {
    "terse": (15, 60),
    "neutral": (30, 120),
    "chatty": (20, 90),
    "formal": (45, 150),
}
