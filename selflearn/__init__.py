"""SELFLEARN: make a memory-augmented chat assistant better through explainable experiments."""

__version__ = "0.1.0"
