"""What the offline app's shell asks for at once: the modules that draw the household list,
not the census form's nor the search's, which the app imports when they are first needed;
the service worker precaches every one of them."""
import json
import re

from app.pwa import precache
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
