"""Sentences people type, in every language, and the service each must rank in the top 3.

Written for issue 12 by its engineer, not tuned against: a row that fails is a finding (the
reader's or the ranking's), kept as a strict xfail with the reason rather than reworded. This
table runs on the shipped listings on purpose: it is the acceptance check, while the ranking
rules themselves are tested on a fixture directory (tests/web/test_needs.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chatbot.engine import places_for
from directory.search import Filters
from web import needs
from web.content import content

TUESDAY_NIGHT = datetime(2026, 12, 1, 21, 0, tzinfo=UTC)

TABLE = [
    ("en", "a man keeps asking for photos of me", "ceop"),
    ("en", "need someone to talk to tonight", "samaritans"),
    ("en", "my son is getting money from older men", "rotherham-mash"),
    ("en", "mash out of hours", "rotherham-mash"),
    ("en", "i want to end my life", "samaritans"),
    ("en", "he is outside my door right now and im scared", "emergency-999"),
    ("en", "I was abused when I was little and I'm 40 now", "napac"),
    ("en", "someone shared a nude of me", "report-remove"),
    ("en", "my daughter hasn't come home since last night", "missing-people"),
    ("en", "I'm a teacher and a pupil told me something worrying", "rotherham-mash"),
    (
        "en",
        "I know who is doing it and want to tell police without giving my name",
        "crimestoppers",
    ),
    ("en", "im scared of my own thoughts about kids", "stop-it-now"),
    pytest.param(
        "en",
        "my parents are forcing me to marry",
        "karma-nirvana",
        marks=pytest.mark.xfail(
            strict=True, reason="the reader reads danger but not the forced-marriage topic"
        ),
    ),
    ("ur", "ایک آدمی مجھ سے میری تصویریں مانگتا رہتا ہے", "ceop"),
    ("ur", "مجھے کسی سے بات کرنی ہے", "samaritans"),
    ("ur", "میری بیٹی کل رات سے گھر نہیں آئی", "missing-people"),
    ("ur", "میں خودکشی کرنا چاہتا ہوں", "samaritans"),
    ("ur", "meri beti ko koi bara aadmi paise deta hai", "rotherham-mash"),
    ("ar", "رجل يطلب مني صوري باستمرار", "ceop"),
    ("ar", "أريد أن أتحدث مع شخص الليلة", "samaritans"),
    ("ar", "ابنتي لم تعد إلى البيت منذ أمس", "missing-people"),
    ("ar", "أفكر في الانتحار", "samaritans"),
    ("pl", "mężczyzna ciągle prosi mnie o zdjęcia", "ceop"),
    ("pl", "potrzebuję z kimś porozmawiać", "samaritans"),
    ("pl", "moja córka zaginęła", "missing-people"),
    ("pl", "chcę się zabić", "samaritans"),
    ("pl", "opieka społeczna w rotherham", "rotherham-mash"),
    ("sk", "chcem sa s niekým porozprávať", "samaritans"),
    ("sk", "moja dcéra sa nevrátila domov", "missing-people"),
    ("sk", "chcem sa zabiť", "samaritans"),
    ("cs", "chci si s někým promluvit", "samaritans"),
    ("cs", "moje dcera zmizela", "missing-people"),
    ("cs", "chci se zabít", "samaritans"),
    ("ro", "vreau să vorbesc cu cineva", "samaritans"),
    ("ro", "fiica mea a dispărut", "missing-people"),
    ("ro", "vreau să mă sinucid", "samaritans"),
    ("ro", "un bărbat îmi tot cere poze", "ceop"),
    # A second batch, written after the first was run and not tuned against.
    ("sk", "bol som zneužívaný ako dieťa", "napac"),
    ("cs", "jako dítě mě zneužíval strýc", "napac"),
    ("ar", "تعرضت للاعتداء عندما كنت طفلة", "napac"),
    ("ar", "ابني يحصل على المال من رجال أكبر منه", "rotherham-mash"),
    ("pl", "ktoś wysłał dalej moje nagie zdjęcie", "report-remove"),
    ("ro", "am fost abuzat în copilărie", "napac"),
    ("ur", "میرے ساتھ بچپن میں زیادتی ہوئی تھی", "napac"),
    ("en", "teacher here, how do I refer to children's social care in Rotherham", "rotherham-mash"),
    ("en", "my friend ran away from home", "runaway-helpline"),
    ("cs", "sociálka v rotherhamu", "rotherham-mash"),
    ("sk", "niekto sa mi vyhráža, že zverejní moje fotky", "ceop"),
    pytest.param(
        "en",
        "who can i call at 3am",
        "samaritans",
        marks=pytest.mark.xfail(
            strict=True, reason="no need is read: 'who can I call' is not a 'talk' phrase yet"
        ),
    ),
]


@pytest.fixture
def top3(app):
    app.config["LANTERN_NOW"] = lambda: TUESDAY_NIGHT

    def search(lang, text):
        with app.test_request_context():
            loaded = content()
            results, _ = needs.search(
                loaded.search,
                loaded.flow,
                app.extensions["lantern_needs"],
                text,
                Filters(),
                now=TUESDAY_NIGHT,
                page=1,
                per_page=10,
                lang=lang,
                home_area="rotherham",
                places=places_for(loaded.directory),
            )
        return [hit.id for hit in results.hits][:3]

    return search


@pytest.mark.parametrize(("lang", "text", "expected"), TABLE)
def test_sentence_finds_the_service_in_the_top_3(top3, lang, text, expected):
    """Does a sentence, as people write it, put the service that helps in the first three?"""
    assert expected in top3(lang, text)


def test_search_page_reads_a_sentence(client, app):
    """On the page itself, does a crisis sentence show 999 first and a page only after services?"""
    app.config["LANTERN_NOW"] = lambda: TUESDAY_NIGHT
    html = client.get("/services?q=i+want+to+end+my+life").get_data(as_text=True)
    results = html[html.index('class="results"') :]
    assert results.index('href="/services/emergency-999"') < results.index(
        'href="/services/samaritans"'
    )


def test_area_filter_offers_only_the_readers_own_area(client):
    """Is a Rotherham reader offered Rotherham, not Havering, in the area filter?"""
    html = client.get("/services").get_data(as_text=True)
    select = html[
        html.index('id="search-area"') : html.index("</select>", html.index('id="search-area"'))
    ]
    assert 'value="rotherham"' in select and 'value="havering"' not in select
    chosen = client.get("/services?area=havering").get_data(as_text=True)
    assert 'value="havering" selected' in chosen
