"""The offline provider: a deterministic, seeded chat model whose behaviour each role defines."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import BaseModel

from selflearn.errors import ProviderResponseError
from selflearn.providers._tokens import count_message_tokens, count_tokens


class OfflineHandler(Protocol):
    """A role's offline behaviour: messages in, text (or a `schema` instance) out."""

    def __call__(
        self, messages: Sequence[BaseMessage], *, schema: type[BaseModel] | None, seed: int
    ) -> str | BaseModel: ...


def generic_handler(
    messages: Sequence[BaseMessage], *, schema: type[BaseModel] | None, seed: int
) -> str | BaseModel:
    """Acknowledge the last message; build a schema from its defaults when one is asked for."""
    if schema is not None:
        try:
            return schema()
        except Exception as error:
            raise ProviderResponseError(
                f"the offline provider has no behaviour for {schema.__name__}",
                hint="Give this role an offline handler where its model is built, or "
                "configure an OpenAI-compatible provider for it.",
            ) from error
    last = messages[-1].text if messages else ""
    digest = hashlib.sha256(f"{seed}:{last}".encode()).hexdigest()[:8]
    return f"[offline {digest}] noted: {last[:200]}"


def _content(message: BaseMessage) -> str:
    return message.text


class OfflineChatModel(BaseChatModel):
    """A LangChain chat model that answers deterministically through the handler it is given.

    The handler is the role's offline behaviour, passed in by whoever owns it when the model
    is built (`generic_handler` when the role has none).
    """

    role: str
    seed: int = 0
    handler: Callable[..., Any] = generic_handler
    # Where each call's usage goes (a campaign's ledger); offline calls cost nothing.
    usage_sink: Callable[..., Any] | None = None

    @property
    def _llm_type(self) -> str:
        return "selflearn-offline"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"role": self.role, "seed": self.seed}

    def _answer(self, messages: Sequence[BaseMessage], schema: type[BaseModel] | None) -> Any:
        return self.handler(messages, schema=schema, seed=self.seed)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        answer = self._answer(messages, None)
        text = answer.model_dump_json() if isinstance(answer, BaseModel) else str(answer)
        return ChatResult(generations=[ChatGeneration(message=self._message(messages, text))])

    def _message(self, messages: Sequence[BaseMessage], text: str) -> AIMessage:
        prompt = count_message_tokens(_content(m) for m in messages)
        completion = count_tokens(text)
        return AIMessage(
            content=text,
            usage_metadata={
                "input_tokens": prompt,
                "output_tokens": completion,
                "total_tokens": prompt + completion,
            },
            response_metadata={"model_name": "offline", "provider": "offline"},
        )

    def with_structured_output(
        self, schema: dict[str, Any] | type, *, include_raw: bool = False, **kwargs: Any
    ) -> Runnable[Any, Any]:
        """Return a runnable that yields `schema` instances from the role's handler."""
        if not (isinstance(schema, type) and issubclass(schema, BaseModel)):
            raise TypeError("the offline provider supports pydantic schemas only")
        model_schema: type[BaseModel] = schema

        def run(value: Any) -> Any:
            messages = self._convert_input(value).to_messages()
            parsed = self._answer(messages, model_schema)
            if not isinstance(parsed, model_schema):
                raise ProviderResponseError(
                    f"the offline {self.role} handler returned {type(parsed).__name__}, "
                    f"not {model_schema.__name__}"
                )
            if include_raw:
                raw = self._message(messages, parsed.model_dump_json())
                return {"raw": raw, "parsed": parsed, "parsing_error": None}
            return parsed

        runner: Callable[[Any], Any] = run
        return RunnableLambda(runner)
