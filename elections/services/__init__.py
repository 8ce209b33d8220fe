"""Every write of the elections app, by topic.

Lock order, shared by every service: Election, then Candidate, then RollEntry, then
Ballot/Tracker, then Dispute. Services take the election row lock first, so casting,
closing and counting one election never interleave.
"""
