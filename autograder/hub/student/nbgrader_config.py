"""nbgrader for a student's server on the hub: which course, and where its exchange is."""

import os

c = get_config()  # noqa: F821 (injected by traitlets)

c.CourseDirectory.course_id = "backprop-lab"
c.Exchange.root = os.environ.get("BACKPROP_EXCHANGE", "/srv/nbgrader/exchange")
