from django import forms
from django.contrib import admin

from .models import WechatAccount, WechatConversation


class WechatAccountForm(forms.ModelForm):
    class Meta:
        model = WechatAccount
        fields = "__all__"
        widgets = {"app_secret": forms.PasswordInput(render_value=True),
                    "encoding_aes_key": forms.PasswordInput(render_value=True)}


@admin.register(WechatAccount)
class WechatAccountAdmin(admin.ModelAdmin):
    form = WechatAccountForm
    list_display = ("name", "slug", "app_id", "mode", "region", "enabled")
    list_filter = ("enabled", "mode")
    search_fields = ("name", "slug", "app_id")
    autocomplete_fields = ()


@admin.register(WechatConversation)
class WechatConversationAdmin(admin.ModelAdmin):
    list_display = ("account", "state", "updated_at", "expires_at")
    list_filter = ("state", "account")
    readonly_fields = [f.name for f in WechatConversation._meta.fields]

    def has_add_permission(self, request):
        return False
