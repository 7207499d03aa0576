"""Pilotage: a workspace's missions, priorities, todos, decisions and active documents,
the state that sums them up, and the actions proposed for review and applied."""
