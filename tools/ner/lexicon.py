"""Build src/piguard/detect/ner/data/lexicon.txt.gz from jieba's dictionary.

jieba (MIT licence, https://github.com/fxsjy/jieba) ships ``dict.txt`` with a part-of-speech
tag per word. The tagger's lexicon feature uses only the words tagged as person names
(``nr``), transliterated / foreign names (``nrt``, ``nrfg``), places (``ns``) and
organisations (``nt``); of the ``nr`` words only those that start with a surname (jieba
tags many idioms ``nr``), 2 to 8 characters long, normalised like the tagger's input
(``piguard.detect.ner._features.normalize``). Rebuild with:

    .venv/bin/pip install -e '.[bench]'      # jieba
    .venv/bin/python tools/ner/lexicon.py

The output is deterministic (sorted, gzip without a timestamp).
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

from piguard.detect.ner._features import LEXICON_TAGS, _read_lines, normalize

OUT = Path(__file__).resolve().parents[2] / "src" / "piguard" / "detect" / "ner" / "data"

# jieba POS tag -> letter used by the feature (see _features.LEXICON_TAGS).
_TAG_LETTER = {"nr": "R", "nrt": "F", "nrfg": "F", "ns": "S", "nt": "O"}


# jieba's licence, which must accompany substantial portions of its dictionary.
_MIT = """The MIT License (MIT)

Copyright (c) 2013 Sun Junyi

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
the Software, and to permit persons to whom the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS
FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def build(dict_path: Path, version: str) -> bytes:
    # jieba tags many idioms and common words nr; keep nr words that start with a surname.
    surnames = {s for ln in _read_lines("surnames.txt") for s in ln.split()}
    words: dict[str, set[str]] = {}
    with dict_path.open(encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) != 3:
                continue
            word, _freq, tag = parts
            letter = _TAG_LETTER.get(tag)
            if letter is None or not 2 <= len(word) <= 8 or any(c.isspace() for c in word):
                continue
            if letter == "R" and word[0] not in surnames and word[:2] not in surnames:
                continue
            words.setdefault(normalize(word), set()).add(letter)
    assert set("".join("".join(v) for v in words.values())) <= set(LEXICON_TAGS)
    header = (
        "# Lexicon for the PERSON_NAME / ADDRESS tagger (piguard.detect.ner).\n"
        f"# Source: jieba {version} dict.txt (https://github.com/fxsjy/jieba), MIT licence.\n"
        "# Derived: words tagged nr (R, only those starting with a surname), nrt/nrfg (F),\n"
        "# ns (S), nt (O), 2-8 characters, normalised; built by tools/ner/lexicon.py.\n"
        "# Format: word<TAB>letters\n"
        "#\n" + "".join(f"# {ln}".rstrip() + "\n" for ln in _MIT.splitlines())
    )
    body = "".join(f"{w}\t{''.join(sorted(v))}\n" for w, v in sorted(words.items()))
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
        gz.write((header + body).encode("utf-8"))
    return buf.getvalue()


def main() -> None:
    import importlib.metadata

    import jieba

    dict_path = Path(jieba.__file__).parent / "dict.txt"
    data = build(dict_path, importlib.metadata.version("jieba"))
    out = OUT / "lexicon.txt.gz"
    out.write_bytes(data)
    print(f"wrote {out} ({len(data) / 1e3:.0f} KB)")


if __name__ == "__main__":
    main()
