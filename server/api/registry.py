"""Every REST area the app serves."""

from __future__ import annotations

from server.api import (
    accounts,
    agents,
    attachments,
    automations,
    cards,
    checklists,
    columns,
    comments,
    custom_fields,
    documents,
    folders,
    integrations,
    invitations,
    labels,
    meta,
    notifications,
    orgs,
    pilotage,
    poker_ai,
    poker_analytics,
    poker_stories,
    poker_workspace,
    project_drafts,
    projects,
    relations,
    scopes,
    sessions,
    tokens,
    voting,
    webhooks,
    workspaces,
)
from server.api.routing import Api

APIS: list[Api] = [meta.api, accounts.api, tokens.api, sessions.api, voting.api, folders.api]
APIS += [poker_workspace.api, integrations.api, poker_analytics.api, webhooks.api]
APIS += [poker_stories.api, poker_ai.api]
APIS += [orgs.api, workspaces.api, invitations.api]
APIS += [projects.api]
APIS += [project_drafts.api]
APIS += [columns.api, cards.api]
APIS += [comments.api, attachments.api, labels.api, custom_fields.api, relations.api]
APIS += [checklists.api, scopes.api, notifications.api]
APIS += [pilotage.api]
APIS += [documents.api]
APIS += [automations.api]
APIS += [agents.api]
