"""LLM and embedding providers: offline (deterministic) or any OpenAI-compatible endpoint."""

from selflearn.agents.providers._calls import (
    ChatCall,
    invoke_chat,
    invoke_structured,
    map_provider_error,
)
from selflearn.agents.providers._embeddings import (
    Embedder,
    HashingEmbedder,
    OpenAIEmbedder,
    get_embedder,
)
from selflearn.agents.providers._factory import chat_model
from selflearn.agents.providers._offline import (
    OfflineChatModel,
    OfflineHandler,
    offline_handler,
    register_offline_handler,
)
from selflearn.agents.providers._tokens import count_message_tokens, count_tokens

__all__ = [
    "ChatCall",
    "Embedder",
    "HashingEmbedder",
    "OpenAIEmbedder",
    "OfflineChatModel",
    "OfflineHandler",
    "chat_model",
    "count_message_tokens",
    "count_tokens",
    "get_embedder",
    "invoke_chat",
    "invoke_structured",
    "map_provider_error",
    "offline_handler",
    "register_offline_handler",
]
