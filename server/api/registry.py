"""Every REST area the app serves."""

from __future__ import annotations

from server.api import (
    accounts,
    attachments,
    cards,
    checklists,
    columns,
    comments,
    custom_fields,
    folders,
    invitations,
    labels,
    meta,
    notifications,
    orgs,
    projects,
    relations,
    scopes,
    sessions,
    tokens,
    voting,
    workspaces,
)
from server.api.routing import Api

APIS: list[Api] = [meta.api, accounts.api, tokens.api, sessions.api, voting.api, folders.api]
APIS += [orgs.api, workspaces.api, invitations.api]
APIS += [projects.api]
APIS += [columns.api, cards.api]
APIS += [comments.api, attachments.api, labels.api, custom_fields.api, relations.api]
APIS += [checklists.api, scopes.api, notifications.api]
