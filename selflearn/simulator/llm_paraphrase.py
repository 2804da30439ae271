"""The emulator's LLM mode: a chat model rewords user turns; planted values stay verbatim.

The dialogue generator checks every paraphrase (`safe_paraphrase`) and falls back to the
offline template paraphrase when the model dropped or altered a planted value, so facts stay
verifiable whatever the model does. Replays are deterministic only as far as the model is
(temperature 0 and the seed are sent; a cache keeps one answer per input in a run).
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from selflearn.errors import ProviderError
from selflearn.providers import invoke_chat

_SYSTEM = (
    "You rewrite one message a user sends to their personal assistant. Keep its meaning, "
    "write it in the {style} style, as the user, in one or two sentences. Copy every string "
    "listed under KEEP exactly, character for character. Answer with the message only."
)


class LLMParaphraser:
    """A `Paraphraser` backed by the emulator role's chat model."""

    def __init__(self, model: BaseChatModel) -> None:
        self.model = model
        self._cache: dict[tuple[str, tuple[str, ...], str, int], str] = {}

    def paraphrase(self, text: str, *, keep: list[str], style: str, seed: int) -> str:
        """Return the model's rewording (the caller checks that `keep` survived)."""
        key = (text, tuple(keep), style, seed)
        if key not in self._cache:
            messages = [
                SystemMessage(_SYSTEM.format(style=style)),
                HumanMessage(f"MESSAGE: {text}\nKEEP: {' | '.join(keep) or '(nothing)'}"),
            ]
            try:
                call = invoke_chat(self.model, messages, role="emulator")
            except ProviderError:
                # Failed after its retries: say nothing, so the dialogue generator uses the
                # template paraphrase and counts the fallback.
                return ""
            self._cache[key] = call.text.strip().strip('"') or text
        return self._cache[key]
