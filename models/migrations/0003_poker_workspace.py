from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_boards')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PokerWorkspace',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.OneToOneField('models.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='poker_workspace', on_delete=OnDelete.CASCADE)),
                ('voting_system', fields.CharField(default='fibonacci', max_length=16)),
                ('custom_deck_name', fields.CharField(null=True, max_length=50)),
                ('deck', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('record_vote_names', fields.BooleanField(default=True)),
                ('async_voting_enabled', fields.BooleanField(default=False)),
                ('auto_reveal', fields.BooleanField(default=False)),
                ('timer_seconds', fields.IntField(default=60)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'poker_workspaces', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RoomTemplate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='room_templates', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('description', fields.TextField(default='', unique=False)),
                ('voting_system', fields.CharField(default='fibonacci', max_length=16)),
                ('custom_deck_name', fields.CharField(null=True, max_length=50)),
                ('deck', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('record_vote_names', fields.BooleanField(default=True)),
                ('async_voting_enabled', fields.BooleanField(default=False)),
                ('auto_reveal', fields.BooleanField(default=False)),
                ('timer_seconds', fields.IntField(default=60)),
                ('stories', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'room_templates', 'app': 'models', 'unique_together': (('owner', 'name'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='PokerSession',
            name='timer_seconds',
            field=fields.IntField(default=60),
        ),
    ]
