"""The product mark: every page (and the offline app's shell) names it as its icon, and
/favicon.ico answers, so no browser logs a 404 for it."""
import re

import pytest

from tests import factories

ICON_LINK = re.compile(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">')


def test_favicon_ico_leads_to_an_image(client):
    with client.get("/favicon.ico", follow_redirects=True) as response:  # a file: closed after
        assert response.status_code == 200
        assert response.mimetype.startswith("image/")


@pytest.mark.parametrize("url", ["/login", "/app"])
def test_pages_link_the_svg_mark(client, county, url):
    factories.user("enum", "enumerator", [county.village_a])
    client.post("/login", data={"username": "enum", "password": factories.PASSWORD})
    [href] = ICON_LINK.findall(client.get(url, follow_redirects=True).get_data(as_text=True))
    with client.get(href) as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert b"<svg" in icon.get_data()
