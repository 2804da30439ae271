"""The Teacher: designs experiments, evaluates them and decides winner, loser or inconclusive.

The statistics live in `selflearn.agents.teacher.stats` and the hypothesis search in
`selflearn.agents.teacher.search`; import them from there.
"""
