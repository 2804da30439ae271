"""The campaign graph for `langgraph dev` / Studio (which supplies its own checkpointer)."""

from selflearn.graph._builder import build_campaign_graph

graph = build_campaign_graph().compile()
