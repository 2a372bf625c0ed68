# The outbox (外发消息) and the admin-editable message templates (消息模板).

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import wangge.notifications.models


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('notifications', '0005_remove_notification_case'),
    ]

    operations = [
        migrations.CreateModel(
            name='MessageTemplate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.SlugField(max_length=64, unique=True, verbose_name='key')),
                ('channel', models.CharField(max_length=32, validators=[wangge.notifications.models.validate_channel], verbose_name='channel')),
                ('title', models.CharField(blank=True, help_text='E-mail only: the subject line.', max_length=200, verbose_name='title')),
                ('body', models.TextField(verbose_name='body')),
                ('description', models.CharField(blank=True, max_length=200, verbose_name='description')),
                ('is_active', models.BooleanField(default=True, help_text='An inactive template sends nothing.', verbose_name='active')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
            ],
            options={
                'verbose_name': 'message template',
                'verbose_name_plural': 'message templates',
                'ordering': ['key'],
            },
        ),
        migrations.CreateModel(
            name='OutboundMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(max_length=32, validators=[wangge.notifications.models.validate_channel], verbose_name='channel')),
                ('to', models.CharField(max_length=200, verbose_name='to')),
                ('template', models.CharField(blank=True, max_length=64, verbose_name='template')),
                ('title', models.CharField(blank=True, max_length=200, verbose_name='title')),
                ('body', models.TextField(blank=True, verbose_name='body')),
                ('context', models.JSONField(blank=True, default=dict, verbose_name='context')),
                ('subject_id', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='subject id')),
                ('dedupe_key', models.CharField(max_length=200, unique=True, verbose_name='dedupe key')),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('sending', 'Sending'), ('sent', 'Sent'), ('dead', 'Dead letter')], default='pending', max_length=16, verbose_name='status')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                ('next_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='next attempt at')),
                ('lease_until', models.DateTimeField(blank=True, null=True, verbose_name='leased until')),
                ('last_error', models.TextField(blank=True, verbose_name='last error')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                ('gateway_message_id', models.CharField(blank=True, max_length=128, verbose_name='gateway message id')),
                ('subject_type', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype', verbose_name='subject type')),
            ],
            options={
                'verbose_name': 'outbound message',
                'verbose_name_plural': 'outbound messages',
                'ordering': ['-created_at', '-pk'],
                'indexes': [models.Index(condition=models.Q(('status__in', ['pending', 'sending'])), fields=['next_attempt_at'], name='outbox_due'), models.Index(fields=['status', '-created_at'], name='outbox_status'), models.Index(fields=['subject_type', 'subject_id'], name='outbox_subject')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('sent_at__isnull', False), ('status', 'sent')), models.Q(('status', 'sent'), _negated=True), _connector='OR'), name='outbox_sent_has_time'), models.CheckConstraint(condition=models.Q(models.Q(('status__in', ['pending', 'sending']), _negated=True), ('next_attempt_at__isnull', False), _connector='OR'), name='outbox_waiting_has_due_time')],
            },
        ),
    ]
