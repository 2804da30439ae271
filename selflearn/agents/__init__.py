"""The roles that think: Manager, Teacher, User Emulator, and their LLM providers."""
