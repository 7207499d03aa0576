from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Room',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('seq', fields.BigIntField(default=0)),
            ],
            options={'table': 'rooms', 'app': 'models', 'pk_attr': 'key', 'table_description': 'One row per live room, holding the last sequence number handed out.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RoomEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('room', fields.CharField(max_length=64)),
                ('seq', fields.BigIntField()),
                ('type', fields.CharField(max_length=40)),
                ('data', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('actor', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'room_events', 'app': 'models', 'unique_together': (('room', 'seq'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('name', fields.CharField(default='', max_length=100)),
                ('password_hash', fields.CharField(max_length=255)),
                ('token_version', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'users', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApiToken',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='api_tokens', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('prefix', fields.CharField(max_length=16)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('scopes', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'api_tokens', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Folder',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='folders', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('color', fields.CharField(default='#6366f1', max_length=7)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'folders', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PokerSession',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=6)),
                ('name', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='poker_sessions', on_delete=OnDelete.CASCADE)),
                ('folder', fields.ForeignKeyField('models.Folder', source_field='folder_id', null=True, db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.SET_NULL)),
                ('status', fields.CharField(default='active', max_length=16)),
                ('voting_system', fields.CharField(default='fibonacci', max_length=16)),
                ('custom_deck_name', fields.CharField(null=True, max_length=50)),
                ('deck', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('record_vote_names', fields.BooleanField(default=True)),
                ('async_voting_enabled', fields.BooleanField(default=False)),
                ('auto_reveal', fields.BooleanField(default=False)),
                ('current_story_id', fields.UUIDField(null=True)),
                ('timer_ends_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'poker_sessions', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Participant',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('models.PokerSession', source_field='session_id', db_constraint=True, to_field='id', related_name='participants', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='participations', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('role', fields.CharField(default='participant', max_length=16)),
                ('token_hash', fields.CharField(null=True, unique=True, max_length=64)),
                ('removed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('joined_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'participants', 'app': 'models', 'unique_together': (('session', 'user'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Story',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('models.PokerSession', source_field='session_id', db_constraint=True, to_field='id', related_name='stories', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=500)),
                ('description', fields.TextField(default='', unique=False)),
                ('acceptance_criteria', fields.TextField(default='', unique=False)),
                ('position', fields.IntField(default=0)),
                ('status', fields.CharField(default='pending', max_length=16)),
                ('round', fields.IntField(default=1)),
                ('final_estimate', fields.CharField(null=True, max_length=20)),
                ('result', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('history', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('revealed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'stories', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Vote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('story', fields.ForeignKeyField('models.Story', source_field='story_id', db_constraint=True, to_field='id', related_name='votes', on_delete=OnDelete.CASCADE)),
                ('participant', fields.ForeignKeyField('models.Participant', source_field='participant_id', db_constraint=True, to_field='id', related_name='votes', on_delete=OnDelete.CASCADE)),
                ('value', fields.CharField(max_length=20)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'votes', 'app': 'models', 'unique_together': (('story', 'participant'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
