"""``python -m piguard`` runs the command line."""

from piguard.cli.app import main

main()
