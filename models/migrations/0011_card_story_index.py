from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0010_project_drafts')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Card',
            index=Index(fields=['poker_story_id']),
        ),
    ]
