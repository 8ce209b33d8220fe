"""The board's privileged pages under /manage/governance/ (``urls.py``)."""
