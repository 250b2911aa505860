"""The ``piguard`` command line.

Thin by design (DESIGN.md): commands parse their options, call the library and print.
Errors from the library (:class:`piguard.errors.PiguardError`) become one line on standard
error and exit code 2; nothing here holds business logic.
"""
