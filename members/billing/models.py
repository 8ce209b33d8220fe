"""Dues and payments (issue: sponsor dues with Stripe)."""
