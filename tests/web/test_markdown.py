"""The one sanitiser."""

from web.markdown import clean, directives, fill_directives, render


def test_script_and_handlers_stripped():
    html = render(
        "Hi <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))"
    )
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html


def test_allowed_markup_kept():
    assert render("## Head\n\n- **a** [b](/families)") == (
        '<h2>Head</h2>\n<ul>\n<li><strong>a</strong> <a href="/families">b</a></li>\n</ul>'
    )


def test_only_https_links_out():
    assert "href" not in clean('<a href="http://example.org">x</a>')
    assert 'href="https://example.org"' in clean('<a href="https://example.org">x</a>')


def test_directives_listed_and_filled():
    text = "Call [[call:childline]].\n\n[[service:nspcc-helpline]]\n"
    assert directives(text) == [("call", "childline"), ("service", "nspcc-helpline")]
    html = fill_directives(render(text), lambda s: f"<div>{s}</div>", lambda s: f"<a>{s}</a>")
    assert html == "<p>Call <a>childline</a>.</p>\n<div>nspcc-helpline</div>"


def test_numbers_in_data_text_kept_left_to_right():
    """Is a number typed into listing text isolated, and the rest escaped?"""
    from web.pages import isolate_numbers

    assert str(isolate_numbers("کال کریں 0808 500 2222 <b>")) == (
        'کال کریں <bdi dir="ltr">0808 500 2222</bdi> &lt;b&gt;'
    )
    assert str(isolate_numbers("9:00–23:00")) == '<bdi dir="ltr">9:00–23:00</bdi>'


def test_escaped_characters_are_never_split_by_isolation():
    """Does an apostrophe next to a number stay an apostrophe ("council's 2015 strategy")?"""
    from web.pages import isolate_numbers

    assert str(isolate_numbers("the council's 2015 strategy")) == (
        'the council&#39;s <bdi dir="ltr">2015</bdi> strategy'
    )
    assert str(isolate_numbers("a & 2 < 30")) == 'a &amp; 2 &lt; <bdi dir="ltr">30</bdi>'
