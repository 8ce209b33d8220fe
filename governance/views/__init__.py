"""Public pages of the governance app: the transparency section and its feeds (``urls.py``)."""
