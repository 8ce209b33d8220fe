"""Every write to governance state: board and seats, committees, meetings, decisions."""
