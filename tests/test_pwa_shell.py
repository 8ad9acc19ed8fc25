"""What the offline app's shell asks for at once: the modules that draw the household list,
not the census form's nor the search's, which the app imports when they are first needed;
the service worker precaches every one of them."""
import json
import re

from app.extensions import db
from app.pwa import precache
from tests import factories
from tests.sync_setup import field


def test_the_shell_preloads_what_draws_the_list_and_the_worker_keeps_everything(county, login):
    field(county)
    client = login("enum")
    shell = client.get("/app").get_data(as_text=True)
    preloaded = re.findall(r'<link rel="modulepreload" href="([^"]+)">', shell)
    assert preloaded == [f"/static/{name}" for name in precache.start_modules()]
    assert preloaded[0] == "/static/js/app.js" and "/static/js/store/db.js" in preloaded
    assert "/static/vendor/idb-8.0.4/idb.js" in preloaded  # imported by a module app.js imports
    assert not {"/static/js/ui/form.js", "/static/js/core/search.js", "/static/js/core/validation.js"} & set(preloaded)
    worker = client.get("/sw.js").get_data(as_text=True)
    cached = set(json.loads(re.search(r"^const PRECACHE = (.+);$", worker, re.M).group(1)))
    assert {"/static/js/ui/form.js", "/static/js/core/search.js", *preloaded} <= cached


def test_an_office_page_leads_an_enumerator_back_to_the_app(app, county, login):
    """An enumerator who left the app (to change the password, say) finds it in the navigation;
    the page offered no way back but the browser's."""
    field(county)
    factories.user("township", "township_approver", [county.township_1])
    db.session.commit()
    client = login("enum")
    page = client.get("/account/password").get_data(as_text=True)
    nav = page[page.index('<nav aria-label="主导航">'):page.index("</nav>")]
    assert 'href="/app"' in nav and "入户采集" in nav
    office = app.test_client()  # a township collects nothing: no app offered
    office.post("/login", data={"username": "township", "password": factories.PASSWORD})
    answered = office.get("/account/password")
    assert answered.status_code == 200 and 'href="/app"' not in answered.get_data(as_text=True)
