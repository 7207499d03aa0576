from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_poker_workspace')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Job',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=50)),
                ('subject', fields.CharField(db_index=True, max_length=100)),
                ('ref', fields.CharField(default='', max_length=100)),
                ('payload', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharField(default='pending', max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('max_attempts', fields.IntField(default=5)),
                ('run_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('lease_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('leased_by', fields.CharField(null=True, max_length=100)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('result', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('secret_id', fields.UUIDField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'jobs', 'app': 'models', 'indexes': [Index(fields=['status', 'run_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JobSecret',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('sealed', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'job_secrets', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StoryImport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('models.PokerSession', source_field='session_id', db_constraint=True, to_field='id', related_name='imports', on_delete=OnDelete.CASCADE)),
                ('digest', fields.CharField(max_length=64)),
                ('provider', fields.CharField(max_length=16)),
                ('story_ids', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'story_imports', 'app': 'models', 'unique_together': (('session', 'digest'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StoryLink',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('story', fields.OneToOneField('models.Story', source_field='story_id', db_constraint=True, to_field='id', related_name='link', on_delete=OnDelete.CASCADE)),
                ('session', fields.ForeignKeyField('models.PokerSession', source_field='session_id', db_constraint=True, to_field='id', related_name='story_links', on_delete=OnDelete.CASCADE)),
                ('provider', fields.CharField(max_length=16)),
                ('external_key', fields.CharField(null=True, max_length=200)),
                ('external_url', fields.CharField(null=True, max_length=1000)),
                ('origin', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('imported_estimate', fields.CharField(null=True, max_length=20)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'story_links', 'app': 'models', 'unique_together': (('session', 'provider', 'external_key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
