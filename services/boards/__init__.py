"""Organizations, workspaces, projects and their kanban boards."""

# Boards react to poker reveals (estimation): registered with the bus on first import.
from services.boards import estimation as _estimation  # noqa: F401
