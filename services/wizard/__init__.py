"""The AI project wizard: drafts framed, refined and planned, then made a project."""
