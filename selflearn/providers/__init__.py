"""Infrastructure for every role and the Student: chat models, embeddings, tokens, text.

Each is offline (deterministic, no download) or any OpenAI-compatible endpoint. The offline
chat model answers through the handler its role's owner gives when the model is built.
"""

from selflearn.providers._calls import (
    ChatCall,
    invoke_chat,
    invoke_structured,
    invoke_tools,
    map_provider_error,
)
from selflearn.providers._embeddings import (
    Embedder,
    HashingEmbedder,
    OpenAIEmbedder,
    get_embedder,
)
from selflearn.providers._factory import ChatModels, chat_model
from selflearn.providers._offline import OfflineChatModel, OfflineHandler, generic_handler
from selflearn.providers._retry import RETRYABLE, RetryPolicy
from selflearn.providers._text import STOP_WORDS, light_stem, words
from selflearn.providers._tokens import count_message_tokens, count_tokens
from selflearn.providers._usage import RoleCall, UsageSink

__all__ = [
    "RETRYABLE",
    "STOP_WORDS",
    "ChatCall",
    "ChatModels",
    "Embedder",
    "HashingEmbedder",
    "OpenAIEmbedder",
    "OfflineChatModel",
    "OfflineHandler",
    "RetryPolicy",
    "RoleCall",
    "UsageSink",
    "chat_model",
    "count_message_tokens",
    "count_tokens",
    "get_embedder",
    "invoke_chat",
    "invoke_structured",
    "invoke_tools",
    "map_provider_error",
    "generic_handler",
    "light_stem",
    "words",
]
