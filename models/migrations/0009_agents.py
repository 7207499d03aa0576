from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0008_automations')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Agent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('workspace', fields.ForeignKeyField('models.Workspace', source_field='workspace_id', db_constraint=True, to_field='id', related_name='agents', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('slug', fields.CharField(max_length=60)),
                ('description', fields.CharField(default='', max_length=500)),
                ('autonomy_mode', fields.CharField(default='supervised', max_length=16)),
                ('tools', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('calls_per_minute', fields.IntField(default=30)),
                ('missions_per_day', fields.IntField(default=50)),
                ('created_by_id', fields.UUIDField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'agents', 'app': 'models', 'unique_together': (('workspace', 'slug'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AgentMission',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('agent', fields.ForeignKeyField('models.Agent', source_field='agent_id', db_constraint=True, to_field='id', related_name='missions', on_delete=OnDelete.CASCADE)),
                ('workspace_id', fields.UUIDField()),
                ('project_id', fields.UUIDField()),
                ('card_id', fields.UUIDField()),
                ('started_by_id', fields.UUIDField()),
                ('scopes', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('prompt', fields.TextField(unique=False)),
                ('status', fields.CharField(default='queued', max_length=20)),
                ('autonomy_mode', fields.CharField(max_length=16)),
                ('plan', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('cursor', fields.IntField(default=0)),
                ('result', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('error', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'agent_missions', 'app': 'models', 'indexes': [Index(fields=['agent_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AgentStep',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('mission', fields.ForeignKeyField('models.AgentMission', source_field='mission_id', db_constraint=True, to_field='id', related_name='steps', on_delete=OnDelete.CASCADE)),
                ('agent_id', fields.UUIDField()),
                ('kind', fields.CharField(max_length=20)),
                ('data', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'agent_steps', 'app': 'models', 'indexes': [Index(fields=['mission_id', 'id']), Index(fields=['agent_id', 'kind', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AgentProposal',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('mission', fields.ForeignKeyField('models.AgentMission', source_field='mission_id', db_constraint=True, to_field='id', related_name='proposals', on_delete=OnDelete.CASCADE)),
                ('workspace_id', fields.UUIDField()),
                ('tool', fields.CharField(max_length=64)),
                ('arguments', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('summary', fields.CharField(default='', max_length=500)),
                ('status', fields.CharField(default='pending', max_length=16)),
                ('reason', fields.CharField(default='', max_length=500)),
                ('decided_by_id', fields.UUIDField(null=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('outcome', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'agent_proposals', 'app': 'models', 'indexes': [Index(fields=['mission_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
