"""`python -m nlp`: the same as the `nlp` command."""

from nlp.cli import main

raise SystemExit(main())
