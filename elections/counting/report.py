"""Plain-text report of a count."""
from .model import CountResult


def format_text(result: CountResult) -> str:
    return ""
