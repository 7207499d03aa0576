"""Organizations, workspaces, projects and their kanban boards."""
