"""The Requests area: labor request entry and the open requests."""
