"""Documents as people have them -> passages: a folder is read file by file, each file through the converter of
its format (converters.py), its blocks split into passages (passages.py).

    corpus = read_corpus(Path("my-documents"))
    corpus.documents[0].passages[0].section, corpus.skipped   # files not read, each with its reason
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from netqa.config import bundled_path
from netqa.documents.converters import SUFFIXES, convert, readable
from netqa.documents.model import (
    Block,
    BlockKind,
    ConversionError,
    Converted,
    CorpusError,
    Document,
    Passage,
    Sentence,
    Skipped,
)
from netqa.documents.names import Naming, corpus_names, file_stem, names_text
from netqa.documents.passages import passages_of

log = logging.getLogger("netqa")

METADATA_FILE = "metadata.json"
LEXICON_FILE = "lexicon.txt"  # lay words for the corpus: read by terms.py, never a document
# Files netqa itself reads or writes beside the documents (gold sets, metadata): never documents, never warned of.
_DATA_SUFFIXES = (".json", ".jsonl")
# A gzipped document ("README.gz", "manual.pdf.gz", as Debian ships them) is read as the file inside it.
_GZIP = ".gz"
MAX_GUNZIPPED_BYTES = 256 * 1024 * 1024  # a compressed file that unpacks to more is refused (a gzip bomb)

__all__ = ["Block", "BlockKind", "ConversionError", "Converted", "CorpusError", "CorpusFiles",
           "CorpusRead", "Document", "LEXICON_FILE", "METADATA_FILE", "Naming", "Passage", "SUFFIXES", "Sentence",
           "Skipped",
           "corpus_files", "default_corpus_dir", "document_ids", "find_files", "format_suffix", "load_corpus",
           "parse_document", "read_corpus", "read_metadata", "searched_names"]


def default_corpus_dir() -> Path:
    """The corpus shipped inside the installed package."""
    return bundled_path("corpus")


@dataclass(frozen=True)
class CorpusFiles:
    documents: list[Path]  # files of a known format, in a stable order
    skipped: list[Skipped]  # files of an unknown format


@dataclass(frozen=True)
class CorpusRead:
    documents: tuple[Document, ...]
    skipped: tuple[Skipped, ...]


def find_files(corpus_dir: Path) -> CorpusFiles:
    """The document files of a corpus folder and its subfolders (not hidden ones), and the files netqa cannot read."""
    if not corpus_dir.exists():
        raise CorpusError(f"corpus folder not found: {corpus_dir}")
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus path is not a folder: {corpus_dir}")
    found: list[tuple[str, ...]] = []
    unknown: list[tuple[str, ...]] = []

    # os.scandir rather than Path.rglob: 60,000 files are listed in 0.3 s instead of 2.5 s.
    # Hidden folders (.git, .netqa-index) are not entered; symlinked folders are not followed.
    def walk(folder: str, parts: tuple[str, ...]) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, parts + (entry.name,))
                    continue
                suffix = format_suffix(entry.name)
                if not parts and entry.name in (LEXICON_FILE, METADATA_FILE) or suffix in _DATA_SUFFIXES:
                    continue
                if entry.is_file():
                    (found if suffix in SUFFIXES else unknown).append(parts + (entry.name,))

    walk(str(corpus_dir), ())
    skipped = [Skipped("/".join(parts), f"unknown suffix {_shown_suffix(parts[-1])} (netqa reads {readable()})")
               for parts in sorted(unknown)]
    return CorpusFiles([corpus_dir.joinpath(*parts) for parts in sorted(found)], skipped)


def format_suffix(name: str) -> str:
    """The suffix that decides a file's converter, in lower case: ".pdf" for "manual.pdf.gz", "" for "FAQ.gz".
    A suffix of digits is the end of a version number, not a format: "Apache-2.0" and "LGPL-2.1" have none."""
    stem, suffix = os.path.splitext(name)
    if suffix.lower() == _GZIP:
        suffix = os.path.splitext(stem)[1]
    return "" if suffix[1:].isdigit() else suffix.lower()


def _shown_suffix(name: str) -> str:
    suffix = os.path.splitext(name)[1]
    return f"{format_suffix(name)}{suffix}" if suffix.lower() == _GZIP else suffix


def _without_gzip(name: str) -> str:
    return name[:-len(_GZIP)] if name.lower().endswith(_GZIP) else name


def _gunzip(data: bytes) -> bytes:
    import gzip
    import zlib

    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
            inner = handle.read(MAX_GUNZIPPED_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ConversionError(f"not a readable gzip file ({exc})") from exc
    if len(inner) > MAX_GUNZIPPED_BYTES:
        raise ConversionError(f"unpacks to more than {MAX_GUNZIPPED_BYTES // 2**20} MiB")
    return inner


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The document files of a corpus folder, in a stable order; CorpusError when there is none."""
    files = find_files(corpus_dir)
    if not files.documents:
        raise CorpusError(f"no documents in {corpus_dir} (netqa reads {readable()})"
                          + (f"; skipped: {_reasons(files.skipped)}" if files.skipped else ""))
    return files.documents


