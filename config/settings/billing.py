"""Billing settings (owned by the billing module)."""
