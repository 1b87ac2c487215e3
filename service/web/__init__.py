"""The read-only dashboard (Flask): `app.create_app`, page data in `views`, SVG chart numbers."""
