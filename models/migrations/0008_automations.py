from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_documents')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AutomationRule',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='automation_rules', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('enabled', fields.BooleanField(default=True)),
                ('trigger', fields.CharField(max_length=32)),
                ('trigger_options', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('conditions', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('actions', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', null=True, db_constraint=True, to_field='id', related_name='automation_rules', on_delete=OnDelete.SET_NULL)),
                ('secret_sealed', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'automation_rules', 'app': 'models', 'indexes': [Index(fields=['project_id', 'enabled'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AutomationTrace',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('rule', fields.ForeignKeyField('models.AutomationRule', source_field='rule_id', db_constraint=True, to_field='id', related_name='traces', on_delete=OnDelete.CASCADE)),
                ('project_id', fields.UUIDField()),
                ('trigger', fields.CharField(max_length=32)),
                ('event', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('actor', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('triggered_by', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('card_id', fields.UUIDField(null=True)),
                ('card_title', fields.CharField(default='', max_length=500)),
                ('result', fields.CharField(max_length=16)),
                ('reason', fields.TextField(null=True, unique=False)),
                ('error', fields.TextField(null=True, unique=False)),
                ('steps', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('depth', fields.IntField(default=1)),
                ('duration_ms', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'automation_traces', 'app': 'models', 'indexes': [Index(fields=['rule_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AutomationDueMark',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('card_id', fields.UUIDField()),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'automation_due_marks', 'app': 'models', 'unique_together': (('card_id', 'due_at'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
