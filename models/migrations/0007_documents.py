from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0006_pilotage')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Document',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('org', fields.ForeignKeyField('models.Organization', source_field='org_id', db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.CASCADE)),
                ('scope_type', fields.CharField(max_length=16)),
                ('workspace', fields.ForeignKeyField('models.Workspace', source_field='workspace_id', null=True, db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.CASCADE)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', null=True, db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.CASCADE)),
                ('scope', fields.ForeignKeyField('models.Scope', source_field='scope_id', null=True, db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.CASCADE)),
                ('parent', fields.ForeignKeyField('models.Document', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('doc_type', fields.CharField(default='document', max_length=16)),
                ('content', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('text', fields.TextField(default='', unique=False)),
                ('status', fields.CharField(default='draft', max_length=20)),
                ('version', fields.IntField(default=1)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name='authored_documents', on_delete=OnDelete.SET_NULL)),
                ('updated_by', fields.ForeignKeyField('models.User', source_field='updated_by_id', null=True, db_constraint=True, to_field='id', related_name='updated_documents', on_delete=OnDelete.SET_NULL)),
                ('reviewer', fields.ForeignKeyField('models.User', source_field='reviewer_id', null=True, db_constraint=True, to_field='id', related_name='documents_to_review', on_delete=OnDelete.SET_NULL)),
                ('submitted_by', fields.ForeignKeyField('models.User', source_field='submitted_by_id', null=True, db_constraint=True, to_field='id', related_name='submitted_documents', on_delete=OnDelete.SET_NULL)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reviewed_by', fields.ForeignKeyField('models.User', source_field='reviewed_by_id', null=True, db_constraint=True, to_field='id', related_name='reviewed_documents', on_delete=OnDelete.SET_NULL)),
                ('reviewed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reviewed_version', fields.IntField(null=True)),
                ('review_notes', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'documents', 'app': 'models', 'indexes': [Index(fields=['org_id', 'workspace_id']), Index(fields=['project_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DocumentVersion',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('document', fields.ForeignKeyField('models.Document', source_field='document_id', db_constraint=True, to_field='id', related_name='versions', on_delete=OnDelete.CASCADE)),
                ('version', fields.IntField()),
                ('title', fields.CharField(max_length=200)),
                ('doc_type', fields.CharField(max_length=16)),
                ('content', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('saved_by', fields.ForeignKeyField('models.User', source_field='saved_by_id', null=True, db_constraint=True, to_field='id', related_name='saved_document_versions', on_delete=OnDelete.SET_NULL)),
                ('saved_by_name', fields.CharField(default='', max_length=100)),
                ('restored_from', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'document_versions', 'app': 'models', 'unique_together': (('document', 'version'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
