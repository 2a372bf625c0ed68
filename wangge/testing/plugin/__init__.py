"""社区意见箱 — a small app installed only by the test settings, that plugs into the case desk the
way patrols, meetings or the WeChat channel will: it adds a channel, a timeline entry type, a
notification kind and a subscriber to case events, without a line changed in ``wangge/cases``.

A community's suggestion box (意见箱) is opened weekly by a clerk, who files each slip on the
``mailbox`` channel; when such a case is resolved the answer must be posted on the board beside
the box, so the clerk is told (a notification) and the posting is recorded on the timeline."""
