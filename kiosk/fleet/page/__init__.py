"""The province's page: a static site of every office's state (site), its screenshots
(shots), the Jinja2 templates and the CSS it is made of (templates/, static/)."""
