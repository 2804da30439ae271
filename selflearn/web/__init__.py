"""The one HTTP app: the Student API, the owner API and the console, and the Student's client.

`create_app(components)` builds it; `connect_student(url)` gives the User Emulator one
interface to the Student, whether it runs in this process (`url=None`) or behind
`selflearn serve`. Tokens (`create_token`...) guard every route but health.
"""

from selflearn.web._server import serve_app
from selflearn.web._tokens import (
    ROLES,
    Caller,
    IssuedToken,
    create_token,
    ensure_first_admin,
    has_tokens,
    list_tokens,
    revoke_token,
    token_dict,
)
from selflearn.web.app import API_PREFIX, create_app
from selflearn.web.client import StudentHTTPClient, StudentUnavailableError, connect_student

__all__ = [
    "API_PREFIX",
    "ROLES",
    "Caller",
    "IssuedToken",
    "StudentHTTPClient",
    "StudentUnavailableError",
    "connect_student",
    "create_app",
    "create_token",
    "ensure_first_admin",
    "has_tokens",
    "list_tokens",
    "revoke_token",
    "serve_app",
    "token_dict",
]
