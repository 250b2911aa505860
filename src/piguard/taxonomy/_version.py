"""The taxonomy's version."""

#: "<edition year of GB/T 35273>.<schema revision>": the revision is bumped whenever keys are
#: added or records change shape (keys are never renamed or removed).
TAXONOMY_VERSION = "2020.1"
