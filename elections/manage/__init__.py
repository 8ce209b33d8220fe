"""The election committee's pages under /manage/elections/ (``urls.py``, namespace ``elections_manage``).

Two-factor authentication is enforced by middleware. Observers named by the board see
these pages but every form is hidden from them and every POST refuses them
(``can_run_election``); the services check their actor too.
"""
