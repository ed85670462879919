from django.urls import re_path

from .consumers import RunConsumer

websocket_urlpatterns = [re_path(r"^ws/runs/(?P<run_id>\d{1,12})/$", RunConsumer.as_asgi())]
