"""The Student over HTTP: the FastAPI app (`create_app`) and its Python client.

`connect_student(url)` gives the User Emulator one interface to the Student, whether it runs
in this process (`url=None`) or behind `selflearn serve`.
"""

from selflearn.web.app import API_PREFIX, create_app
from selflearn.web.client import StudentHTTPClient, StudentUnavailableError, connect_student

__all__ = [
    "API_PREFIX",
    "StudentHTTPClient",
    "StudentUnavailableError",
    "connect_student",
    "create_app",
]
