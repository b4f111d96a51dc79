def test_app_boots_and_login_page_is_vietnamese(client):
    resp = client.get("/auth/login")
    assert resp.status_code == 200
    assert "Đăng nhập" in resp.get_data(as_text=True)
    assert client.get("/").status_code == 302
