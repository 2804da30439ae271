"""The composition root: settings, database, embedder, a model per role, the Student, the clock.

The CLI, the web app, the cycles daemon and the Studio entry build what they run through
`open_components()`; nothing else builds a `MemoryService`, and nothing looks a dependency up
in a global. Each role's offline behaviour is given here, where its model is built.
"""

from selflearn.bootstrap._components import Components, open_components
from selflearn.bootstrap._offline import OfflineHandlers, offline_handlers

__all__ = ["Components", "OfflineHandlers", "offline_handlers", "open_components"]