def _reasons(skipped) -> str:
    return "; ".join(f"{s.path}: {s.reason}" for s in skipped[:3]) + (" ..." if len(skipped) > 3 else "")


def read_corpus(corpus_dir: Path, progress=None, raw: dict[str, bytes] | None = None) -> CorpusRead:
    """Every readable document of the folder as passages; a file that cannot be read is skipped with a warning.

    `progress`, when given, wraps the list of files (index building passes a tqdm bar); `raw` holds the files'
    bytes by relative path when the caller has read them already.
    """
    metadata = read_metadata(corpus_dir).get("documents", {})
    listing = find_files(corpus_dir)
    files = listing.documents
    if not files:
        corpus_files(corpus_dir)  # raises, saying what was found
    relative = [path.relative_to(corpus_dir).as_posix() for path in files]
    ids = dict(zip(relative, document_ids(relative), strict=True))
    documents, skipped = [], list(listing.skipped)
    pairs = list(zip(files, relative, strict=True))
    for path, rel in pairs if progress is None else progress(pairs):
        try:
            data = raw[rel] if raw is not None and rel in raw else path.read_bytes()
            document = parse_document(path, data, ids[rel], rel, metadata.get(rel, {}))
        except ConversionError as exc:
            skipped.append(Skipped(rel, str(exc)))
        except OSError as exc:
            skipped.append(Skipped(rel, f"cannot be read ({exc.strerror or exc})"))
        else:
            if document.passages:
                documents.append(document)
            else:
                skipped.append(Skipped(rel, "no text in it"))
    if not documents:  # one error line, saying why each file was not read
        raise CorpusError(f"the documents in {corpus_dir} contain no readable text"
                          + (f"; skipped: {_reasons(skipped)}" if skipped else ""))
    skipped.sort(key=lambda item: item.path)
    for item in skipped:
        log.warning("netqa: skipped %s: %s", item.path, item.reason)
    return CorpusRead(tuple(documents), tuple(skipped))


def load_corpus(corpus_dir: Path, progress=None) -> tuple[Document, ...]:
    """The readable documents of the folder (see read_corpus)."""
    return read_corpus(corpus_dir, progress).documents


def read_metadata(corpus_dir: Path) -> dict:
    """metadata.json of the folder ({} when absent): per-document "documents", and corpus-wide keys."""
    path = corpus_dir / METADATA_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path} is not valid JSON: {exc}") from exc
    return data if isinstance(data, dict) else {}


def parse_document(path: Path, data: bytes | str, doc_id: str, relative_path: str | None = None,
                   metadata: dict | None = None) -> Document:
    """One file's passages (ids doc_id-p01, -p02 ...) through the converter of its suffix; a gzipped file
    ("FAQ.gz", "manual.pdf.gz") through that of the file inside it, its text then kept by a saved index."""
    metadata = metadata or {}
    relative_path = relative_path or path.name
    if isinstance(data, str):
        data = data.encode("utf-8")
    compressed = path.name.lower().endswith(_GZIP)
    converter, converted = convert(format_suffix(path.name), _gunzip(data) if compressed else data)
    if compressed:  # offsets index the unpacked text, which is not the file: the index keeps it
        converted = replace(converted, encoding=None)
    title = metadata.get("title") or converted.title or file_stem(_without_gzip(path.name))
    return Document(
        id=doc_id, title=title, source=metadata.get("source", path.name), path=path, text=converted.text,
        passages=passages_of(converted, doc_id, title, relative_path, converter.name),
        sha256=hashlib.sha256(data).hexdigest(), relative_path=relative_path, format=converter.name,
        encoding=converted.encoding, names=names_text(title, _without_gzip(relative_path)))


def searched_names(documents: tuple[Document, ...]) -> list[Naming]:
    """What each document is called where a question may name it: its names, a short name kept only on the document
    it abbreviates most fully (see names.corpus_names)."""
    return corpus_names([(doc.title, _without_gzip(doc.relative_path or doc.path.name)) for doc in documents])


def document_ids(relative_paths: list[str]) -> list[str]:
    """One id per file, unique in the corpus: the path's slug without its suffix ("guides/Visiting.md" ->
    "guides-visiting"), and "-2", "-3" ... after a slug already taken ("visiting.txt" beside "Visiting.md").
    Citations and /source#anchors name passages by these ids, so two files must never share one."""
    taken: set[str] = set()
    ids = []
    for rel in relative_paths:
        folder, _, name = rel.rpartition("/")
        name = _without_gzip(name)
        base = _slug(f"{folder}/{file_stem(name)}" if folder else file_stem(name))
        doc_id, n = base, 1
        while doc_id in taken:
            n += 1
            doc_id = f"{base}-{n}"
        taken.add(doc_id)
        ids.append(doc_id)
    return ids


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "document"
