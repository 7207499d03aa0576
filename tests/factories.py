"""Builders shared by the suites: users, tokens and auth headers."""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher

from models import User
from services.actors import Actor
from services.security import issue_jwt

DEFAULT_PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


@functools.cache
def _password_hash(password: str) -> str:
    # Hashing once per password keeps hundreds of users cheap to build.
    return PasswordHasher().hash(password)


async def create_user(
    *, email: str | None = None, name: str | None = None, password: str = DEFAULT_PASSWORD
) -> User:
    n = next(_counter)
    return await User.create(
        email=email or f"user{n}@example.com",
        name=name if name is not None else f"User {n}",
        password_hash=_password_hash(password),
    )


def jwt_for(user: User) -> str:
    return issue_jwt(user.id, user.token_version)


def bearer(token: str) -> dict[str, Any]:
    return {"Authorization": f"Bearer {token}"}


async def user_with_headers(**kwargs: Any) -> tuple[User, dict[str, Any]]:
    user = await create_user(**kwargs)
    return user, bearer(jwt_for(user))


async def poker_room(
    owner: User | None = None, **options: Any
) -> tuple[User, Actor, dict[str, Any]]:
    """A session owned by `owner` (or a new user), with the owner's actor and the session."""
    from services.poker.sessions import create_session

    owner = owner or await create_user()
    actor = user_actor(owner)
    session = await create_session(actor=actor, name=options.pop("name", "Sprint 42"), **options)
    return owner, actor, session


async def voting_room(title: str = "Login") -> str:
    """A new session whose owner has added and started one story, so that a guest who
    joins can vote at once; its join code."""
    from services.poker import stories

    _, owner, session = await poker_room()
    code: str = session["code"]
    story = await stories.add_story(actor=owner, code=code, title=title)
    await stories.start_story(actor=owner, code=code, story_id=story["id"])
    return code


def user_actor(user: User, scopes: frozenset[str] | None = None) -> Actor:
    return Actor(
        kind="user", name=user.name, via="pat" if scopes else "jwt", user_id=user.id, scopes=scopes
    )


async def guest(
    code: str, name: str = "Guest", *, spectator: bool = False
) -> tuple[Actor, int, str]:
    """Join `code` as a guest; returns the guest's actor, participant id and token."""
    from services.auth import authenticate
    from services.poker.seats import join_session

    participant, _, token = await join_session(
        actor=None, code=code, name=name, spectator=spectator
    )
    assert token is not None
    return await authenticate(token), participant["id"], token


@dataclass
class Board:
    """An organization > workspace > project with three columns, owned by `owner`."""

    owner: User
    org: Any
    workspace: Any
    project: Any
    columns: list[Any]

    @property
    def base(self) -> str:
        """The REST prefix of this project."""
        return (
            f"/api/orgs/{self.org.slug}/workspaces/{self.workspace.slug}/projects/{self.project.id}"
        )


async def create_board(
    owner: User | None = None, *, columns: tuple[str, ...] = ("To Do", "Doing", "Done")
) -> Board:
    from models import (
        Column,
        Organization,
        OrgMember,
        Project,
        ProjectMember,
        Workspace,
        WorkspaceMember,
    )

    owner = owner or await create_user()
    n = next(_counter)
    org = await Organization.create(name=f"Org {n}", slug=f"org-{n}", owner=owner)
    await OrgMember.create(org=org, user=owner, role="owner")
    ws = await Workspace.create(org=org, name=f"Workspace {n}", slug=f"ws-{n}", owner=owner)
    await WorkspaceMember.create(workspace=ws, user=owner, role="admin", pilotage_role="owner")
    project = await Project.create(workspace=ws, name=f"Project {n}", created_by=owner)
    await ProjectMember.create(project=project, user=owner, role="admin")
    cols = [
        await Column.create(project=project, name=name, order=i) for i, name in enumerate(columns)
    ]
    return Board(owner=owner, org=org, workspace=ws, project=project, columns=cols)


async def add_member(
    board: Board,
    user: User,
    *,
    org_role: str = "member",
    ws_role: str = "member",
    project_role: str | None = "member",
) -> None:
    """Make `user` a member down to the project (or only to the workspace: project_role=None)."""
    from models import OrgMember, ProjectMember, WorkspaceMember

    await OrgMember.create(org=board.org, user=user, role=org_role)
    await WorkspaceMember.create(workspace=board.workspace, user=user, role=ws_role)
    if project_role:
        await ProjectMember.create(project=board.project, user=user, role=project_role)
