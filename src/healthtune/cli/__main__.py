"""`python -m healthtune.cli`: the same as the `healthtune` command."""

from healthtune.cli.commands import main

raise SystemExit(main())
