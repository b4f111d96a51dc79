def test_language_switch_never_redirects_off_site(client):
    resp = client.post("/auth/lang/en", headers={"Referer": "https://evil.example/phish"})
    assert resp.status_code == 302
    assert "evil.example" not in resp.headers["Location"]
    resp = client.post("/auth/lang/vi", headers={"Referer": "http://localhost/auth/login?x=1"})
    assert resp.headers["Location"].endswith("/auth/login?x=1")
