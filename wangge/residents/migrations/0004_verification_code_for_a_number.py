# 我的个人信息 for a number that only anonymous reports were made from: its code names the number,
# not a resident (none is made at sign-in). Existing codes all name a resident and stay as they are.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('residents', '0003_message_templates'),
    ]

    operations = [
        migrations.AddField(
            model_name='verificationcode',
            name='phone',
            field=models.CharField(blank=True, max_length=20, verbose_name='phone'),
        ),
        migrations.AlterField(
            model_name='verificationcode',
            name='resident',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='residents.resident', verbose_name='resident'),
        ),
        migrations.AddIndex(
            model_name='verificationcode',
            index=models.Index(condition=models.Q(('phone', ''), _negated=True), fields=['phone'], name='residents_code_by_phone'),
        ),
        migrations.AddConstraint(
            model_name='verificationcode',
            constraint=models.CheckConstraint(condition=models.Q(('resident__isnull', True), ('phone', ''), _connector='OR'), name='verification_code_one_owner'),
        ),
    ]
