"""netqa: answers questions about a folder of documents with grounded, cited, templated replies."""

__version__ = "0.1.0"


def load(corpus_dir=None, **settings):
    """Load (or build) the index for a corpus folder and return a Bot; None means the embedded corpus."""
    from netqa.bot import Bot

    return Bot.load(corpus_dir, **settings)


__all__ = ["load", "__version__"]
