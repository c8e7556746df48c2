"""One converter per format behind one small interface: file bytes -> Converted (text, blocks, title).

A converter's `version` goes into the build hash of a saved index (netqa.index), with the version of the
library it uses, so an index is rebuilt when the conversion could have changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from netqa.documents.model import ConversionError, Converted


@dataclass(frozen=True)
class Converter:
    """`convert(data)` turns a file's bytes into a Converted, or raises ConversionError saying why it cannot."""

    name: str
    suffixes: tuple[str, ...]
    version: str  # bump when the conversion's output changes
    library: str | None  # the distribution whose version also decides the output
    convert: Callable[[bytes], Converted]


def _plain(data: bytes) -> Converted:
    from netqa.documents.plain import convert

    return convert(data)


def _markdown(data: bytes) -> Converted:
    from netqa.documents.markdown import convert

    return convert(data)


def _html(data: bytes) -> Converted:
    from netqa.documents.html import convert

    return convert(data)


def _pdf(data: bytes) -> Converted:
    from netqa.documents.pdf import convert

    return convert(data)


def _docx(data: bytes) -> Converted:
    from netqa.documents.docx import convert

    return convert(data)


# Imported lazily (above): trafilatura and pypdf take a while to import, and most corpora need neither.
CONVERTERS = (
    # A file without a suffix (README, LICENSE, COPYING, NEWS) is plain text; a binary one is skipped as such.
    # ".Debian": Debian's own notes beside a package's documents (README.Debian, NEWS.Debian, changelog.Debian.gz).
    Converter("text", (".txt", ".text", ".rst", ".debian", ""), "17", "charset-normalizer", _plain),
    Converter("markdown", (".md", ".markdown"), "8", "markdown-it-py", _markdown),
    Converter("html", (".html", ".htm"), "9", "trafilatura", _html),
    Converter("pdf", (".pdf",), "4", "pypdf", _pdf),
    Converter("docx", (".docx",), "3", "python-docx", _docx),
)
_BY_SUFFIX = {suffix: converter for converter in CONVERTERS for suffix in converter.suffixes}
SUFFIXES = tuple(_BY_SUFFIX)


def readable() -> str:
    """What netqa reads, for messages: ".txt, .text, .rst, .md, ... and files without a suffix, each also
    gzipped"."""
    return ", ".join(s for s in SUFFIXES if s) + (" and files without a suffix" if "" in SUFFIXES else "") \
        + ", each also gzipped (.gz)"


def converter_for(suffix: str) -> Converter:
    """The converter of a file suffix (".pdf"); ValueError naming the suffixes known when there is none."""
    try:
        return _BY_SUFFIX[suffix.lower()]
    except KeyError:
        raise ValueError(f"unknown suffix {suffix}: netqa reads {readable()}") from None


def convert(suffix: str, data: bytes) -> tuple[Converter, Converted]:
    converter = converter_for(suffix)
    return converter, converter.convert(data)


def versions() -> str:
    """Every converter's version and its library's installed version, for the build hash."""
    from importlib import metadata

    def installed(name: str | None) -> str:
        if name is None:
            return "-"
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "missing"

    return ";".join(f"{c.name}={c.version}/{installed(c.library)}" for c in CONVERTERS)


__all__ = ["CONVERTERS", "SUFFIXES", "ConversionError", "Converter", "convert", "converter_for", "readable",
           "versions"]
