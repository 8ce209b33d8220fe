"""The membership committee's and the board's pages under /manage/members/ (two-factor
authentication required): the application queue, the member list, suspensions.
URLs: ``urls.py`` (namespace ``members_manage``)."""
