from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0009_agents')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ProjectDraft',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('workspace', fields.ForeignKeyField('models.Workspace', source_field='workspace_id', db_constraint=True, to_field='id', related_name='project_drafts', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', db_constraint=True, to_field='id', related_name='project_drafts', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('context', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('stage', fields.CharField(default='framing', max_length=16)),
                ('answers', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('questions', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('coverage', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('readiness', fields.IntField(default=0)),
                ('roadmap', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('engine', fields.CharField(default='builtin', max_length=100)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', null=True, db_constraint=True, to_field='id', related_name='drafts', on_delete=OnDelete.SET_NULL)),
                ('executed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'project_drafts', 'app': 'models', 'indexes': [Index(fields=['workspace_id', 'author_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
