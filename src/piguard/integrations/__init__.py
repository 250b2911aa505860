"""Bridges from piguard to other tools (top layer; optional dependencies imported lazily).

- :mod:`piguard.integrations.presidio`: piguard's Chinese recognizers inside a Presidio
  ``AnalyzerEngine`` (extra ``bench`` or ``dev``: ``pip install piguard[bench]``).
"""
