"""The treasurer's pages under ``/manage/billing/`` (``views.py``, ``urls.py``: namespace ``billing_manage``)."""
