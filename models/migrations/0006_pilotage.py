from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_webhooks')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ActiveDoc',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('workspace', fields.ForeignKeyField('models.Workspace', source_field='workspace_id', db_constraint=True, to_field='id', related_name='active_docs', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=300)),
                ('owner', fields.CharField(null=True, max_length=100)),
                ('source_type', fields.CharField(null=True, max_length=16)),
                ('url', fields.CharField(null=True, max_length=2000)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='pilotage_docs', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'pilotage_docs', 'app': 'models', 'indexes': [Index(fields=['workspace_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Decision',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('workspace', fields.ForeignKeyField('models.Workspace', source_field='workspace_id', db_constraint=True, to_field='id', related_name='decisions', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=300)),
                ('impact', fields.CharField(null=True, max_length=2000)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='pilotage_decisions', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'pilotage_decisions', 'app': 'models', 'indexes': [Index(fields=['workspace_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Mission',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('workspace', fields.ForeignKeyField('models.Workspace', source_field='workspace_id', db_constraint=True, to_field='id', related_name='missions', on_delete=OnDelete.CASCADE)),
                ('objective', fields.CharField(max_length=500)),
                ('module', fields.CharField(null=True, max_length=100)),
                ('status', fields.CharField(default='to_launch', max_length=16)),
                ('blocked_reason', fields.CharField(null=True, max_length=200)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='pilotage_missions', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'pilotage_missions', 'app': 'models', 'indexes': [Index(fields=['workspace_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Priority',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('workspace', fields.ForeignKeyField('models.Workspace', source_field='workspace_id', db_constraint=True, to_field='id', related_name='priorities', on_delete=OnDelete.CASCADE)),
                ('label', fields.CharField(max_length=200)),
                ('module', fields.CharField(null=True, max_length=100)),
                ('active', fields.BooleanField(default=True)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='pilotage_priorities', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'pilotage_priorities', 'app': 'models', 'indexes': [Index(fields=['workspace_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProposedAction',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('workspace', fields.ForeignKeyField('models.Workspace', source_field='workspace_id', db_constraint=True, to_field='id', related_name='proposed_actions', on_delete=OnDelete.CASCADE)),
                ('action_type', fields.CharField(max_length=100)),
                ('explanation', fields.CharField(max_length=500)),
                ('payload', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharField(default='suggested', max_length=16)),
                ('proposed_by', fields.ForeignKeyField('models.User', source_field='proposed_by_id', null=True, db_constraint=True, to_field='id', related_name='proposed_actions', on_delete=OnDelete.SET_NULL)),
                ('review_reason', fields.CharField(null=True, max_length=200)),
                ('reviewed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('applied_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('result', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('last_error', fields.CharField(null=True, max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'pilotage_actions', 'app': 'models', 'indexes': [Index(fields=['workspace_id', 'status', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ActionTrail',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('action', fields.ForeignKeyField('models.ProposedAction', source_field='action_id', db_constraint=True, to_field='id', related_name='trail', on_delete=OnDelete.CASCADE)),
                ('step', fields.CharField(max_length=16)),
                ('actor_id', fields.UUIDField(null=True)),
                ('actor_name', fields.CharField(max_length=100)),
                ('actor_kind', fields.CharField(default='user', max_length=16)),
                ('reason', fields.CharField(null=True, max_length=500)),
                ('result', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'pilotage_action_trail', 'app': 'models', 'indexes': [Index(fields=['action_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Todo',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('workspace', fields.ForeignKeyField('models.Workspace', source_field='workspace_id', db_constraint=True, to_field='id', related_name='todos', on_delete=OnDelete.CASCADE)),
                ('label', fields.CharField(max_length=500)),
                ('mission', fields.ForeignKeyField('models.Mission', source_field='mission_id', null=True, db_constraint=True, to_field='id', related_name='todos', on_delete=OnDelete.SET_NULL)),
                ('priority', fields.ForeignKeyField('models.Priority', source_field='priority_id', null=True, db_constraint=True, to_field='id', related_name='todos', on_delete=OnDelete.SET_NULL)),
                ('status', fields.CharField(default='todo', max_length=16)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='pilotage_todos', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'pilotage_todos', 'app': 'models', 'indexes': [Index(fields=['workspace_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
