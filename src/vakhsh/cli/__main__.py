"""`python -m vakhsh.cli ...` runs the command line as the `vakhsh` script does."""

from vakhsh.cli.root import main

main()
