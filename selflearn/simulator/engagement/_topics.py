"""The topics of the engagement world: each a few words people use when they talk about it."""

from __future__ import annotations

#: topic name → its words (the first is its name in memories).
TOPICS: dict[str, tuple[str, ...]] = {
    "sourdough": ("sourdough", "starter", "rye", "loaf", "crust", "oven", "flour", "proof"),
    "sailing": ("sailing", "boat", "harbour", "wind", "mast", "regatta", "knots", "tide"),
    "chess": ("chess", "opening", "endgame", "bishop", "gambit", "tournament", "rating", "pawn"),
    "gardening": ("garden", "tomatoes", "compost", "seedlings", "roses", "soil", "beds", "weeds"),
    "running": ("running", "marathon", "pace", "trail", "shoes", "intervals", "miles", "race"),
    "guitar": ("guitar", "chords", "strings", "riff", "amp", "fingerpicking", "frets", "blues"),
    "astronomy": ("telescope", "stars", "nebula", "planets", "orbit", "eclipse", "comet", "sky"),
    "cycling": ("bicycle", "saddle", "gears", "climb", "peloton", "chain", "wheels", "route"),
    "painting": (
        "painting",
        "watercolour",
        "canvas",
        "brushes",
        "palette",
        "sketch",
        "easel",
        "pigment",
    ),
    "birding": ("birds", "binoculars", "warbler", "heron", "migration", "feeder", "owl", "nest"),
    "cooking": ("curry", "spices", "recipe", "wok", "garlic", "simmer", "kitchen", "sauce"),
    "climbing": ("climbing", "boulder", "crag", "rope", "harness", "chalk", "belay", "ledge"),
    "photography": (
        "camera",
        "lens",
        "aperture",
        "portrait",
        "shutter",
        "film",
        "darkroom",
        "zoom",
    ),
    "coding": ("python", "compiler", "bugs", "repository", "refactor", "tests", "server", "deploy"),
    "travel": ("travel", "japan", "train", "itinerary", "passport", "hostel", "temples", "visa"),
    "pottery": ("pottery", "clay", "kiln", "glaze", "wheel", "bowls", "throwing", "studio"),
}

#: Words with no topic: what a reply is made of when the user is not into it.
FILLER: tuple[str, ...] = (
    "well",
    "yeah",
    "maybe",
    "guess",
    "sure",
    "anyway",
    "hmm",
    "okay",
    "right",
    "kind",
    "thing",
    "stuff",
    "really",
    "just",
    "know",
    "mean",
    "whatever",
    "fine",
    "probably",
    "so",
)

#: Memory templates per kind; {a}..{d} are topic words, {t} the topic's name word. Memories
#: about one topic share its words, as people's do; the scaffolding around them is short.
TEMPLATES: dict[str, tuple[str, ...]] = {
    "semantic": (
        "{t} notes: {a}, {b}, {c}, {d}",
        "{t} this week: {a} {b}, {c} {d}",
        "{t} basics, {a} and {b}, {c} and {d}",
    ),
    "emotional": (
        "I love {t}: {a}, {b}, {c}, {d}",
        "{t} makes me so happy, {a} {b} {c} {d}",
        "proud of my {t}, {a} {b} {c} {d}",
    ),
    "zeigarnik": (
        "{t} still unfinished: {a}, {b}, {c}, {d}",
        "I plan to finish {t}, {a} {b} {c} {d}",
        "{t} half-done, {a} {b}, {c} {d}",
    ),
}
