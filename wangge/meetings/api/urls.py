from django.urls import path

from . import views

urlpatterns = [
    path("meetings/", views.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/figures/", views.FiguresView.as_view(), name="meeting-figures"),
    path("meetings/topics/", views.TopicListView.as_view(), name="meeting-topic-list"),
    path("meetings/topics/<int:topic_id>/vet/", views.TopicVetView.as_view(), name="meeting-topic-vet"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("meetings/<int:pk>/ledger/", views.LedgerView.as_view(), name="meeting-ledger"),
    path("meetings/<int:pk>/items/", views.ItemAddView.as_view(), name="meeting-item-add"),
    path("meetings/<int:pk>/items/<int:item_id>/decide/", views.DecideView.as_view(), name="meeting-item-decide"),
    path("meetings/<int:pk>/participants/", views.ParticipantAddView.as_view(), name="meeting-participant-add"),
    path("meetings/<int:pk>/propose-agenda/", views.ProposeAgendaView.as_view(), name="meeting-propose-agenda"),
    path("meetings/<int:pk>/publish-agenda/", views.PublishAgendaView.as_view(), name="meeting-publish-agenda"),
    path("meetings/<int:pk>/close/", views.CloseMeetingView.as_view(), name="meeting-close"),
    path("meetings/<int:pk>/minutes/", views.MinutesView.as_view(), name="meeting-minutes"),
    path("meetings/<int:pk>/minutes/publish/", views.MinutesPublishView.as_view(), name="meeting-minutes-publish"),
    path("meetings/<int:pk>/minutes/amendments/", views.AmendmentView.as_view(), name="meeting-minutes-amend"),
    path("meetings/<int:pk>/minutes/addenda/", views.AddendumView.as_view(), name="meeting-minutes-addendum"),
]
