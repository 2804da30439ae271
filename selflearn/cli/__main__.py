"""Allow `python -m selflearn.cli`."""

from selflearn.cli import main

main()
