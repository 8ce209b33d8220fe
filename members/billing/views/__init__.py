"""The sponsor's billing pages (``sponsor.py``) and Stripe's webhook (``webhook.py``); ``urls.py``
puts them under ``/billing/`` in the ``billing`` namespace."""
